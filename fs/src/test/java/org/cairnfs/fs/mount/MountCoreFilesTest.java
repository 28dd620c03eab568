package org.cairnfs.fs.mount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import org.cairnfs.caps.dirnode.EntryKind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MountCoreFilesTest {
  @TempDir
  Path dir;
  CoreFixture fx;
  MountCore core;

  @BeforeEach
  void open() throws Exception {
    fx = new CoreFixture(dir);
    core = fx.core;
  }

  @AfterEach
  void close() throws Exception {
    fx.close();
  }

  /** O_APPEND through four handles from four threads: no record overwrites another. */
  @Test
  void concurrentAppendsNeverOverwriteEachOther() throws Exception {
    fx.put("/log", new byte[0]);
    int threads = 4;
    int records = 1500;
    int len = 20;
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(threads);
    try {
      java.util.List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
      for (int t = 0; t < threads; t++) {
        byte tag = (byte) ('a' + t);
        long fh = core.open("/log", MountCore.O_WRONLY | MountCore.O_APPEND);
        done.add(pool.submit(() -> {
          byte[] rec = new byte[len];
          for (int i = 0; i < records; i++) {
            Arrays.fill(rec, tag);
            core.write(fh, ByteBuffer.wrap(rec), 0);
          }
          core.flush(fh);
          core.release(fh);
          return null;
        }));
      }
      for (java.util.concurrent.Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    byte[] all = fx.get("/log");
    assertThat(all).hasSize(threads * records * len);
    int[] count = new int[threads];
    for (int r = 0; r < threads * records; r++) {
      byte first = all[r * len];
      for (int i = 1; i < len; i++) {
        assertThat(all[r * len + i]).as("record %d byte %d", r, i).isEqualTo(first);
      }
      count[first - 'a']++;
    }
    assertThat(count).containsOnly(records);
  }

  @Test
  void createWriteReadBack() throws Exception {
    byte[] data = CoreFixture.bytes(300_000, 1);
    fx.put("/a", data);
    assertThat(fx.get("/a")).isEqualTo(data);
    StatInfo st = core.getattr("/a");
    assertThat(st.kind()).isEqualTo(EntryKind.FILE);
    assertThat(st.size()).isEqualTo(300_000);
    assertThat(st.blocks()).isEqualTo((300_000 + 511) / 512);
    assertThat(st.mode()).isEqualTo(0644);
    assertThat(st.uid()).isEqualTo(1000);
    assertThat(st.nlink()).isEqualTo(1);
  }

  @Test
  void sparseWritesReadHolesAsZeros() throws Exception {
    long fh = fx.create("/s");
    core.write(fh, ByteBuffer.wrap(new byte[] {1, 2, 3}), 1_000_000);
    core.write(fh, ByteBuffer.wrap(new byte[] {9}), 10);
    core.flush(fh);
    core.release(fh);
    byte[] got = fx.get("/s");
    assertThat(got).hasSize(1_000_003);
    byte[] want = new byte[1_000_003];
    want[10] = 9;
    want[1_000_000] = 1;
    want[1_000_001] = 2;
    want[1_000_002] = 3;
    assertThat(got).isEqualTo(want);
    core.sync(java.time.Duration.ofSeconds(10));
    fx.closeAndReopen();
    core = fx.core;
    assertThat(fx.get("/s")).isEqualTo(want);
  }

  /**
   * fallocate: mode 0 grows with zeros and never shrinks or changes bytes; KEEP_SIZE changes
   * nothing; other modes, bad ranges and read-only handles are refused with their own errors.
   */
  @Test
  void fallocateGrowsWithZerosAndRefusesWhatItCannotDo() throws Exception {
    byte[] data = CoreFixture.bytes(10_000, 3);
    fx.put("/a", data);
    long fh = core.open("/a", MountCore.O_RDWR);
    java.time.Instant before = core.getattr("/a").mtime();
    Thread.sleep(5);
    core.fallocate(fh, 0, 2_000, 1_000); // inside: no byte changes, the times do
    assertThat(core.getattr("/a").mtime()).isAfter(before);
    core.fallocate(fh, MountCore.FALLOC_KEEP_SIZE, 0, 1 << 20);
    assertThat(core.getattr("/a").size()).isEqualTo(10_000);
    core.fallocate(fh, 0, 9_000, 11_000);
    assertThat(core.getattr("/a").size()).isEqualTo(20_000);
    for (int mode : new int[] {0x02 | MountCore.FALLOC_KEEP_SIZE, 0x10, 0x08, 0x20}) {
      assertThatThrownBy(() -> core.fallocate(fh, mode, 0, 10)).isInstanceOf(FsException.class)
          .extracting(e -> ((FsException) e).error()).isEqualTo(FsError.NOT_SUPPORTED);
    }
    assertThatThrownBy(() -> core.fallocate(fh, 0, 0, 0))
        .extracting(e -> ((FsException) e).error()).isEqualTo(FsError.INVALID);
    assertThatThrownBy(() -> core.fallocate(fh, 0, -1, 10))
        .extracting(e -> ((FsException) e).error()).isEqualTo(FsError.INVALID);
    assertThatThrownBy(() -> core.fallocate(fh, 0, MountCore.MAX_FILE_SIZE, 1))
        .extracting(e -> ((FsException) e).error()).isEqualTo(FsError.TOO_BIG);
    core.flush(fh);
    core.release(fh);
    long ro = core.open("/a", 0);
    assertThatThrownBy(() -> core.fallocate(ro, 0, 0, 30_000))
        .extracting(e -> ((FsException) e).error()).isEqualTo(FsError.BAD_HANDLE);
    core.release(ro);
    byte[] want = Arrays.copyOf(data, 20_000);
    assertThat(fx.get("/a")).isEqualTo(want);
    core.sync(java.time.Duration.ofSeconds(10));
    fx.closeAndReopen();
    core = fx.core;
    assertThat(fx.get("/a")).isEqualTo(want);
  }

  @Test
  void truncateShrinkThenGrowReadsZerosNotOldBytes() throws Exception {
    byte[] data = CoreFixture.bytes(200_000, 2);
    fx.put("/t", data);
    core.sync(java.time.Duration.ofSeconds(10)); // the old bytes are in the base on the grid
    core.truncate("/t", 70_000);
    long fh = core.open("/t", MountCore.O_RDWR);
    core.ftruncate(fh, 150_000);
    core.write(fh, ByteBuffer.wrap(new byte[] {7}), 149_999);
    core.flush(fh);
    core.release(fh);
    byte[] want = new byte[150_000];
    System.arraycopy(data, 0, want, 0, 70_000);
    want[149_999] = 7;
    assertThat(fx.get("/t")).isEqualTo(want);
    core.sync(java.time.Duration.ofSeconds(10));
    fx.closeAndReopen();
    core = fx.core;
    assertThat(fx.get("/t")).isEqualTo(want);
  }

  /**
   * Bytes written after a handle's last flush and before its release (a shared mapping written
   * back after close(2)) are journaled at the release: a crash and a remount keep them.
   */
  @Test
  void writesBetweenTheLastFlushAndTheReleaseAreJournaledAtTheRelease() throws Exception {
    long fh = fx.create("/m");
    core.write(fh, java.nio.ByteBuffer.wrap(new byte[] {1, 1}), 0);
    core.flush(fh);
    core.write(fh, java.nio.ByteBuffer.wrap(new byte[] {9, 9, 9}), 0);
    core.release(fh);
    fx.crashAndReopen();
    core = fx.core;
    assertThat(fx.get("/m")).containsExactly(9, 9, 9);
    core.sync(java.time.Duration.ofSeconds(10));
    fx.closeAndReopen();
    core = fx.core;
    assertThat(fx.get("/m")).containsExactly(9, 9, 9);
  }

  @Test
  void anOTruncOpenByANonRootCallerDropsSetuidAndAnExecutableSetgid() throws Exception {
    fx.put("/f", new byte[] {1, 2, 3});
    fx.put("/g", new byte[] {1});
    fx.put("/h", new byte[] {1});
    core.chmod("/f", 06777);
    core.chmod("/g", 06767); // setgid without group execute, the caller of the file's group: kept
    core.chown("/g", -1, CoreFixture.USER.gid(), new Caller(0, 0));
    core.chmod("/h", 06777);
    fx.put("/k", new byte[] {1});
    core.chmod("/k", 02767); // the caller not of the file's group: dropped too
    core.chown("/k", -1, CoreFixture.USER.gid() + 1, new Caller(0, 0));
    core.release(core.open("/k", MountCore.O_RDWR | MountCore.O_TRUNC, CoreFixture.USER));
    assertThat(core.getattr("/k").mode()).isEqualTo(0767);
    core.release(core.open("/f", MountCore.O_WRONLY | MountCore.O_TRUNC, CoreFixture.USER));
    assertThat(core.getattr("/f").mode()).isEqualTo(0777);
    assertThat(core.getattr("/f").size()).isZero();
    core.release(core.create("/g", 0644, MountCore.O_CREAT | MountCore.O_WRONLY
        | MountCore.O_TRUNC, CoreFixture.USER));
    assertThat(core.getattr("/g").mode()).isEqualTo(02767);
    // root keeps them (CAP_FSETID), and a non-truncating open changes nothing
    core.release(core.open("/h", MountCore.O_WRONLY | MountCore.O_TRUNC));
    core.release(core.open("/h", MountCore.O_WRONLY, CoreFixture.USER));
    assertThat(core.getattr("/h").mode()).isEqualTo(06777);
  }

  /**
   * A create that finds the file already there (another create won the race after the kernel's
   * lookup) checks the file's own permission, which the kernel did not: it checked the parent.
   */
  @Test
  void aCreateFindingAFileItMayNotWriteIsRefusedAndTruncatesNothing() throws Exception {
    fx.put("/f", new byte[] {1, 2, 3});
    core.chown("/f", 0, CoreFixture.USER.gid() + 1, new Caller(0, 0));
    core.chmod("/f", 0644);
    for (int flags : new int[] {MountCore.O_WRONLY, MountCore.O_RDWR,
        MountCore.O_WRONLY | MountCore.O_TRUNC, MountCore.O_TRUNC}) {
      assertThatThrownBy(() -> core.create("/f", 0666, MountCore.O_CREAT | flags,
          CoreFixture.USER))
          .extracting(e -> ((FsException) e).error()).isEqualTo(FsError.ACCESS_DENIED);
    }
    assertThat(core.getattr("/f").size()).isEqualTo(3);
    core.release(core.create("/f", 0666, MountCore.O_CREAT,
        CoreFixture.USER)); // read is allowed to others
    core.chmod("/f", 0640);
    assertThatThrownBy(() -> core.create("/f", 0666, MountCore.O_CREAT,
        CoreFixture.USER))
        .extracting(e -> ((FsException) e).error()).isEqualTo(FsError.ACCESS_DENIED);
    core.release(core.create("/f", 0666, MountCore.O_CREAT | MountCore.O_RDWR
        | MountCore.O_TRUNC, new Caller(0, 0))); // root may
    assertThat(core.getattr("/f").size()).isZero();
  }

  @Test
  void openFlags() throws Exception {
    fx.put("/f", new byte[] {1, 2, 3, 4});
    assertThatThrownBy(() -> core.create("/f", 0644, MountCore.O_CREAT | MountCore.O_EXCL
        | MountCore.O_WRONLY, CoreFixture.USER))
        .extracting(e -> ((FsException) e).error()).isEqualTo(FsError.EXISTS);
    long fh = core.open("/f", MountCore.O_WRONLY | MountCore.O_APPEND);
    core.write(fh, ByteBuffer.wrap(new byte[] {5}), 0); // O_APPEND ignores the offset
    core.release(fh);
    assertThat(fx.get("/f")).containsExactly(1, 2, 3, 4, 5);
    long wo = core.open("/f", MountCore.O_WRONLY | MountCore.O_TRUNC);
    assertThat(core.fgetattr(wo).size()).isZero();
    assertThatThrownBy(() -> core.read(wo, ByteBuffer.allocate(1), 0))
        .extracting(e -> ((FsException) e).error()).isEqualTo(FsError.BAD_HANDLE);
    core.release(wo);
    long ro = core.open("/f", 0);
    assertThatThrownBy(() -> core.write(ro, ByteBuffer.wrap(new byte[1]), 0))
        .extracting(e -> ((FsException) e).error()).isEqualTo(FsError.BAD_HANDLE);
    core.release(ro);
    assertThatThrownBy(() -> core.open("/missing", 0))
        .extracting(e -> ((FsException) e).error()).isEqualTo(FsError.NOT_FOUND);
    core.mkdir("/d", 0755, CoreFixture.USER);
    assertThatThrownBy(() -> core.open("/d", MountCore.O_WRONLY))
        .extracting(e -> ((FsException) e).error()).isEqualTo(FsError.IS_DIRECTORY);
    assertThatThrownBy(() -> core.open("/f/x", 0))
        .extracting(e -> ((FsException) e).error()).isEqualTo(FsError.NOT_DIRECTORY);
  }

  @Test
  void unlinkedOpenFileStaysUsableUntilLastClose() throws Exception {
    fx.put("/u", new byte[] {1, 2, 3});
    long fh = core.open("/u", MountCore.O_RDWR);
    core.unlink("/u");
    assertThatThrownBy(() -> core.getattr("/u"))
        .extracting(e -> ((FsException) e).error()).isEqualTo(FsError.NOT_FOUND);
    core.write(fh, ByteBuffer.wrap(new byte[] {9, 9}), 3);
    ByteBuffer b = ByteBuffer.allocate(10);
    assertThat(core.read(fh, b, 0)).isEqualTo(5);
    assertThat(Arrays.copyOf(b.array(), 5)).containsExactly(1, 2, 3, 9, 9);
    assertThat(core.fgetattr(fh).nlink()).isZero();
    core.flush(fh);
    core.release(fh);
    core.sync(java.time.Duration.ofSeconds(10));
    assertThat(fx.grid.entries(fx.rootCap)).doesNotContainKey("u");
    assertThat(core.readdir("/")).extracting(DirEntryInfo::name).containsExactly(".", "..");
  }

  @Test
  void writesAndTruncatesUpdateTimes() throws Exception {
    fx.put("/m", new byte[] {1});
    StatInfo before = core.getattr("/m");
    Thread.sleep(5);
    long fh = core.open("/m", MountCore.O_WRONLY);
    core.write(fh, ByteBuffer.wrap(new byte[] {2}), 0);
    StatInfo after = core.fgetattr(fh);
    assertThat(after.mtime()).isAfter(before.mtime());
    assertThat(after.ctime()).isAfter(before.ctime());
    Thread.sleep(5);
    core.ftruncate(fh, 0);
    assertThat(core.fgetattr(fh).mtime()).isAfter(after.mtime());
    core.release(fh);
  }

  @Test
  void manyHandlesWriteDisjointRangesConcurrently() throws Exception {
    long fh = fx.create("/c");
    int threads = 8;
    int chunk = 100_000;
    Thread[] ts = new Thread[threads];
    for (int t = 0; t < threads; t++) {
      int id = t;
      ts[t] = new Thread(() -> {
        try {
          long h = core.open("/c", MountCore.O_WRONLY);
          byte[] b = new byte[chunk];
          Arrays.fill(b, (byte) (id + 1));
          for (int off = 0; off < chunk; off += 4096) {
            core.write(h, ByteBuffer.wrap(b, off, Math.min(4096, chunk - off)),
                (long) id * chunk + off);
          }
          core.flush(h);
          core.release(h);
        } catch (FsException e) {
          throw new AssertionError(e);
        }
      });
      ts[t].start();
    }
    for (Thread t : ts) {
      t.join();
    }
    core.release(fh);
    byte[] got = fx.get("/c");
    assertThat(got).hasSize(threads * chunk);
    for (int i = 0; i < got.length; i++) {
      if (got[i] != (byte) (i / chunk + 1)) {
        throw new AssertionError("byte " + i + " is " + got[i]);
      }
    }
  }

  @Test
  void editInTheMiddleUploadsOnlyDirtyPages() throws Exception {
    byte[] data = CoreFixture.bytes(4 << 20, 3);
    fx.put("/big", data);
    core.sync(java.time.Duration.ofSeconds(10));
    long before = fx.grid.bytesReceived();
    assertThat(before).isEqualTo(4 << 20);
    long fh = core.open("/big", MountCore.O_RDWR);
    core.write(fh, ByteBuffer.wrap(new byte[4096]), 2_000_000);
    core.flush(fh);
    core.release(fh);
    core.sync(java.time.Duration.ofSeconds(10));
    assertThat(fx.grid.bytesReceived() - before).isLessThanOrEqualTo(2 * Layer.PAGE);
    System.arraycopy(new byte[4096], 0, data, 2_000_000, 4096);
    fx.closeAndReopen();
    core = fx.core;
    assertThat(fx.get("/big")).isEqualTo(data);
  }

  @Test
  void alignedPageWritesIntoAGridFileReadNothingFromTheGrid() throws Exception {
    byte[] data = CoreFixture.bytes(1 << 20, 5);
    fx.put("/f", data);
    core.sync(java.time.Duration.ofSeconds(10));
    fx.closeAndReopen(); // nothing of /f in the spool: every byte is the grid's
    core = fx.core;
    int readsBefore = fx.grid.reads.get();
    long fh = core.open("/f", MountCore.O_RDWR);
    byte[] page = CoreFixture.bytes(4096, 6);
    for (long at : new long[] {0, 4096 * 7, 4096 * 100, (1 << 20) - 4096}) {
      core.write(fh, ByteBuffer.wrap(page), at);
      System.arraycopy(page, 0, data, (int) at, 4096);
    }
    assertThat(fx.grid.reads.get()).as("grid reads by the writes").isEqualTo(readsBefore);
    ByteBuffer got = ByteBuffer.allocate(3 * 4096);
    core.read(fh, got, 4096 * 6); // around a written page: the base's bytes beside it
    assertThat(java.util.Arrays.copyOf(got.array(), got.position()))
        .isEqualTo(java.util.Arrays.copyOfRange(data, 4096 * 6, 4096 * 9));
    core.flush(fh);
    core.release(fh);
    core.sync(java.time.Duration.ofSeconds(10));
    fx.closeAndReopen();
    core = fx.core;
    assertThat(fx.get("/f")).isEqualTo(data);
  }

  @Test
  void smallFilesUploadEightToASlotAndLargeOnesOneToASlot() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    // only sync starts a round: every file below is in the same one
    try (CoreFixture f = new CoreFixture(grid, null, dir.resolve("slots"),
        b -> b.coalesceDelay(java.time.Duration.ofHours(1)))) {
      f.core.sync(java.time.Duration.ofSeconds(30));
      grid.delay(java.time.Duration.ofMillis(150));
      for (int i = 0; i < 40; i++) {
        f.put("/s" + i, CoreFixture.bytes(4096, i));
      }
      f.core.sync(java.time.Duration.ofSeconds(30));
      // upload parallelism 4 (the default): up to 32 small files at once
      assertThat(grid.mostWritesInFlight.get()).isGreaterThan(4)
          .isLessThanOrEqualTo(4 * Uploader.SMALL_PER_SLOT);
      grid.mostWritesInFlight.set(0);
      for (int i = 0; i < 6; i++) {
        f.put("/b" + i, CoreFixture.bytes((int) Uploader.SMALL_FILE + 1, i));
      }
      f.core.sync(java.time.Duration.ofSeconds(30));
      assertThat(grid.mostWritesInFlight.get()).isBetween(1, 4);
      grid.delay(java.time.Duration.ZERO);
      for (int i = 0; i < 40; i++) {
        assertThat(f.get("/s" + i)).isEqualTo(CoreFixture.bytes(4096, i));
      }
    }
  }

  @Test
  void libfuseHiddenRenameOfAnOpenFileIsAnUnlinkThatKeepsThePath() throws Exception {
    fx.put("/h", new byte[] {1, 2});
    long fh = core.open("/h", MountCore.O_RDWR);
    core.rename("/h", "/.fuse_hidden0000000100000001", 0); // what libfuse does on unlink
    assertThat(core.readdir("/")).extracting(DirEntryInfo::name).containsExactly(".", "..");
    StatInfo st = core.getattr("/.fuse_hidden0000000100000001");
    assertThat(st.nlink()).isZero();
    core.chmod("/.fuse_hidden0000000100000001", 0600);
    core.setxattr("/.fuse_hidden0000000100000001", "user.k", new byte[] {7}, 0); // as ext4
    assertThat(core.getxattr("/.fuse_hidden0000000100000001", "user.k")).containsExactly(7);
    core.truncate("/.fuse_hidden0000000100000001", 1);
    assertThat(core.fgetattr(fh).size()).isEqualTo(1);
    core.flush(fh);
    core.release(fh);
    core.unlink("/.fuse_hidden0000000100000001"); // libfuse removes it after the last release
    assertThatThrownBy(() -> core.getattr("/.fuse_hidden0000000100000001"))
        .extracting(e -> ((FsException) e).error()).isEqualTo(FsError.NOT_FOUND);
    core.sync(java.time.Duration.ofSeconds(10));
    assertThat(fx.grid.entries(fx.rootCap)).isEmpty();
  }
}
