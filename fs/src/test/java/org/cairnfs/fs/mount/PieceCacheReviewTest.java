package org.cairnfs.fs.mount;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * From a hostile review of the piece cache (1ba3bfb): each case failed before its fix (a store
 * now makes room before it writes; a disk running low gets the cache's files back; a stream
 * opened off a piece's start aligns its reads).
 */
class PieceCacheReviewTest {
  static final int P = BaseReads.PIECE;

  @TempDir Path dir;
  final AtomicLong free = new AtomicLong(Long.MAX_VALUE);

  PieceCache open(long max) throws Exception {
    return PieceCache.open(dir.resolve("read"), max, free::get);
  }

  long logicalBytesOnDisk() throws Exception {
    try (Stream<Path> s = Files.list(dir.resolve("read"))) {
      return s.mapToLong(p -> p.toFile().length()).sum();
    }
  }

  /**
   * The bound holds whatever the number of caps: one file read whole (a 32-piece file through
   * a 4-piece cache) must not keep more than the bound. Eviction never took the entry being
   * stored to, so a single large file grew the cache until the disk was down to the bound.
   */
  @Test
  void oneLargeFileIsHeldToTheBoundToo() throws Exception {
    try (PieceCache c = open(4L * P)) {
      for (int i = 0; i < 32; i++) {
        c.store("big", (long) i * P, CoreFixture.bytes(P, i));
      }
      assertThat(c.storedBytes()).as("bytes counted held").isLessThanOrEqualTo(4L * P);
      assertThat(logicalBytesOnDisk()).as("bytes of the cache's files")
          .isLessThanOrEqualTo(4L * P);
    }
  }

  /**
   * Once the disk is low, the cache keeps nothing: stores were refused, and eviction ran only
   * in a store, so a file held past the bound stayed until unmount.
   */
  @Test
  void aFileHeldPastTheBoundIsLetGoWhenTheDiskRunsLow() throws Exception {
    try (PieceCache c = open(4L * P)) {
      for (int i = 0; i < 32; i++) {
        c.store("big", (long) i * P, CoreFixture.bytes(P, i));
      }
      free.set(P); // the disk fills up (the spool, other programs)
      Thread.sleep(1100); // past the space check's interval
      c.store("other", 0, CoreFixture.bytes(P, 99));
      assertThat(c.storedBytes()).isLessThanOrEqualTo(4L * P);
    }
  }

  /**
   * A reader with a small buffer makes the kernel's readahead ramp up (16 KiB, then 64 KiB,
   * then 128 KiB windows), so the mount's stream opens at an offset not aligned to a piece;
   * every piece it read was then unaligned and store() ignored all of them: a file read
   * sequentially whole was not cached at all.
   */
  @Test
  void aFileReadSequentiallyFromAnUnalignedStartIsCachedToo() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    byte[] data = CoreFixture.bytes(4 << 20, 11);
    String cap = grid.upload(new ByteArrayInputStream(data)).get();
    BaseReads reads = new BaseReads(grid, 1 << 20);
    try (PieceCache cache = open(64L << 20)) {
      reads.keepIn(cache);
      long at = 0;
      for (int length : new int[] {16 << 10, 64 << 10}) { // readahead ramping up
        assertThat(reads.read(cap, at, length))
            .isEqualTo(Arrays.copyOfRange(data, (int) at, (int) at + length));
        at += length;
      }
      while (at < (2 << 20)) { // then full 128 KiB requests
        int length = P;
        assertThat(reads.read(cap, at, length))
            .isEqualTo(Arrays.copyOfRange(data, (int) at, (int) at + length));
        at += length;
      }
      reads.read(cap, data.length - 10, 10); // far away: stops the stream
      int before = grid.reads.get();
      // the kernel dropped the pages of the second MiB: read again, piece-aligned
      for (long off = 1 << 20; off < (2 << 20); off += P) {
        assertThat(reads.read(cap, off, P))
            .isEqualTo(Arrays.copyOfRange(data, (int) off, (int) off + P));
      }
      assertThat(grid.reads.get() - before).as("grid reads for a part read before").isZero();
    }
  }
}
