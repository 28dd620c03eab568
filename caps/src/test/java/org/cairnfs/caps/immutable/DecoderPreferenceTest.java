package org.cairnfs.caps.immutable;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.cairnfs.caps.share.ByteArrayShare;
import org.cairnfs.caps.share.ShareSource;
import org.junit.jupiter.api.Test;

/** A caller's preference decides which shares the decoder opens, not ascending numbers. */
class DecoderPreferenceTest {
  @Test
  void sharesAreOpenedInPreferenceOrderAndStillDecode() throws IOException {
    Shares s = Shares.encode(Shares.params(3, 10, 100), Shares.random(1000, 7));
    Set<Integer> touched = new LinkedHashSet<>();
    Map<Integer, ShareSource> sources = new TreeMap<>();
    for (int i = 0; i < 10; i++) {
      int number = i;
      ShareSource inner = ByteArrayShare.wrap(s.shares()[i]);
      sources.put(i, (offset, dst, off, len) -> {
        touched.add(number);
        inner.read(offset, dst, off, len);
      });
    }
    List<Integer> order = List.of(9, 4, 6, 0, 1, 2, 3, 5, 7, 8);
    ImmutableDecoder decoder = ImmutableDecoder.of(s.cap(), sources,
        Comparator.comparingInt(order::indexOf));
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    decoder.decode(out);
    assertThat(out.toByteArray()).isEqualTo(s.plaintext());
    assertThat(touched).containsExactly(9, 4, 6);
  }

  @Test
  void aBadPreferredShareIsReplacedByTheNextPreferred() throws IOException {
    Shares s = Shares.encode(Shares.params(3, 10, 100), Shares.random(1000, 8));
    Map<Integer, ShareSource> sources = s.all();
    byte[] broken = s.shares()[4].clone();
    broken[broken.length - 1] ^= 1;
    sources.put(4, ByteArrayShare.wrap(broken));
    List<Integer> order = List.of(9, 4, 6, 7, 0, 1, 2, 3, 5, 8);
    ImmutableDecoder decoder = ImmutableDecoder.of(s.cap(), sources,
        Comparator.comparingInt(order::indexOf));
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    decoder.decode(out);
    assertThat(out.toByteArray()).isEqualTo(s.plaintext());
    assertThat(decoder.badShares()).containsOnlyKeys(4);
  }
}
