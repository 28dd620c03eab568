package org.cairnfs.fs.mount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Edges of the mount core that its other tests pass by (the fifth measure's survivors, see
 * docs/testing.md): the relatime rule, statfs when the grid fails, and the checks of the
 * handle and path operations.
 */
class MountCoreEdgesTest {
  static final Instant C = Instant.parse("2026-01-01T00:00:00Z");

  @TempDir
  Path dir;

  /** A fixture whose clock reads {@code now}. */
  CoreFixture clocked(AtomicReference<Instant> now) throws Exception {
    InstantSource clock = now::get;
    return new CoreFixture(MemoryGrid.inMemory(), null, dir, b -> b.clock(clock));
  }

  static Instant readAndAtime(CoreFixture fx, String path) throws Exception {
    long fh = fx.core.open(path, 0);
    try {
      assertThat(fx.core.read(fh, ByteBuffer.allocate(10), 0)).isEqualTo(3);
      return fx.core.fgetattr(fh).atime();
    } finally {
      fx.core.release(fh);
    }
  }

  /**
   * relatime: a read sets the access time when it is not after the modification time, or not
   * after the change time, or a day old; each of the three alone is enough, and a read of a
   * file accessed since its last change, less than a day ago, leaves it.
   */
  @Test
  void aReadUpdatesTheAccessTimeAsRelatimeDoes() throws Exception {
    AtomicReference<Instant> now = new AtomicReference<>(C);
    try (CoreFixture fx = clocked(now)) {
      fx.put("/f", new byte[] {1, 2, 3});
      // atime not after mtime (both ahead of the clock), after ctime (C), not a day old
      fx.core.utimens("/f", TimeSpec.at(C.plusSeconds(36_000)), TimeSpec.at(C.plusSeconds(72_000)));
      assertThat(readAndAtime(fx, "/f")).as("not after the mtime").isEqualTo(C);
      // atime after mtime, not after ctime (C), an hour old
      fx.core.utimens("/f", TimeSpec.at(C.minusSeconds(3600)), TimeSpec.at(C.minusSeconds(7200)));
      assertThat(readAndAtime(fx, "/f")).as("not after the ctime").isEqualTo(C);
      // atime after both: kept for less than a day, set again at exactly a day
      Instant a = C.plusSeconds(1);
      fx.core.utimens("/f", TimeSpec.at(a), TimeSpec.at(C.minusSeconds(7200)));
      now.set(a.plus(Duration.ofHours(24)).minusNanos(1));
      assertThat(readAndAtime(fx, "/f")).as("accessed since the change, within a day")
          .isEqualTo(a);
      now.set(a.plus(Duration.ofHours(24)));
      assertThat(readAndAtime(fx, "/f")).as("a day after").isEqualTo(now.get());
    }
  }

  /**
   * O_TRUNC on an empty file truncates it all the same, whatever the access mode: its times
   * move, as Linux's open does (ext4 here: O_RDONLY | O_TRUNC too; the kernel asks for write
   * permission).
   */
  @Test
  void oTruncOfAnEmptyFileSetsItsTimesForAReaderAndAWriter() throws Exception {
    AtomicReference<Instant> now = new AtomicReference<>(C);
    try (CoreFixture fx = clocked(now)) {
      fx.put("/e", new byte[0]);
      now.set(C.plusSeconds(60));
      fx.core.release(fx.core.open("/e", MountCore.O_TRUNC));
      assertThat(fx.core.getattr("/e").mtime()).as("read-only").isEqualTo(now.get());
      assertThat(fx.core.getattr("/e").ctime()).isEqualTo(now.get());
      now.set(C.plusSeconds(120));
      fx.core.release(fx.core.open("/e", MountCore.O_WRONLY | MountCore.O_TRUNC));
      assertThat(fx.core.getattr("/e").mtime()).as("writable").isEqualTo(now.get());
      assertThat(fx.core.getattr("/e").ctime()).isEqualTo(now.get());
    }
  }

