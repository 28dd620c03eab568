package org.cairnfs.caps.immutable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.cairnfs.caps.share.ByteArrayShare;
import org.cairnfs.caps.share.ShareSource;
import org.junit.jupiter.api.Test;

class ImmutableCorruptionTest {

  /** Decoding must give the plaintext or an IntegrityException, never anything else. */
  static void decodesOrNamesBadShare(Shares s, Map<Integer, ShareSource> sources, int suspect,
      String what) {
    try {
      assertThat(Shares.decode(s.cap(), sources)).as(what).isEqualTo(s.plaintext());
    } catch (IntegrityException e) {
      assertThat(e.badShares()).as(what).containsKey(suspect);
    } catch (IOException | RuntimeException e) {
      fail(what + " threw " + e, e);
    }
  }

  static Map<Integer, ShareSource> with(Shares s, int number, byte[] bytes, int... others) {
    Map<Integer, ShareSource> map = new TreeMap<>(s.sources(others));
    map.put(number, ByteArrayShare.wrap(bytes));
    return map;
  }

  @Test
  void everySingleByteFlipIsSurvivedOrNamed() {
    Shares s = Shares.encode0(Shares.params(3, 10, 64), Shares.random(200, 1));
    for (int share = 0; share < 10; share++) {
      int[] others = {(share + 1) % 10, (share + 5) % 10};
      for (int at = 0; at < s.shares()[share].length; at++) {
        byte[] bad = s.shares()[share].clone();
        bad[at] ^= (byte) (1 + (at % 255));
        decodesOrNamesBadShare(s, with(s, share, bad, others), share,
            "share " + share + " byte " + at + " with only k shares");
        Map<Integer, ShareSource> all = s.all();
        all.put(share, ByteArrayShare.wrap(bad));
        try {
          assertThat(Shares.decode(s.cap(), all)).isEqualTo(s.plaintext());
        } catch (IOException e) {
          fail("share " + share + " byte " + at + " with all shares threw " + e, e);
        }
      }
    }
  }

  @Test
  void aFlippedDataByteInAUsedShareIsNamed() throws IOException {
    Shares s = Shares.encode(Shares.params(3, 10, 64), Shares.random(200, 2));
    byte[] bad = s.shares()[1].clone();
    bad[bad.length - 1] ^= 1;
    assertThatThrownBy(() -> Shares.decode(s.cap(), with(s, 1, bad, 0, 2)))
        .isInstanceOf(IntegrityException.class)
        .hasMessageContaining("share 1 (block 3 does not match its hash)");
    ImmutableDecoder decoder = ImmutableDecoder.of(s.cap(), with(s, 1, bad, 0, 2, 3));
    decoder.decode(new java.io.ByteArrayOutputStream());
    assertThat(decoder.badShares()).containsOnlyKeys(1);
  }

  @Test
  void randomFlipsInALargerFile() throws IOException {
    Shares s = Shares.encode(Shares.params(3, 10, 4096), Shares.random(1 << 20, 3));
    Random random = new Random(4);
    for (int trial = 0; trial < 20; trial++) {
      int share = random.nextInt(3);
      byte[] bad = s.shares()[share].clone();
      int at = random.nextInt(bad.length);
      bad[at] ^= (byte) (1 << random.nextInt(8));
      Map<Integer, ShareSource> sources = new TreeMap<>(s.sources(0, 1, 2, 7));
      sources.put(share, ByteArrayShare.wrap(bad));
      decodesOrNamesBadShare(s, sources, share, "share " + share + " byte " + at);
    }
  }

  @Test
  void truncatedSharesAreDropped() throws IOException {
    Shares s = Shares.encode(Shares.params(3, 10, 64), Shares.random(500, 5));
    int length = s.shares()[0].length;
    for (int cut : new int[] {0, 10, 60, 200, 400, length - 1}) {
      byte[] bad = Arrays.copyOf(s.shares()[0], cut);
      ImmutableDecoder decoder = ImmutableDecoder.of(s.cap(), with(s, 0, bad, 1, 2, 3));
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      decoder.decode(out);
      assertThat(out.toByteArray()).as("cut at %d", cut).isEqualTo(s.plaintext());
      assertThat(decoder.badShares()).as("cut at %d", cut).containsOnlyKeys(0);
      assertThat(decoder.badShares().get(0)).contains("truncated");
    }
  }

