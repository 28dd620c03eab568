package org.cairnfs.caps.immutable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Comparator;
import java.util.Map;
import java.util.Set;
import org.cairnfs.caps.ImmutableVerifyCap;
import org.cairnfs.caps.share.ByteArrayShare;
import org.cairnfs.caps.share.ShareSink;
import org.cairnfs.caps.share.ShareSource;
import org.junit.jupiter.api.Test;

/** Rebuilding shares with only the verify cap gives the uploader's shares, byte for byte. */
class ShareRebuilderTest {

  private static ByteArrayShare[] rebuild(Shares f, Map<Integer, ShareSource> from)
      throws Exception {
    ImmutableVerifyCap cap = f.cap().verifier();
    ByteArrayShare[] out = new ByteArrayShare[cap.n()];
    ShareRebuilder.of(cap, from, Comparator.naturalOrder())
        .rebuild((i, length) -> out[i] = new ByteArrayShare(length), s -> { });
    return out;
  }

  @Test
  void everyShareComesBackIdenticalFromAnyKShares() throws Exception {
    Shares f = Shares.encode(Shares.params(3, 10, 4096), Shares.random(5 * 4096 + 77, 1));
    for (int[] pick : new int[][] {{0, 1, 2}, {7, 8, 9}, {1, 5, 9}}) {
      ByteArrayShare[] out = rebuild(f, f.sources(pick));
      for (int i = 0; i < 10; i++) {
        assertThat(out[i].bytes()).as("share %d from %s", i, pick).isEqualTo(f.shares()[i]);
      }
    }
  }

  @Test
  void corruptSharesAreSkippedAndNamed() throws Exception {
    Shares f = Shares.encode(Shares.params(3, 10, 4096), Shares.random(3 * 4096, 2));
    byte[] bad = f.shares()[0].clone();
    bad[bad.length - 5] ^= 1;
    Map<Integer, ShareSource> from = f.sources(1, 2, 3);
    from.put(0, ByteArrayShare.wrap(bad));
    ImmutableVerifyCap cap = f.cap().verifier();
    ShareRebuilder rebuilder = ShareRebuilder.of(cap, from, Comparator.naturalOrder());
    // The layout comes from the first share that verifies (share 0's front is intact).
    ShareLayout layout = rebuilder.layout();
    assertThat(layout.params()).isEqualTo(Shares.params(3, 10, 4096));
    assertThat(layout.segmentCount()).isEqualTo(3);
    assertThat(layout.shareLength()).isEqualTo(f.shares()[1].length);
    ByteArrayShare[] out = new ByteArrayShare[10];
    rebuilder.rebuild((i, length) -> out[i] = new ByteArrayShare(length), s -> { });
    assertThat(out[0].bytes()).isEqualTo(f.shares()[0]);
    assertThat(rebuilder.badShares()).containsOnlyKeys(0);
    assertThat(rebuilder.badShares().get(0)).contains("block");
  }

  @Test
  void fewerThanKGoodSharesFailWithoutClosingAnySink() throws Exception {
    Shares f = Shares.encode(Shares.params(3, 10, 4096), Shares.random(2 * 4096, 3));
    Set<Integer> closed = new java.util.HashSet<>();
    ShareRebuilder rebuilder = ShareRebuilder.of(f.cap().verifier(), f.sources(4, 5),
        Comparator.naturalOrder());
    assertThatThrownBy(() -> rebuilder.rebuild((i, length) -> new ShareSink() {
      @Override
      public void write(long offset, byte[] data, int off, int len) {}

      @Override
      public void close() {
        closed.add(i);
      }
    }, s -> { })).isInstanceOf(IntegrityException.class).hasMessageContaining("need 3");
    assertThat(closed).isEmpty();
  }
}
