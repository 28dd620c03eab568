package org.cairnfs.fs.mount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.cairnfs.caps.dirnode.EntryKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the write-back journals and replays, case by case: the guard against an entry naming a
 * file it does not track, two closes of one file racing, a file already on the grid changed
 * in place, a removal in a directory made here after a rewrite, a special node's device number,
 * a forced layer lost at replay, and the inline layers a replay rebuilds.
 */
class WriteBackRecordsTest {
  @TempDir
  Path dir;

  private CoreFixture fixture(MemoryGrid grid, String root, String cache) throws IOException {
    return new CoreFixture(grid, root, dir.resolve(cache), b -> { });
  }

  /** An entry naming a local file the write-back does not track is refused, not journaled. */
  @Test
  void anEntryForAnUntrackedFileIsRefusedUnjournaled() throws Exception {
    CoreFixture fx = fixture(MemoryGrid.inMemory(), null, "cache");
    try {
      WriteBack wb = fx.core.writeBack();
      long bytes = wb.journalBytes();
      NodeMetadata meta = NodeMetadata.of(EntryKind.FILE, 0, 0644, Instant.EPOCH, Instant.EPOCH);
      JournalRecord.SetEntry set = new JournalRecord.SetEntry(new DirRef.Cap(fx.rootCap), "x",
          new ChildRef.LocalFile(12_345, 0), meta);
      assertThatThrownBy(() -> wb.record(set)).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("untracked file 12345");
      assertThat(wb.journalBytes()).isEqualTo(bytes);
      assertThat(wb.status().pendingChanges()).isZero();
    } finally {
      fx.core.crash(); // no drain of what a wrong answer may have left pending
    }
  }