  @Test
  void sharesSwappedBetweenNumbersAreRefused() {
    Shares s = Shares.encode0(Shares.params(3, 10, 64), Shares.random(500, 6));
    Map<Integer, ShareSource> swapped = s.sources(2, 3);
    swapped.put(0, ByteArrayShare.wrap(s.shares()[4]));
    assertThatThrownBy(() -> Shares.decode(s.cap(), swapped))
        .isInstanceOf(IntegrityException.class)
        .hasMessageContaining("share 0 (header says it is share 4)");

    byte[] relabelled = s.shares()[4].clone();
    ByteBuffer.wrap(relabelled).putShort(10, (short) 0);
    Map<Integer, ShareSource> renumbered = s.sources(2, 3);
    renumbered.put(0, ByteArrayShare.wrap(relabelled));
    assertThatThrownBy(() -> Shares.decode(s.cap(), renumbered))
        .isInstanceOf(IntegrityException.class)
        .hasMessageContaining("share 0 (share chain entry 0 names node 20, expected 16)");

    int chainAt = ShareHeader.LENGTH + ExtensionBlock.LENGTH;
    System.arraycopy(s.shares()[0], chainAt, relabelled, chainAt, 4 * 36);
    Map<Integer, ShareSource> lying = s.sources(2, 3);
    lying.put(0, ByteArrayShare.wrap(relabelled));
    assertThatThrownBy(() -> Shares.decode(s.cap(), lying))
        .isInstanceOf(IntegrityException.class)
        .hasMessageContaining("share 0 (share hash chain does not lead to the share tree root)");
  }

  @Test
  void aShareOfAnotherFileIsRefused() {
    EncodingParams params = Shares.params(3, 10, 64);
    Shares s = Shares.encode0(params, Shares.random(500, 7));
    Shares other = Shares.encode0(params, Shares.random(500, 8));
    Map<Integer, ShareSource> sources = s.sources(0, 1);
    sources.put(2, ByteArrayShare.wrap(other.shares()[2]));
    assertThatThrownBy(() -> Shares.decode(s.cap(), sources))
        .isInstanceOf(IntegrityException.class)
        .hasMessageContaining("need 3 good shares")
        .hasMessageContaining("share 2 (extension block does not match the cap)");
  }

  @Test
  void failingReadsDropTheShare() throws IOException {
    Shares s = Shares.encode(Shares.params(3, 10, 64), Shares.random(500, 9));
    Map<Integer, ShareSource> sources = s.sources(1, 2, 3);
    ShareSource good = ByteArrayShare.wrap(s.shares()[0]);
    sources.put(0, (offset, dst, off, len) -> {
      if (offset > 400) {
        throw new IOException("connection reset");
      }
      good.read(offset, dst, off, len);
    });
    ImmutableDecoder decoder = ImmutableDecoder.of(s.cap(), sources);
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    decoder.decode(out);
    assertThat(out.toByteArray()).isEqualTo(s.plaintext());
    assertThat(decoder.badShares().get(0)).contains("connection reset");
  }

  @Test
  void tooFewSharesNamesNone() {
    Shares s = Shares.encode0(Shares.params(3, 10, 64), Shares.random(500, 10));
    assertThatThrownBy(() -> Shares.decode(s.cap(), s.sources(4, 5)))
        .isInstanceOf(IntegrityException.class)
        .hasMessageContaining("found 2");
  }

  /** A server answering under a share number outside 0..n-1 is dropped, and named for it. */
  @Test
  void sharesClaimedUnderNumbersOutsideTheFileAreDropped() throws IOException {
    Shares s = Shares.encode0(Shares.params(3, 10, 64), Shares.random(500, 11));
    Map<Integer, ShareSource> sources = s.sources(0, 5, 9);
    sources.put(-1, ByteArrayShare.wrap(s.shares()[1]));
    sources.put(10, ByteArrayShare.wrap(s.shares()[2]));
    ImmutableDecoder decoder = ImmutableDecoder.of(s.cap(), sources);
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    decoder.decode(out);
    assertThat(out.toByteArray()).isEqualTo(s.plaintext());
    assertThat(decoder.badShares()).containsOnlyKeys(-1);
    sources.remove(9);
    assertThatThrownBy(() -> Shares.decode(s.cap(), sources))
        .isInstanceOfSatisfying(IntegrityException.class, e -> {
          assertThat(e).hasMessageContaining("found 2");
          assertThat(e.badShares()).containsOnlyKeys(-1, 10);
          assertThat(e.badShares().get(10)).isEqualTo("share number is not below n=10");
          assertThat(e.badShares().get(-1)).isEqualTo("share number is not below n=10");
        });
  }
}
