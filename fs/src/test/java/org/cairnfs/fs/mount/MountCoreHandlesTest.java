package org.cairnfs.fs.mount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The handle and lifecycle paths of the mount core that its other tests pass by (the sixth
 * measure's survivors, docs/testing.md): what a release journals and forgets, which closes
 * wake the uploader, the forces of flush and fsync, a write committed in parts while open,
 * and the unmount's drain.
 */
class MountCoreHandlesTest {
  static final Duration HOUR = Duration.ofHours(1);

  @TempDir
  Path dir;

  /**
   * Waits (up to 60 s, for a loaded machine) until the grid's entry {@code name} in the root
   * holds {@code want}, without a sync: only the uploader's own wake-ups can bring it there.
   */
  static void awaitOnGrid(CoreFixture fx, String name, byte[] want) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    byte[] got = null;
    while (System.nanoTime() < deadline) {
      RemoteEntry e = fx.grid.entries(fx.rootCap).get(name);
      if (e != null && e.metadata().size() == want.length) {
        got = want.length == 0 ? new byte[0] : fx.grid.content(e.cap().orElseThrow());
        if (Arrays.equals(got, want)) {
          return;
        }
      }
      Thread.sleep(10);
    }
    assertThat(got).as("the grid's " + name + " without a sync").isEqualTo(want);
  }

  /** A fixture over a fresh in-memory grid, uploading 20 ms after the last kick. */
  CoreFixture fixture(String sub) throws Exception {
    return new CoreFixture(MemoryGrid.inMemory(), null, dir.resolve(sub), b -> { });
  }

  /**
   * Bytes written after a handle's last flush (a shared mapping written back after close(2))
   * are journaled at its release and the uploader is woken for them: they reach the grid with
   * no other close and no sync.
   */
  @Test
  void aWriteAfterTheLastFlushIsJournaledAtReleaseAndUploaded() throws Exception {
    try (CoreFixture fx = fixture("a")) {
      fx.put("/f", new byte[] {1});
      fx.core.sync(Duration.ofSeconds(30));
      long fh = fx.core.open("/f", MountCore.O_RDWR);
      fx.core.write(fh, ByteBuffer.wrap(new byte[] {2}), 0);
      fx.core.flush(fh);
      fx.core.write(fh, ByteBuffer.wrap(new byte[] {3}), 1);
      fx.core.release(fh);
      awaitOnGrid(fx, "f", new byte[] {2, 3});
    }
  }

  /**
   * A read-only open with O_TRUNC truncates at the open; released with no flush, the truncation
   * is journaled by the release and uploaded with no other close.
   */
  @Test
  void aTruncatingReadOnlyOpenReleasedWithoutFlushIsJournaledAndUploaded() throws Exception {
    try (CoreFixture fx = fixture("a")) {
      fx.put("/f", new byte[] {1, 2, 3});
      fx.core.sync(Duration.ofSeconds(30));
      long fh = fx.core.open("/f", MountCore.O_TRUNC);
      fx.core.release(fh);
      awaitOnGrid(fx, "f", new byte[0]);
    }
  }

  /** A flush wakes the uploader: the close's bytes reach the grid with the handle still open. */
  @Test
  void aFlushWakesTheUploader() throws Exception {
    try (CoreFixture fx = fixture("a")) {
      fx.put("/f", new byte[] {1});
      fx.core.sync(Duration.ofSeconds(30));
      long fh = fx.core.open("/f", MountCore.O_RDWR);
      fx.core.write(fh, ByteBuffer.wrap(new byte[] {5, 6}), 0);
      fx.core.flush(fh);
      awaitOnGrid(fx, "f", new byte[] {5, 6});
      fx.core.release(fh);
    }
  }

  /**
   * truncate(2) by path lists what it needs first (on a mount that has listed nothing yet), and
   * wakes the uploader: the truncation reaches the grid with no close and no sync.
   */
  @Test
  void aTruncateByPathListsItsDirectoryAndWakesTheUploader() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    String root;
    try (CoreFixture fx = new CoreFixture(grid, null, dir.resolve("a"), b -> { })) {
      root = fx.rootCap;
      fx.core.mkdir("/d", 0755, CoreFixture.USER);
      fx.put("/f", new byte[] {1, 2, 3});
      fx.put("/d/g", new byte[] {4, 5, 6});
      fx.core.sync(Duration.ofSeconds(30));
    }
    try (CoreFixture fresh = new CoreFixture(grid, root, dir.resolve("b"), b -> { })) {
      fresh.awaitFirstRound(); // only kicks wake the uploader now
      fresh.core.truncate("/d/g", 1); // neither the root nor /d listed yet
      assertThat(fresh.get("/d/g")).containsExactly(4);
      fresh.core.truncate("/f", 2);
      awaitOnGrid(fresh, "f", new byte[] {1, 2});
    }
  }

  /**
   * A file written for long in one open is committed in parts: past a quarter of the cache
   * bound of open bytes (not at exactly a quarter), a write journals what the file holds so far
   * and wakes the uploader at once, which puts that part on the grid while the file stays open.
   */
  @Test
  void aWritePastAQuarterOfTheCacheCommitsAPartWhileTheFileStaysOpen() throws Exception {
    int bound = 1 << 20;
    try (CoreFixture fx = new CoreFixture(MemoryGrid.inMemory(), null, dir,
        b -> b.cacheBytes(bound).coalesceDelay(HOUR).coalesceLimit(HOUR))) {
      WriteBack wb = fx.core.writeBack();
      assertThat(wb.budget.bound()).isEqualTo(bound);
      long fh = fx.create("/f");
      long seq = wb.lastSeq();
      byte[] quarter = CoreFixture.bytes(bound / 4, 3);
      fx.core.write(fh, ByteBuffer.wrap(quarter), 0);
      assertThat(fx.fileData("/f").openBytes()).isEqualTo(bound / 4);
      assertThat(wb.lastSeq()).as("exactly a quarter open: nothing journaled").isEqualTo(seq);
      fx.core.write(fh, ByteBuffer.wrap(new byte[] {7}), bound / 4);
      assertThat(wb.lastSeq()).as("past a quarter: a part journaled").isGreaterThan(seq);
      assertThat(fx.fileData("/f").openBytes()).isZero();
      byte[] all = Arrays.copyOf(quarter, bound / 4 + 1);
      all[bound / 4] = 7;
      awaitOnGrid(fx, "f", all); // coalescing for an hour: only an urgent kick uploads it
      fx.core.release(fh);
    }
  }

  /**
   * The caps the mount may still use, for the demo's collector: its tree's directories and
   * files, and an open file's cap after it is removed (still readable), until its last release.
   */
  @Test
  void capsInUseNameTheTreeAndWhatOpenFilesReadUntilTheirLastRelease() throws Exception {
    try (CoreFixture fx = fixture("a")) {
      byte[] data = CoreFixture.bytes(100_000, 2);
      fx.core.mkdir("/d", 0755, CoreFixture.USER);
      fx.put("/d/u", data);
      fx.core.sync(Duration.ofSeconds(30));
      String cap = new String(fx.core.getxattr("/d/u", MountCore.READCAP),
          java.nio.charset.StandardCharsets.UTF_8);
      assertThat(fx.core.capsInUse()).contains(fx.rootCap, cap).hasSize(3);
      long first = fx.core.open("/d/u", 0);
      long second = fx.core.open("/d/u", 0);
      fx.core.unlink("/d/u");
      fx.core.sync(Duration.ofSeconds(30));
      assertThat(fx.grid.entries(fx.rootCap)).containsKey("d");
      assertThat(fx.core.capsInUse()).as("removed, open").contains(cap).hasSize(3);
      fx.core.release(first);
      assertThat(fx.core.capsInUse()).contains(cap);
      ByteBuffer back = ByteBuffer.allocate(data.length);
      assertThat(fx.core.read(second, back, 0)).isEqualTo(data.length);
      assertThat(back.array()).isEqualTo(data);
      fx.core.release(second);
      assertThat(fx.core.capsInUse()).doesNotContain(cap).hasSize(2);
    }
  }

  /**
   * An unlinked file's data goes at its last release: its spool pages are given back to the
   * cache budget (nothing else holds any here).
   */
  @Test
  void anUnlinkedFileIsForgottenAtItsLastRelease() throws Exception {
    try (CoreFixture fx = fixture("a")) {
      WriteBack wb = fx.core.writeBack();
      long fh = fx.create("/u");
      fx.core.write(fh, ByteBuffer.wrap(CoreFixture.bytes(100_000, 1)), 0);
      long other = fx.core.open("/u", 0);
      fx.core.unlink("/u");
      fx.core.release(other);
      assertThat(wb.budget.used()).as("still open once").isPositive();
      fx.core.release(fh);
      assertThat(wb.budget.used()).as("after the last release").isZero();
    }
  }

  /**
   * fsync of an unlinked open file waits, as any fsync, for everything journaled before it to
   * reach the grid: with the grid unreachable it fails instead of returning at once.
   */
  @Test
  void fsyncOfAnUnlinkedFileWaitsForWhatWasJournaledBeforeIt() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    try (CoreFixture fx = new CoreFixture(grid, null, dir, b -> { })) {
      long fh = fx.create("/u");
      fx.core.write(fh, ByteBuffer.wrap(new byte[] {1}), 0);
      fx.core.unlink("/u");
      grid.failWith(GridException.Kind.UNREACHABLE);
      fx.core.mkdir("/d", 0755, CoreFixture.USER);
      assertThatThrownBy(() -> fx.core.fsync(fh, false)).isInstanceOf(FsException.class)
          .hasMessageContaining("uploading to the grid");
      fx.core.release(fh);
      grid.heal();
      fx.core.sync(Duration.ofSeconds(30));
      assertThat(grid.entries(fx.rootCap)).containsOnlyKeys("d");
    }
  }

  /**
   * At a journal force interval of zero a writer's close forces the journal up to its end even
   * when the handle changed nothing: the mkdir journaled before it reaches the disk.
   */
  @Test
  void aCloseAtForceIntervalZeroForcesWhatCameBeforeItEvenWithNothingOfItsOwn() throws Exception {
    try (CoreFixture fx = new CoreFixture(MemoryGrid.inMemory(), null, dir,
        b -> b.journalForceInterval(Duration.ZERO).coalesceDelay(HOUR).coalesceLimit(HOUR))) {
      WriteBack wb = fx.core.writeBack();
      fx.put("/f", new byte[] {1});
      long fh = fx.core.open("/f", MountCore.O_RDWR);
      fx.core.mkdir("/d", 0755, CoreFixture.USER);
      assertThat(wb.journalSyncedBytes()).as("the mkdir not forced").isLessThan(wb.journalBytes());
      fx.core.flush(fh);
      assertThat(wb.journalSyncedBytes()).isEqualTo(wb.journalBytes());
      fx.core.release(fh);
    }
  }

  /**
   * fsync forces the journal up to its end before it waits for the grid (the journal force
   * interval is an hour here, and the uploader runs only for a waiter, so nothing else forces
   * the mkdir).
   */
  @Test
  void fsyncForcesTheJournal() throws Exception {
    try (CoreFixture fx = new CoreFixture(MemoryGrid.inMemory(), null, dir,
        b -> b.journalForceInterval(HOUR).coalesceDelay(HOUR).coalesceLimit(HOUR))) {
      WriteBack wb = fx.core.writeBack();
      fx.put("/f", new byte[] {1});
      fx.core.sync(Duration.ofSeconds(30));
      long fh = fx.core.open("/f", 0);
      fx.core.mkdir("/d", 0755, CoreFixture.USER);
      long journaled = wb.journalBytes();
      assertThat(wb.journalSyncedBytes()).as("the mkdir not forced").isLessThan(journaled);
      fx.core.fsync(fh, false);
      assertThat(wb.journalSyncedBytes()).isGreaterThanOrEqualTo(journaled);
      fx.core.release(fh);
    }
  }

  /**
   * The unmount drains: it reports the pending state first, then stops at the first clean
   * status (reported once, last) and returns it; the grid holds the file.
   */
  @Test
  void anUnmountDrainsReportingProgressAndReturnsTheCleanStatus() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    CoreFixture fx = new CoreFixture(grid, null, dir, b -> b.coalesceDelay(HOUR)
        .coalesceLimit(HOUR));
    fx.put("/f", new byte[] {1, 2});
    List<MountStatus> reports = new ArrayList<>();
    MountStatus end = fx.core.close(Duration.ofSeconds(60), reports::add);
    assertThat(end).isNotNull();
    assertThat(end.clean()).isTrue();
    assertThat(reports).isNotEmpty();
    assertThat(reports.get(0).clean()).as("first report: the put pending").isFalse();
    assertThat(reports).filteredOn(MountStatus::clean).as("clean once, last").hasSize(1)
        .containsExactly(reports.get(reports.size() - 1));
    assertThat(grid.entries(fx.rootCap)).containsKey("f");
  }

  /** On a read-only root, the root itself cannot change (its parentless case). */
  @Test
  void theRootOfAReadOnlyMountCannotChange() throws Exception {
    try (CoreFixture fx = fixture("w")) {
      fx.put("/f", new byte[] {1});
      fx.core.sync(Duration.ofSeconds(30));
      String readCap = org.cairnfs.caps.Cap.parse(fx.rootCap).readOnly().toString();
      try (CoreFixture ro = new CoreFixture(fx.grid, readCap, dir.resolve("ro"), b -> { })) {
        MountCoreEdgesTest.fails(FsError.READ_ONLY, () -> ro.core.chmod("/", 0700));
        MountCoreEdgesTest.fails(FsError.READ_ONLY,
            () -> ro.core.access("/", 2, CoreFixture.USER));
      }
    }
  }

  /**
   * An open that fails after the file was counted open (here its O_TRUNC cannot make a spool
   * file) takes its count back: the file is not left open forever.
   */
  @Test
  void aFailedOpenIsNotLeftCountedOpen() throws Exception {
    try (CoreFixture fx = fixture("a")) {
      fx.put("/f", new byte[] {1, 2, 3});
      fx.core.sync(Duration.ofSeconds(30));
      java.util.List<String> names = Tree.names("/f");
      FileNode f;
      fx.core.tree.lock.readLock().lock();
      try {
        f = (FileNode) fx.core.tree.resolve(names);
      } finally {
        fx.core.tree.lock.readLock().unlock();
      }
      Path spool = fx.cacheDir.resolve("spool");
      Path away = fx.cacheDir.resolve("spool.away");
      java.nio.file.Files.move(spool, away);
      java.nio.file.Files.writeString(spool, "not a directory");
      try {
        MountCoreEdgesTest.fails(FsError.IO,
            () -> fx.core.open("/f", MountCore.O_WRONLY | MountCore.O_TRUNC));
      } finally {
        java.nio.file.Files.delete(spool);
        java.nio.file.Files.move(away, spool);
      }
      synchronized (f) {
        assertThat(f.openCount).isZero();
      }
      assertThat(fx.get("/f")).containsExactly(1, 2, 3);
    }
  }

  /**
   * Several files open at once, each below the part size, fill the cache between them: a write
   * that finds the cache full commits its own file and wakes the uploader at once, so the cache
   * drains and every write goes through (nothing else would commit or upload them: no close,
   * and the coalescing delay is an hour).
   */
  @Test
  void filesOpenTogetherFillingTheCacheAreCommittedByTheWriteThatFindsItFull() throws Exception {
    int bound = 1 << 20;
    try (CoreFixture fx = new CoreFixture(MemoryGrid.inMemory(), null, dir,
        b -> b.cacheBytes(bound).coalesceDelay(HOUR).backpressureWait(Duration.ofSeconds(30)))) {
      int files = 6;
      int chunk = 40 * 1024;
      int perFile = 200 * 1024; // 6 x 200 KiB: past the bound, each below a quarter of it
      long[] fh = new long[files];
      for (int i = 0; i < files; i++) {
        fh[i] = fx.create("/f" + i);
      }
      for (int off = 0; off < perFile; off += chunk) {
        for (int i = 0; i < files; i++) {
          fx.core.write(fh[i], ByteBuffer.wrap(CoreFixture.bytes(chunk, i * 1000 + off)), off);
        }
      }
      assertThat(fx.core.status().uploads()).as("uploaded while open").isPositive();
      for (int i = 0; i < files; i++) {
        fx.core.flush(fh[i]);
        fx.core.release(fh[i]);
      }
      fx.core.sync(Duration.ofSeconds(60));
      for (int i = 0; i < files; i++) {
        byte[] want = new byte[perFile];
        for (int off = 0; off < perFile; off += chunk) {
          System.arraycopy(CoreFixture.bytes(chunk, i * 1000 + off), 0, want, off, chunk);
        }
        assertThat(fx.get("/f" + i)).isEqualTo(want);
      }
    }
  }

  /**
   * A write waits for room for its bytes and the two partial pages it may copy in: with the
   * uploader failing, each write goes through only while that much is left below the bound,
   * and the first that does not fit fails with ENOSPC.
   */
  @Test
  void aWriteNeedsRoomForItsBytesAndTwoPages() throws Exception {
    int bound = 1 << 20;
    MemoryGrid grid = MemoryGrid.inMemory();
    try (CoreFixture fx = new CoreFixture(grid, null, dir, b -> b.cacheBytes(bound)
        .backpressureWait(Duration.ofMillis(200)))) {
      WriteBack wb = fx.core.writeBack();
      grid.failWith(GridException.Kind.UNREACHABLE);
      long fh = fx.create("/big");
      int chunk = 64 * 1024;
      long need = chunk + 2L * Layer.PAGE;
      for (int k = 0; ; k++) {
        long used = wb.budget.used();
        try {
          fx.core.write(fh, ByteBuffer.wrap(CoreFixture.bytes(chunk, k)), (long) k * chunk);
        } catch (FsException e) {
          assertThat(e.error()).isEqualTo(FsError.NO_SPACE);
          assertThat(used + need).as("refused: no room").isGreaterThan(bound);
          assertThat(k).isPositive();
          break;
        }
        assertThat(used + need).as("write " + k + " went through: room").isLessThanOrEqualTo(bound);
      }
      grid.heal();
      fx.core.release(fh);
    }
  }

  /**
   * A writer interrupted while it waits for cache space fails with EIO and keeps its interrupt
   * (the caller's thread learns of it); the file stays usable.
   */
  @Test
  void aWriterInterruptedWaitingForRoomFailsAndKeepsItsInterrupt() throws Exception {
    int bound = 1 << 20;
    MemoryGrid grid = MemoryGrid.inMemory();
    try (CoreFixture fx = new CoreFixture(grid, null, dir, b -> b.cacheBytes(bound)
        .backpressureWait(HOUR))) {
      WriteBack wb = fx.core.writeBack();
      grid.failWith(GridException.Kind.UNREACHABLE);
      long fh = fx.create("/big");
      int chunk = 64 * 1024;
      java.util.concurrent.atomic.AtomicReference<Exception> failure =
          new java.util.concurrent.atomic.AtomicReference<>();
      java.util.concurrent.atomic.AtomicBoolean interrupted =
          new java.util.concurrent.atomic.AtomicBoolean();
      Thread writer = new Thread(() -> {
        try {
          for (int k = 0; ; k++) {
            fx.core.write(fh, ByteBuffer.wrap(CoreFixture.bytes(chunk, k)), (long) k * chunk);
          }
        } catch (Exception e) {
          failure.set(e);
          interrupted.set(Thread.currentThread().isInterrupted());
        }
      });
      writer.start();
      // the writer waits for room: the cache has none for its next write, and it sleeps
      while (!(wb.budget.used() + chunk + 2L * Layer.PAGE > bound
          && writer.getState() == Thread.State.TIMED_WAITING) && writer.isAlive()) {
        Thread.sleep(10);
      }
      writer.interrupt();
      writer.join();
      assertThat(failure.get()).isInstanceOf(FsException.class)
          .hasMessage("interrupted waiting for cache space");
      assertThat(((FsException) failure.get()).error()).isEqualTo(FsError.IO);
      assertThat(interrupted).as("the interrupt kept").isTrue();
      ByteBuffer back = ByteBuffer.allocate(chunk);
      assertThat(fx.core.read(fh, back, 0)).isEqualTo(chunk);
      assertThat(back.array()).isEqualTo(CoreFixture.bytes(chunk, 0));
      grid.heal();
      fx.core.release(fh);
    }
  }

  /**
   * A file in a read-only subdirectory of a writable mount cannot be opened for writing or
   * truncated: what decides is its own directory, not the mount's root.
   */
  @Test
  void aFileInAReadOnlySubdirectoryOfAWritableMountCannotChange() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    String root = grid.newRoot();
    try (CoreFixture w = new CoreFixture(grid, root, dir.resolve("w"), b -> { })) {
      w.core.mkdir("/src", 0755, CoreFixture.USER);
      w.put("/src/f", new byte[] {1, 2});
      w.core.sync(Duration.ofSeconds(30));
    }
    String src = grid.entries(root).get("src").cap().orElseThrow();
    java.time.Instant t = java.time.Instant.parse("2026-01-01T00:00:00Z");
    grid.applyChanges(root, List.of(new EntryChange.Put("ro",
        java.util.Optional.of(org.cairnfs.caps.Cap.parse(src).readOnly().toString()),
        NodeMetadata.of(org.cairnfs.caps.dirnode.EntryKind.DIRECTORY, 0, 0755, t, t)))).get();
    try (CoreFixture fx = new CoreFixture(grid, root, dir.resolve("m"), b -> { })) {
      assertThat(fx.core.readOnly()).isFalse();
      MountCoreEdgesTest.fails(FsError.READ_ONLY,
          () -> fx.core.open("/ro/f", MountCore.O_WRONLY));
      MountCoreEdgesTest.fails(FsError.READ_ONLY, () -> fx.core.truncate("/ro/f", 0));
      MountCoreEdgesTest.fails(FsError.READ_ONLY, () -> fx.core.chmod("/ro/f", 0600));
      fx.core.release(fx.core.open("/src/f", MountCore.O_WRONLY)); // its writable twin
      assertThat(fx.get("/ro/f")).containsExactly(1, 2);
    }
  }

  /**
   * Closed files waiting for a grid that cannot be reached hold no descriptor each: past
   * {@link SealedDescriptors#LIMIT} their spool files are closed and opened again to be read,
   * here from the spool, then by the uploader once the grid is back.
   */
  @Test
  void closedFilesWaitingForTheGridHoldABoundedNumberOfDescriptors() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    int files = SealedDescriptors.LIMIT + 300;
    try (CoreFixture fx = new CoreFixture(grid, null, dir, b -> { })) {
      fx.core.sync(Duration.ofSeconds(10));
      grid.failWith(GridException.Kind.UNREACHABLE);
      long before = openDescriptors();
      for (int i = 0; i < files; i++) {
        fx.put("/f" + i, CoreFixture.bytes(100 + i, i));
      }
      assertThat(openDescriptors() - before).as("descriptors held by %d closed files", files)
          .isLessThan(SealedDescriptors.LIMIT + 100L);
      for (int i = 0; i < files; i += 7) {
        assertThat(fx.get("/f" + i)).as("f%d from the spool", i)
            .isEqualTo(CoreFixture.bytes(100 + i, i));
      }
      grid.heal();
      fx.core.sync(Duration.ofSeconds(60));
      assertThat(grid.entries(fx.rootCap)).hasSize(files);
      for (int i = 0; i < files; i += 5) {
        assertThat(fx.get("/f" + i)).isEqualTo(CoreFixture.bytes(100 + i, i));
      }
    }
  }

  /**
   * A mount closed with files still waiting for the grid leaves none of their spool files open
   * (the process-wide descriptor bound would otherwise hold them for the life of the process).
   */
  @Test
  void anUnmountedMountLeavesNoSpoolFileOpen() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    Path cache = dir.resolve("cache");
    CoreFixture fx = new CoreFixture(grid, null, cache, b -> { });
    fx.core.sync(Duration.ofSeconds(10));
    grid.failWith(GridException.Kind.UNREACHABLE);
    for (int i = 0; i < 20; i++) {
      fx.put("/f" + i, CoreFixture.bytes(100 + i, i)); // 100 KiB and more: not inline
    }
    assertThat(openUnder(cache)).as("while mounted").isPositive();
    fx.core.close(Duration.ofMillis(200), s -> { }); // cannot drain: the changes stay spooled
    fx = null;
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    long open;
    do {
      System.gc();
      Thread.sleep(50);
      open = openUnder(cache);
    } while (open > 0 && System.nanoTime() < deadline);
    assertThat(open).as("spool files still open after the unmount").isZero();
  }

  private static long openUnder(Path dir) throws IOException {
    Path real = dir.toRealPath();
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.filter(fd -> {
        try {
          return Files.readSymbolicLink(fd).startsWith(real)
              && Files.readSymbolicLink(fd).getFileName().toString().matches("\\d+\\.\\d+");
        } catch (IOException gone) {
          return false;
        }
      }).count();
    }
  }
  private static long openDescriptors() throws IOException {
    try (java.util.stream.Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.count();
    }
  }

  /**
   * A release whose journaling fails (the disk refuses the append) fails with EIO and lets go
   * of the tree lock it took for the last close: the next namespace change goes through.
   */
  @Test
  void aReleaseThatCannotJournalFailsAndLeavesTheTreeUnlocked() throws Exception {
    try (CoreFixture fx = fixture("a")) {
      fx.core.close();
      FaultyChannels disk = new FaultyChannels();
      fx.core = MountCore.open(fx.config(b -> b.coalesceDelay(HOUR)), fx.grid, disk);
      long fh = fx.create("/f");
      fx.core.write(fh, ByteBuffer.wrap(new byte[] {1}), 0);
      disk.failNextWriteAfter = 0;
      MountCoreEdgesTest.fails(FsError.IO, () -> fx.core.release(fh));
      fx.core.mkdir("/d", 0755, CoreFixture.USER); // would wait forever on a held read lock
      assertThat(fx.core.getattr("/d").kind())
          .isEqualTo(org.cairnfs.caps.dirnode.EntryKind.DIRECTORY);
    }
  }

  /**
   * An unmount that cannot drain (the grid unreachable) gives up at its deadline and returns
   * what stays pending, with the grid's error; the journal keeps it, and the next mount uploads
   * it once the grid answers.
   */
  @Test
  void anUnmountThatCannotDrainReturnsWhatStaysPendingForTheNextMount() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    CoreFixture fx = new CoreFixture(grid, null, dir, b -> { });
    grid.failWith(GridException.Kind.UNREACHABLE);
    fx.put("/f", new byte[] {1, 2});
    List<MountStatus> reports = new ArrayList<>();
    MountStatus end = fx.core.close(Duration.ofSeconds(2), reports::add);
    assertThat(end.clean()).isFalse();
    assertThat(end.pendingChanges()).isPositive();
    assertThat(end.lastError()).isPresent();
    assertThat(reports).isNotEmpty().noneMatch(MountStatus::clean);
    grid.heal();
    fx.reopen();
    try (fx) {
      fx.core.sync(Duration.ofSeconds(30));
      assertThat(grid.entries(fx.rootCap)).containsKey("f");
    }
  }
}
