package org.cairnfs.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 1 GiB file on real storage servers (their own process) through a real mount, edited in
 * place: 4 KiB written in the middle, close, fsync. The servers receive about one chunk (4 MiB
 * chunks), not the file. Encoded 1-of-1 on one server so the first upload costs 1 GiB of disk,
 * not 3.3; the edit's cost is counted the same way. {@code -Dcairn.bigFileMiB=N} sets the size.
 */
class FuseBigFileTest {
  static final long MIB = 1 << 20;
  static final long CHUNK = 4 * MIB; // FilesConfig.DEFAULT_CHUNK_SIZE

  @TempDir
  Path work;
  GridHost grid;
  MountProcess mount;

  @AfterEach
  void cleanUp() throws Exception {
    if (mount != null) {
      mount.cleanUp();
    }
    if (grid != null) {
      grid.close();
    }
  }

  /** The MiB {@code i} of the file: one random MiB stamped with its index (no two chunks equal). */
  static void mib(ByteBuffer buf, byte[] base, long i) {
    buf.clear();
    buf.put(base);
    buf.putLong(0, i);
    buf.putLong(base.length / 2, ~i);
    buf.flip();
  }

  @Test
  void anEditInTheMiddleOfOneGibUploadsAboutOneChunk() throws Exception {
    MountProcess.requireFuse();
    long mibs = Long.getLong("cairn.bigFileMiB", 1024);
    grid = GridHost.start(work.resolve("servers"), 1);
    String[] flags = grid.mountFlags(1, 1, 1);
    Path mp = work.resolve("mnt");
    mount = MountProcess.start(work.resolve("grid"), work.resolve("cache"), mp,
        work.resolve("logs/big.log"), flags);
    byte[] base = new byte[(int) MIB];
    new Random(11).nextBytes(base);
    ByteBuffer buf = ByteBuffer.allocate((int) MIB);
    Path big = mp.resolve("big");
    try (FileChannel ch = FileChannel.open(big, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE)) {
      for (long i = 0; i < mibs; i++) {
        mib(buf, base, i);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
      }
      ch.force(true); // on the grid at happiness when this returns
    }
    long afterFirst = grid.received();
    assertThat(afterFirst).as("the first upload").isGreaterThanOrEqualTo(mibs * MIB);

    long at = mibs * MIB / 2 + 1234; // the middle, not aligned to a page or chunk
    byte[] edit = new byte[4096];
    new Random(12).nextBytes(edit);
    try (FileChannel ch = FileChannel.open(big, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(edit), at);
      ch.force(true);
    }
    long editCost = grid.received() - afterFirst;
    // the one or two chunks the 4 KiB touch, with the file's and directory's metadata
    assertThat(editCost).as("bytes the servers received for a 4 KiB edit of %d MiB", mibs)
        .isGreaterThanOrEqualTo(edit.length).isLessThan(2 * CHUNK + MIB);

    // the edit and its neighbours, read back from the grid alone (a fresh cache)
    assertThat(mount.unmount()).contains("UNMOUNTED clean");
    mount = MountProcess.start(work.resolve("grid"), work.resolve("cache-fresh"), mp,
        work.resolve("logs/big-2.log"), flags);
    try (FileChannel ch = FileChannel.open(big, StandardOpenOption.READ)) {
      assertThat(ch.size()).isEqualTo(mibs * MIB);
      long first = at / MIB - 1;
      for (long i : new long[] {0, first, first + 1, first + 2, mibs - 1}) {
        ByteBuffer got = ByteBuffer.allocate((int) MIB);
        while (got.hasRemaining() && ch.read(got, i * MIB + got.position()) > 0) {
          // keep reading
        }
        mib(buf, base, i);
        byte[] want = new byte[(int) MIB];
        buf.get(want);
        long from = Math.max(at, i * MIB);
        long to = Math.min(at + edit.length, (i + 1) * MIB);
        for (long p = from; p < to; p++) {
          want[(int) (p - i * MIB)] = edit[(int) (p - at)];
        }
        assertThat(got.array()).as("MiB %d", i).isEqualTo(want);
      }
    }
  }
}
