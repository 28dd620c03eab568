package org.cairnfs.fs.mount;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PieceCacheTest {
  static final int P = BaseReads.PIECE;

  @TempDir Path dir;
  final AtomicLong free = new AtomicLong(Long.MAX_VALUE);

  PieceCache open(long max) throws Exception {
    return PieceCache.open(dir.resolve("read"), max, free::get);
  }

  static byte[] piece(int length, int seed) {
    return CoreFixture.bytes(length, seed);
  }

  long filesIn() throws Exception {
    try (Stream<Path> s = Files.list(dir.resolve("read"))) {
      return s.count();
    }
  }

  @Test
  void aRangeIsServedOnlyWhenEveryPieceItTouchesIsHeld() throws Exception {
    try (PieceCache c = open(16L * P)) {
      byte[] a = piece(P, 1);
      byte[] b = piece(P, 2);
      c.store("cap", 0, a);
      c.store("cap", 2L * P, b);
      assertThat(c.read("cap", 10, 100)).isEqualTo(Arrays.copyOfRange(a, 10, 110));
      assertThat(c.read("cap", 0, P)).isEqualTo(a);
      assertThat(c.read("cap", P - 5, 10)).as("crosses into a piece not held").isNull();
      assertThat(c.read("cap", 2L * P + 7, 3)).isEqualTo(Arrays.copyOfRange(b, 7, 10));
      assertThat(c.read("other", 0, 10)).isNull();
      c.store("cap", P, piece(P, 3));
      byte[] three = c.read("cap", P - 5, P + 10);
      assertThat(Arrays.copyOfRange(three, 0, 5)).isEqualTo(Arrays.copyOfRange(a, P - 5, P));
      assertThat(Arrays.copyOfRange(three, P + 5, P + 10)).isEqualTo(Arrays.copyOfRange(b, 0, 5));
    }
  }

  /**
   * A piece whose bytes on disk are not what was stored (a writeback that failed on a full disk
   * reads back as zeros; a file cut short) is dropped and missed, never served; stored again,
   * it is served again.
   */
  @Test
  void aPieceChangedOnDiskIsDroppedNotServed() throws Exception {
    try (PieceCache c = open(16L * P)) {
      byte[] a = piece(P, 1);
      byte[] b = piece(P, 2);
      byte[] tail = piece(1000, 3);
      c.store("cap", 0, a);
      c.store("cap", P, b);
      c.store("cap", 2L * P, tail);
      Path file;
      try (Stream<Path> s = Files.list(dir.resolve("read"))) {
        file = s.findFirst().orElseThrow();
      }
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
        ch.write(ByteBuffer.wrap(new byte[100]), P + 50L);
      }
      assertThat(c.read("cap", 0, P)).isEqualTo(a);
      assertThat(c.read("cap", P + 10L, 20)).as("the bytes read are intact, the piece is not")
          .isNull();
      assertThat(c.storedBytes()).isEqualTo(2L * P);
      assertThat(c.read("cap", 0, 2 * P)).as("no longer held").isNull();
      c.store("cap", P, b);
      assertThat(c.read("cap", P + 10L, 20)).isEqualTo(Arrays.copyOfRange(b, 10, 30));
      assertThat(c.read("cap", 0, 2 * P + 1000)).startsWith(a).endsWith(tail);

      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
        ch.truncate(2L * P + 500); // the short last piece cut
      }
      assertThat(c.read("cap", 2L * P, 10)).isNull();
      assertThat(c.read("cap", 0, 10)).isEqualTo(Arrays.copyOf(a, 10));
      assertThat(c.storedBytes()).isEqualTo(2L * P);
    }
  }

  @Test
  void aShortLastPieceMarksTheEnd() throws Exception {
    try (PieceCache c = open(16L * P)) {
      byte[] tail = piece(1000, 4);
      c.store("cap", P, tail);
      c.store("cap", 0, piece(P, 5));
      assertThat(c.read("cap", P + 900, 500)).as("cut where the content ends")
          .isEqualTo(Arrays.copyOfRange(tail, 900, 1000));
      assertThat(c.read("cap", P + 1000, 10)).as("at the end: the grid answers").isNull();
      assertThat(c.read("cap", 5L * P, 10)).isNull();
    }
  }

  @Test
  void unalignedOrOversizedPiecesAreNotKept() throws Exception {
    try (PieceCache c = open(16L * P)) {
      c.store("cap", 100, piece(P, 1));
      c.store("cap", 0, piece(P + 1, 1));
      c.store("cap", -P, piece(P, 1));
      c.store("cap", P, new byte[0]);
      assertThat(c.storedBytes()).isZero();
      assertThat(c.read("cap", 100, 10)).isNull();
    }
  }

  @Test
  void pastItsBoundTheLeastRecentlyUsedFilesGo() throws Exception {
    try (PieceCache c = open(4L * P)) {
      for (int i = 0; i < 2; i++) {
        c.store("old", (long) i * P, piece(P, i));
        c.store("used", (long) i * P, piece(P, 10 + i));
      }
      assertThat(c.read("old", 0, 1)).isNotNull();
      assertThat(c.read("used", 0, 1)).isNotNull(); // "old" is now the least recently used
      c.store("new", 0, piece(P, 20));
      assertThat(c.storedBytes()).isLessThanOrEqualTo(4L * P);
      assertThat(c.read("old", 0, 1)).isNull();
      assertThat(c.read("used", P, 10)).isEqualTo(Arrays.copyOfRange(piece(P, 11), 0, 10));
      assertThat(c.read("new", 0, 10)).isEqualTo(Arrays.copyOfRange(piece(P, 20), 0, 10));
      assertThat(filesIn()).as("the evicted file is deleted").isEqualTo(2);
    }
  }

  @Test
  void aDiskWithLessFreeSpaceThanTheBoundGetsNothingMore() throws Exception {
    free.set(3L * P);
    try (PieceCache c = open(4L * P)) {
      c.store("cap", 0, piece(P, 1));
      assertThat(c.read("cap", 0, 1)).isNull();
      assertThat(c.storedBytes()).isZero();
    }
  }

  @Test
  void openingAndClosingEmptyTheDirectory() throws Exception {
    Files.createDirectories(dir.resolve("read"));
    Files.write(dir.resolve("read").resolve("left-over"), new byte[10]);
    PieceCache c = open(4L * P);
    assertThat(filesIn()).isZero();
    c.store("cap", 0, piece(P, 1));
    assertThat(filesIn()).isEqualTo(1);
    c.close();
    assertThat(filesIn()).isZero();
    assertThat(c.read("cap", 0, 1)).isNull();
    c.store("cap", 0, piece(P, 1));
    assertThat(filesIn()).isZero();
  }

  @Test
  void aZeroBoundKeepsNothing() throws Exception {
    try (PieceCache c = open(0)) {
      c.store("cap", 0, piece(P, 1));
      assertThat(c.read("cap", 0, 1)).isNull();
      assertThat(filesIn()).isZero();
    }
  }
  @Test
  void atMostMaxFilesAreKeptOpen() throws Exception {
    try (PieceCache c = open(1024L * P)) {
      for (int f = 0; f <= PieceCache.MAX_FILES; f++) {
        c.store("cap" + f, 0, piece(P, f));
      }
      assertThat(filesIn()).isEqualTo(PieceCache.MAX_FILES);
      assertThat(c.read("cap0", 0, 1)).as("the least recently used").isNull();
      assertThat(c.read("cap" + PieceCache.MAX_FILES, 0, 1)).isNotNull();
      assertThat(c.storedBytes()).isEqualTo((long) PieceCache.MAX_FILES * P);
    }
  }

  /** An interrupt closes a FileChannel for good: that file is forgotten, and a new one made. */
  @Test
  void aFileClosedByAnInterruptIsReplaced() throws Exception {
    try (PieceCache c = open(16L * P)) {
      c.store("cap", 0, piece(P, 1));
      Thread reader = new Thread(() -> {
        Thread.currentThread().interrupt();
        c.read("cap", 0, 10);
      });
      reader.start();
      reader.join();
      assertThat(c.read("cap", 0, 10)).isNull();
      assertThat(c.storedBytes()).isZero();
      c.store("cap", 0, piece(P, 2));
      assertThat(c.read("cap", 0, 10)).isEqualTo(Arrays.copyOfRange(piece(P, 2), 0, 10));
    }
  }
}