  /** statfs with no answer from the grid yet fails with the grid's errno, not with a crash. */
  @Test
  void statfsFailsWhenTheGridNeverAnswered() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    try (CoreFixture fx = new CoreFixture(grid, null, dir, b -> { })) {
      grid.failReadsWith(GridException.Kind.FULL);
      assertThatThrownBy(() -> fx.core.statfs()).isInstanceOf(FsException.class)
          .satisfies(e -> assertThat(((FsException) e).error()).isEqualTo(FsError.NO_SPACE))
          .hasMessageContaining("asking the grid for space");
      grid.heal();
      assertThat(fx.core.statfs().freeBlocks()).isEqualTo((1L << 40) / FsSpace.BLOCK_SIZE);
    }
  }

  static void fails(FsError error, ThrowingRunnable r) {
    assertThatThrownBy(r::run).isInstanceOf(FsException.class)
        .extracting(e -> ((FsException) e).error()).isEqualTo(error);
  }

  interface ThrowingRunnable {
    void run() throws Exception;
  }

  /**
   * The largest file is exactly {@link MountCore#MAX_FILE_SIZE}: a write, a truncate and an
   * fallocate may reach it and not pass it, and an offset whose end overflows is refused too
   * (even by fallocate with KEEP_SIZE, which changes no byte).
   */
  @Test
  void offsetsAndSizesStopExactlyAtTheLargestFile() throws Exception {
    long max = MountCore.MAX_FILE_SIZE;
    try (CoreFixture fx = new CoreFixture(dir)) {
      MountCore core = fx.core;
      long fh = fx.create("/f");
      assertThat(core.write(fh, ByteBuffer.allocate(0), max)).isZero();
      fails(FsError.TOO_BIG, () -> core.write(fh, ByteBuffer.allocate(1), max));
      fails(FsError.TOO_BIG, () -> core.write(fh, ByteBuffer.allocate(1), Long.MAX_VALUE));
      fails(FsError.INVALID, () -> core.write(fh, ByteBuffer.allocate(1), -1));
      fails(FsError.INVALID, () -> core.read(fh, ByteBuffer.allocate(1), -1));
      core.fallocate(fh, MountCore.FALLOC_KEEP_SIZE, max - 1, 1);
      fails(FsError.TOO_BIG, () -> core.fallocate(fh, MountCore.FALLOC_KEEP_SIZE, max, 1));
      fails(FsError.TOO_BIG,
          () -> core.fallocate(fh, MountCore.FALLOC_KEEP_SIZE, Long.MAX_VALUE, 1));
      assertThat(core.fgetattr(fh).size()).isZero();
      core.ftruncate(fh, max);
      assertThat(core.fgetattr(fh).size()).isEqualTo(max);
      core.ftruncate(fh, 0);
      fails(FsError.TOO_BIG, () -> core.ftruncate(fh, max + 1));
      fails(FsError.INVALID, () -> core.ftruncate(fh, -1));
      core.write(fh, ByteBuffer.wrap(new byte[] {1, 2}), 0);
      core.flush(fh);
      core.release(fh);
      long app = core.open("/f", MountCore.O_WRONLY | MountCore.O_APPEND);
      core.write(app, ByteBuffer.wrap(new byte[] {3}), -5); // O_APPEND: the offset is not used
      core.release(app);
      assertThat(fx.get("/f")).containsExactly(1, 2, 3);
      long ro = core.open("/f", 0);
      fails(FsError.INVALID, () -> core.ftruncate(ro, 0));
      core.release(ro);
      fails(FsError.BAD_HANDLE, () -> core.release(ro));
      fails(FsError.BAD_HANDLE, () -> core.fgetattr(ro));
    }
  }

  /** truncate(2) and open(2) of what is not a regular file say what it is. */
  @Test
  void truncateAndOpenOfADirectoryOrASymlinkAreRefused() throws Exception {
    try (CoreFixture fx = new CoreFixture(dir)) {
      MountCore core = fx.core;
      core.mkdir("/d", 0755, CoreFixture.USER);
      core.symlink("d", "/l", CoreFixture.USER);
      fails(FsError.IS_DIRECTORY, () -> core.truncate("/d", 0));
      fails(FsError.INVALID, () -> core.truncate("/l", 0));
      fails(FsError.IS_DIRECTORY, () -> core.open("/d", 0));
      fails(FsError.IS_DIRECTORY, () -> core.open("/d", MountCore.O_TRUNC));
      // the message tells a read (use opendir) from a write (not a file to write)
      assertThatThrownBy(() -> core.open("/d", 0)).hasMessage("open a directory with opendir: /d");
      assertThatThrownBy(() -> core.open("/d", MountCore.O_WRONLY)).hasMessage("/d is a directory");
      fails(FsError.INVALID, () -> core.open("/l", 0));
      fx.put("/f", new byte[] {1, 2, 3});
      core.truncate("/f", 1);
      assertThat(fx.get("/f")).containsExactly(1);
    }
  }

  /**
   * A reader's close journals nothing, not even another handle's unflushed write; a writer's
   * close journals it; a close of a handle that truncated at its open (O_RDONLY | O_TRUNC)
   * journals the truncation.
   */
  @Test
  void aReadersCloseJournalsNothingAndATruncatingOpenIsJournaledAtItsClose() throws Exception {
    try (CoreFixture fx = new CoreFixture(dir)) {
      MountCore core = fx.core;
      WriteBack wb = core.writeBack();
      fx.put("/f", new byte[] {1, 2, 3});
      long w = core.open("/f", MountCore.O_RDWR);
      core.write(w, ByteBuffer.wrap(new byte[] {9}), 0);
      long r = core.open("/f", 0);
      long seq = wb.lastSeq();
      core.flush(r);
      core.release(r);
      assertThat(wb.lastSeq()).as("a reader's close").isEqualTo(seq);
      core.flush(w);
      assertThat(wb.lastSeq()).as("the writer's close").isGreaterThan(seq);
      core.release(w);
      long t = core.open("/f", MountCore.O_TRUNC);
      seq = wb.lastSeq();
      core.flush(t);
      assertThat(wb.lastSeq()).as("a truncating reader's close").isGreaterThan(seq);
      core.release(t);
      fx.crashAndReopen();
      assertThat(fx.get("/f")).isEmpty();
    }
  }

  /** readdir's ".." is the parent (the root's is the root); a directory not listed has one link. */
  @Test
  void dotDotIsTheParentAndADirectoryNotListedHasOneLink() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    String root;
    try (CoreFixture fx = new CoreFixture(grid, null, dir.resolve("a"), b -> { })) {
      root = fx.rootCap;
      fx.core.mkdir("/d", 0755, CoreFixture.USER);
      fx.core.mkdir("/d/e", 0755, CoreFixture.USER);
      long rootIno = fx.core.getattr("/").ino();
      long dIno = fx.core.getattr("/d").ino();
      assertThat(fx.core.readdir("/")).filteredOn(e -> e.name().equals(".."))
          .singleElement().satisfies(e -> assertThat(e.stat().ino()).isEqualTo(rootIno));
      assertThat(fx.core.readdir("/d/e")).filteredOn(e -> e.name().equals(".."))
          .singleElement().satisfies(e -> assertThat(e.stat().ino()).isEqualTo(dIno));
      fx.core.sync(Duration.ofSeconds(30));
    }
    try (CoreFixture fresh = new CoreFixture(grid, root, dir.resolve("b"), b -> { })) {
      assertThat(fresh.core.getattr("/d").nlink()).as("not listed yet").isEqualTo(1);
      fresh.core.readdir("/d");
      assertThat(fresh.core.getattr("/d").nlink()).as("listed: one subdirectory").isEqualTo(3);
    }
  }

  /**
   * statfs asks the grid at most once in 5 s: a second statfs right after the first is answered
   * from the first (checked only when less than 5 s passed between them, which a loaded
   * machine could exceed; the test then checks nothing rather than fail).
   */
  @Test
  void statfsAsksTheGridAtMostOnceInFiveSeconds() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    try (CoreFixture fx = new CoreFixture(grid, null, dir, b -> { })) {
      long start = System.nanoTime();
      FsSpace first = fx.core.statfs();
      FsSpace second = fx.core.statfs();
      long took = System.nanoTime() - start;
      assertThat(second).isEqualTo(first);
      if (took < java.util.concurrent.TimeUnit.SECONDS.toNanos(5)) {
        assertThat(grid.spaceCalls.get()).as("grid asked").isEqualTo(1);
      }
    }
  }

  /** statfs asks the grid again once its answer is more than 5 s old. */
  @Test
  void statfsAsksTheGridAgainAfterFiveSeconds() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    try (CoreFixture fx = new CoreFixture(grid, null, dir, b -> { })) {
      fx.core.statfs();
      int asked = grid.spaceCalls.get();
      Thread.sleep(5_100);
      fx.core.statfs();
      assertThat(grid.spaceCalls.get()).as("asked again").isEqualTo(asked + 1);
    }
  }

  /**
   * A handle from create(2), even of a file that exists and is unchanged since its last open,
   * never lets the kernel keep its cached pages; the open after it does.
   */
  @Test
  void aCreatedHandleNeverKeepsTheKernelsPages() throws Exception {
    try (CoreFixture fx = new CoreFixture(dir)) {
      MountCore core = fx.core;
      fx.put("/f", new byte[] {1});
      core.release(core.open("/f", 0));
      long c = core.create("/f", 0644, MountCore.O_CREAT | MountCore.O_RDWR, CoreFixture.USER);
      assertThat(core.keepCache(c)).isFalse();
      core.release(c);
      long o = core.open("/f", 0);
      assertThat(core.keepCache(o)).as("unchanged since the create's open").isTrue();
      core.release(o);
    }
  }

  /**
   * A write that finds the cache full and the uploader failing waits the backpressure wait and
   * fails with ENOSPC, saying how full the cache is and why it cannot drain; the bytes written
   * before it stay readable, and the file uploads once the grid answers again.
   */
  @Test
  void aFullCacheThatCannotDrainFailsAWriteWithTheUploadersError() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    try (CoreFixture fx = new CoreFixture(grid, null, dir, b -> b.cacheBytes(1 << 20)
        .backpressureWait(Duration.ofMillis(200)))) {
      grid.failWith(GridException.Kind.UNREACHABLE);
      fx.put("/small", new byte[] {1});
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
      while (fx.core.status().lastError().isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(fx.core.status().lastError()).as("the upload failed").isPresent();
      long fh = fx.create("/big");
      byte[] chunk = CoreFixture.bytes(64 * 1024, 5);
      int written = 0;
      FsException full = null;
      while (full == null && written < 64) {
        try {
          fx.core.write(fh, ByteBuffer.wrap(chunk), (long) written * chunk.length);
          written++;
        } catch (FsException e) {
          full = e;
        }
      }
      assertThat(full).as("ENOSPC within 4 MiB through a 1 MiB cache").isNotNull();
      assertThat(full.error()).isEqualTo(FsError.NO_SPACE);
      assertThat(full).hasMessageContaining("the local cache is full (")
          .hasMessageContaining(" of " + (1 << 20) + " bytes) and the uploader cannot drain it: ");
      assertThat(written).isPositive();
      ByteBuffer back = ByteBuffer.allocate(chunk.length);
      assertThat(fx.core.read(fh, back, 0)).isEqualTo(chunk.length);
      assertThat(back.array()).isEqualTo(chunk);
      grid.heal();
      fx.core.flush(fh);
      fx.core.release(fh);
      fx.core.sync(Duration.ofSeconds(60));
      assertThat(fx.get("/big")).hasSize(written * chunk.length);
    }
  }
  /**
   * A directory entry whose cap this version cannot parse (a kind from a later version) is
   * listed as a directory that cannot be changed; a grid directory renamed here and replayed
   * after a kill, before the rename was published, is a writable directory still.
   */
  @Test
  void aDirectoryOfAnUnknownCapIsReadOnlyAndARenamedOneReplaysWritable() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    try (CoreFixture fx = new CoreFixture(grid, null, dir, b -> b.directoryTtl(Duration.ZERO))) {
      grid.applyChanges(fx.rootCap, java.util.List.of(new EntryChange.Put("future",
          java.util.Optional.of("URI:FUTURE-DIR:abc"), NodeMetadata.of(
              org.cairnfs.caps.dirnode.EntryKind.DIRECTORY, 0, 0755, C, C)))).get();
      assertThat(fx.core.getattr("/future").kind())
          .isEqualTo(org.cairnfs.caps.dirnode.EntryKind.DIRECTORY);
      fails(FsError.READ_ONLY, () -> fx.core.access("/future", 2, CoreFixture.USER));
      fx.core.mkdir("/d", 0755, CoreFixture.USER);
      fx.core.sync(Duration.ofSeconds(30));
      grid.failPublishesWith(GridException.Kind.UNREACHABLE);
      fx.core.rename("/d", "/e", 0);
      fx.crashAndReopen();
      assertThat(fx.core.getattr("/e").kind())
          .isEqualTo(org.cairnfs.caps.dirnode.EntryKind.DIRECTORY);
      fx.core.mkdir("/e/x", 0755, CoreFixture.USER);
      grid.heal();
      fx.core.sync(Duration.ofSeconds(30));
    }
  }
}
