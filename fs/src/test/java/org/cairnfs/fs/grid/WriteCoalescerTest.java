package org.cairnfs.fs.grid;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.cairnfs.caps.immutable.EncodingParams;
import org.cairnfs.caps.immutable.ImmutableEncoder;
import org.cairnfs.caps.immutable.PlaintextSource;
import org.cairnfs.caps.share.ByteArrayShare;
import org.junit.jupiter.api.Test;

class WriteCoalescerTest {
  @Test
  void anEncodersWritesArriveWholeInFewChunksWithBoundedBuffering() throws Exception {
    byte[] data = new byte[3 << 20];
    new Random(1).nextBytes(data);
    EncodingParams params = EncodingParams.builder().segmentSize(16 << 10).build();
    int chunk = 64 << 10;
    long maxBuffered = 128 << 10;
    ByteArrayShare[] direct = new ByteArrayShare[10];
    ByteArrayShare[] merged = new ByteArrayShare[10];
    List<Integer> sends = new ArrayList<>();
    long[] peak = new long[1];
    ImmutableEncoder encoder = ImmutableEncoder.convergent(params, new byte[32]);
    encoder.encode(PlaintextSource.of(data), (i, len) -> direct[i] = new ByteArrayShare(len));
    encoder.encode(PlaintextSource.of(data), (i, len) -> {
      merged[i] = new ByteArrayShare(len);
      WriteCoalescer[] self = new WriteCoalescer[1];
      WriteCoalescer c = new WriteCoalescer(chunk, maxBuffered, (offset, bytes, length) -> {
        assertThat(length).isLessThanOrEqualTo(chunk).isLessThanOrEqualTo(bytes.length);
        merged[i].write(offset, bytes, 0, length);
        // answered at once: the array goes back and later runs of every share reuse it
        self[0].giveBack(bytes);
        if (i == 0) {
          sends.add(length);
        }
      });
      self[0] = c;
      return new org.cairnfs.caps.share.ShareSink() {
        @Override
        public void write(long offset, byte[] d, int off, int n) throws java.io.IOException {
          c.write(offset, d, off, n);
          peak[0] = Math.max(peak[0], c.buffered());
        }

        @Override
        public void close() throws java.io.IOException {
          c.flush();
          assertThat(c.buffered()).isZero();
        }
      };
    });
    for (int i = 0; i < 10; i++) {
      assertThat(merged[i].bytes()).as("share %d", i).isEqualTo(direct[i].bytes());
    }
    long shareLength = direct[0].bytes().length;
    // 192 segments of 5.5 KiB blocks and ~2x384 tree nodes: without merging ~1000 writes.
    assertThat(sends.size()).isLessThan((int) (shareLength / chunk) + 40);
    assertThat(peak[0]).isLessThanOrEqualTo(maxBuffered);
  }

  @Test
  void arraysComeBackOnlyWholeAndAtMostKeepOfThem() {
    ReusedArrays arrays = ReusedArrays.of(12_345);
    byte[] a = arrays.take();
    assertThat(a).hasSize(12_345);
    arrays.giveBack(new byte[100]);
    assertThat(arrays.kept()).as("another size is not kept").isZero();
    arrays.giveBack(a);
    assertThat(arrays.take()).isSameAs(a);
    for (int i = 0; i < arrays.keep() + 5; i++) {
      arrays.giveBack(new byte[12_345]);
    }
    assertThat(arrays.kept()).isEqualTo(arrays.keep());
  }

  @Test
  void aHeaderFollowedByBlocksGrowsToAWholeChunkInOneStep() throws Exception {
    List<byte[]> sent = new ArrayList<>();
    WriteCoalescer c = new WriteCoalescer(64 << 10, 1 << 20, (offset, bytes, length) ->
        sent.add(bytes));
    c.write(0, new byte[100], 0, 100);
    c.write(100, new byte[40_000], 0, 40_000);
    c.write(40_100, new byte[40_000], 0, 40_000);
    assertThat(sent).singleElement().satisfies(b -> assertThat(b).hasSize(64 << 10));
  }

  @Test
  void aWriteLargerThanAChunkIsSplit() throws Exception {
    List<long[]> sent = new ArrayList<>();
    WriteCoalescer c = new WriteCoalescer(4096, 8192, (offset, bytes, length) ->
        sent.add(new long[] {offset, length}));
    c.write(100, new byte[10_000], 0, 10_000);
    c.flush();
    assertThat(sent).extracting(a -> a[0]).containsExactly(100L, 4196L, 8292L);
    assertThat(sent).extracting(a -> a[1]).containsExactly(4096L, 4096L, 1808L);
  }
}