  /**
   * Two flushes of one file through two handles, both past the open-changes check before
   * either seals: one journals the content, the other finds nothing sealed and journals only
   * the entry. Neither fails.
   */
  @Test
  void twoFlushesOfOneFileRacingBothWork() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    grid.failWith(GridException.Kind.UNREACHABLE); // the uploader takes nothing meanwhile
    try (CoreFixture fx = fixture(grid, null, "cache");
        AutoCloseable healed = grid::heal) { // closed first: the close drains what it can
      long h1 = fx.create("/f");
      long h2 = fx.core.open("/f", MountCore.O_RDWR);
      fx.core.write(h1, ByteBuffer.wrap(new byte[] {1, 2, 3}), 0);
      FileData data = fx.fileData("/f");
      CompletableFuture<Void> a;
      CompletableFuture<Void> b;
      data.lock().writeLock().lock(); // both flushes wait here, inside the commit
      try {
        a = CompletableFuture.runAsync(() -> flush(fx, h1));
        b = CompletableFuture.runAsync(() -> flush(fx, h2));
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (data.lock().getQueueLength() < 2) {
          assertThat(System.nanoTime()).as("both flushes at the file's lock").isLessThan(deadline);
          Thread.sleep(1);
        }
      } finally {
        data.lock().writeLock().unlock();
      }
      a.get();
      b.get();
      fx.core.release(h1);
      fx.core.release(h2);
      fx.crashAndReopen();
      assertThat(fx.get("/f")).containsExactly(1, 2, 3);
    }
  }

  /** A commit with nothing sealed journals the entry alone and returns that record's number. */
  @Test
  void aCommitWithNothingSealedJournalsTheEntryAlone() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    grid.failWith(GridException.Kind.UNREACHABLE);
    try (CoreFixture fx = fixture(grid, null, "cache");
        AutoCloseable healed = grid::heal) {
      fx.put("/f", new byte[] {1});
      WriteBack wb = fx.core.writeBack();
      FileNode f;
      fx.core.tree.lock.readLock().lock();
      try {
        f = (FileNode) fx.core.tree.resolve(List.of("f"));
        long bytes = wb.journalBytes();
        assertThat(wb.commit(f, f.parent.ref, f.name)).isEqualTo(wb.lastSeq());
        assertThat(wb.journalBytes()).isGreaterThan(bytes);
      } finally {
        fx.core.tree.lock.readLock().unlock();
      }
    }
  }

  private static void flush(CoreFixture fx, long fh) {
    try {
      fx.core.flush(fh);
    } catch (FsException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * A file already on the grid, changed in place (no truncate, no namespace change: only its
   * close is journaled), is pending again and uploaded.
   */
  @Test
  void aFileOnTheGridChangedInPlaceIsUploadedAgain() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    try (CoreFixture fx = fixture(grid, null, "cache");
        AutoCloseable healed = grid::heal) { // closed first: the close drains what it can
      fx.put("/f", new byte[] {1, 1, 1});
      fx.core.sync(Duration.ofSeconds(30));
      assertThat(fx.core.status().pendingChanges()).isZero();
      long fh = fx.core.open("/f", MountCore.O_WRONLY);
      fx.core.write(fh, ByteBuffer.wrap(new byte[] {2, 2}), 1);
      fx.core.flush(fh);
      fx.core.release(fh);
      assertThat(fx.core.status().pendingChanges()).isEqualTo(1);
      fx.core.sync(Duration.ofSeconds(30));
      try (CoreFixture other = fixture(grid, fx.rootCap, "other")) {
        assertThat(other.get("/f")).containsExactly(1, 2, 2);
      }
    }
  }

  /**
   * A close journaled while a round publishes the change journaled just before it (a chmod)
   * keeps its own, later sequence number: the publish's record clears the chmod, not the close,
   * whose content is uploaded next.
   */
  @Test
  void aCloseDuringThePublishOfTheChangeBeforeItStaysPending() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    GatedGrid gated = new GatedGrid(grid);
    try (CoreFixture fx = new CoreFixture(gated, grid.newRoot(), dir.resolve("cache"), b -> { })) {
      fx.put("/f", new byte[] {1, 1, 1});
      fx.core.sync(Duration.ofSeconds(30));
      GatedGrid.Hold publish = gated.holdNextPublish();
      fx.core.chmod("/f", 0600);
      publish.awaitReached();
      long fh = fx.core.open("/f", MountCore.O_WRONLY);
      fx.core.write(fh, ByteBuffer.wrap(new byte[] {2}), 0);
      fx.core.flush(fh);
      fx.core.release(fh);
      publish.release();
      fx.core.sync(Duration.ofSeconds(30));
      try (CoreFixture other = fixture(grid, fx.rootCap, "other")) {
        assertThat(other.get("/f")).containsExactly(2, 1, 1);
        assertThat(other.core.getattr("/f").mode() & 07777).isEqualTo(0600);
      }
    }
  }

  /**
   * A removal in a directory this mount made, journaled after a rewrite from memory (which
   * drops the directory's DirCreated once nothing pending names it), names the directory by its
   * cap: a replay after a kill removes the entry instead of dropping the removal as an orphan's.
   */
  @Test
  void aRemovalInADirectoryMadeHereSurvivesARewriteAndAKill() throws Exception {
    FaultyChannels disk = new FaultyChannels();
    MemoryGrid grid = MemoryGrid.inMemory();
    String root = grid.newRoot();
    MountConfig config = MountConfig.builder(root, dir.resolve("cache"))
        .journalForceInterval(Duration.ZERO).coalesceDelay(Duration.ofMillis(20))
        .retry(Duration.ofMillis(20), Duration.ofMillis(100)).owner(1000, 1000).build();
    MountCore core = MountCore.open(config, grid, disk);
    try {
      core.mkdir("/a", 0755, CoreFixture.USER);
      put(core, "/a/old");
      core.sync(Duration.ofSeconds(30)); // /a is on the grid, nothing pending
      grid.failWith(GridException.Kind.UNREACHABLE); // all stays pending, in the journal only
      disk.failForces = true;
      assertThatThrownBy(() -> put(core, "/x")).isInstanceOf(FsException.class);
      disk.failForces = false;
      int opened = disk.opened.get();
      put(core, "/y"); // its close rewrites the journal
      assertThat(disk.opened.get()).as("the journal was rewritten").isEqualTo(opened + 2);
      core.unlink("/a/old");
      core.writeBack().durable(core.writeBack().lastSeq());
    } finally {
      core.crash();
    }
    grid.heal();
    MountCore again = MountCore.open(config, grid);
    try {
      again.sync(Duration.ofSeconds(30));
      assertThat(grid.entries(root).keySet()).contains("a", "y");
      String a = grid.entries(root).get("a").cap().orElseThrow();
      assertThat(grid.entries(a)).isEmpty();
    } finally {
      again.close();
    }
  }

  /**
   * The record that a round published the changes of a directory it created in that round names
   * the directory by its cap: after a rewrite that dropped the DirCreated (the directory's own
   * entry was published in the round's first pass) and a kill, the replay still knows those
   * changes published. Here the change is a move out of a name made in the round (fresh: a
   * removal with nothing to remove on the grid, journaled as published in the second pass); the
   * rewrite comes between the passes, from the listener of the first pass's root publish; uploads
   * wait for kicks only (an hour's coalescing).
   */
  @Test
  void aPublishRecordOfADirectoryCreatedInTheRoundSurvivesARewriteAndAKill() throws Exception {
    FaultyChannels disk = new FaultyChannels();
    MemoryGrid grid = MemoryGrid.inMemory();
    String root = grid.newRoot();
    MountConfig config = MountConfig.builder(root, dir.resolve("cache"))
        .journalForceInterval(Duration.ZERO).coalesceDelay(Duration.ofHours(1))
        .coalesceLimit(Duration.ofHours(1)).retry(Duration.ofMillis(20), Duration.ofMillis(100))
        .owner(1000, 1000).build();
    MountCore core = MountCore.open(config, grid, disk);
    String a;
    try {
      WriteBack wb = core.writeBack();
      core.mkdir("/a", 0755, CoreFixture.USER);
      put(core, "/a/x");
      core.rename("/a/x", "/x", 0);
      java.util.concurrent.atomic.AtomicReference<Throwable> between =
          new java.util.concurrent.atomic.AtomicReference<>();
      java.util.concurrent.atomic.AtomicBoolean rewritten =
          new java.util.concurrent.atomic.AtomicBoolean();
      wb.uploader.onPublished(d -> {
        if (!d.equals(new DirRef.Cap(root)) || !rewritten.compareAndSet(false, true)) {
          return; // the root's entries, /a's among them: the first pass
        }
        try {
          disk.failForces = true;
          assertThatThrownBy(() -> put(core, "/y")).isInstanceOf(FsException.class);
          disk.failForces = false;
          int opened = disk.opened.get();
          put(core, "/z"); // its close rewrites the journal, without /a's DirCreated
          assertThat(disk.opened.get()).as("the journal was rewritten").isEqualTo(opened + 2);
        } catch (Throwable t) {
          between.set(t);
        }
      });
      long rounds = wb.uploader.rounds();
      wb.uploader.kick(true);
      long deadline = System.nanoTime() + 20_000_000_000L;
      while (wb.uploader.rounds() == rounds) {
        assertThat(System.nanoTime()).as("the round's end").isLessThan(deadline);
        Thread.sleep(1);
      }
      assertThat(rewritten).isTrue();
      assertThat(between.get()).isNull();
      a = grid.entries(root).get("a").cap().orElseThrow();
      wb.durable(wb.lastSeq());
    } finally {
      core.crash();
    }
    grid.failWith(GridException.Kind.UNREACHABLE); // nothing drains: the replay's state stays
    MountCore again = MountCore.open(config, grid);
    try {
      WriteBack wb = again.writeBack();
      DirRef ad = new DirRef.Cap(a);
      assertThat(wb.changesIfNoPublishSince(ad, wb.publishEpoch(ad)).orElseThrow()).isEmpty();
    } finally {
      again.crash();
    }
  }

  private static void put(MountCore core, String path) throws FsException {
    long fh = core.create(path, 0644, MountCore.O_WRONLY | MountCore.O_CREAT, CoreFixture.USER);
    try {
      core.write(fh, ByteBuffer.wrap(new byte[] {9}), 0);
      core.flush(fh);
    } finally {
      core.release(fh);
    }
  }

  /** A device node's number is journaled with its entry and comes back at replay. */
  @Test
  void aDeviceNodeReplaysWithItsNumber() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    grid.failWith(GridException.Kind.UNREACHABLE);
    try (CoreFixture fx = fixture(grid, null, "cache");
        AutoCloseable healed = grid::heal) { // closed first: the close drains what it can
      fx.core.mknod("/c", EntryKind.CHAR_DEVICE, 0600, 0x103, CoreFixture.USER);
      fx.crashAndReopen();
      assertThat(fx.core.getattr("/c").kind()).isEqualTo(EntryKind.CHAR_DEVICE);
      assertThat(fx.core.getattr("/c").rdev()).isEqualTo(0x103);
    }
  }

  /**
   * A forced layer the power took (its spool file gone) loses that change, said in the log,
   * but not the mount: the rest replays.
   */
  @Test
  void aForcedLayerLostAtReplayLosesOnlyItsChange() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    grid.failWith(GridException.Kind.UNREACHABLE);
    CoreFixture fx = fixture(grid, null, "cache");
    fx.put("/small", new byte[] {4, 5});
    fx.put("/big", CoreFixture.bytes(JournalCodec.MAX_INLINE + 10, 1));
    fx.core.crash();
    try (var s = Files.list(dir.resolve("cache").resolve("spool"))) {
      for (Path p : s.toList()) {
        Files.delete(p);
      }
    }
    grid.heal();
    fx.reopen();
    try {
      assertThat(fx.get("/small")).containsExactly(4, 5);
      assertThat(fx.core.readdir("/")).extracting(DirEntryInfo::name).contains("big");
    } finally {
      fx.close();
    }
  }

  /**
   * A replay rebuilds each inline commit's layer and closes the file it wrote: the mount then
   * holds one descriptor per replayed layer (the layer it reopens), not two.
   */
  @Test
  void aReplayClosesTheInlineLayersItRebuilds() throws Exception {
    int n = 64;
    MemoryGrid grid = MemoryGrid.inMemory();
    grid.failWith(GridException.Kind.UNREACHABLE);
    try (CoreFixture fx = fixture(grid, null, "cache");
        AutoCloseable healed = grid::heal) { // closed first: the close drains what it can
      for (int i = 0; i < n; i++) {
        fx.put("/f" + i, new byte[] {(byte) i});
      }
      fx.core.crash();
      long before = openDescriptors();
      fx.reopen();
      long grown = openDescriptors() - before;
      assertThat(grown).isGreaterThanOrEqualTo(n).isLessThan(n + n / 2);
      assertThat(fx.get("/f63")).containsExactly(63);
    }
  }

  private static long openDescriptors() throws IOException {
    try (var s = Files.list(Path.of("/proc/self/fd"))) {
      return s.count();
    }
  }
}
