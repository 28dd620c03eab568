package org.cairnfs.fs.mount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.channels.ClosedChannelException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.cairnfs.fs.mount.JournalRecord.DirCreated;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal file's own promises. A force racing a compaction's close of the old file is met
 * by running the rewrite inside the force ({@link FaultyChannels#beforeForce}): the gap between
 * reading the channel and forcing it is too short to meet by chance.
 */
class JournalTest {
  @TempDir Path dir;
  private final TmpfsMounts tmpfs = new TmpfsMounts();

  @Test
  void aSyncAfterCloseFailsUnlessTheCloseCoveredIt() throws Exception {
    Journal j = Journal.create(dir.resolve("journal"), List.of(), 1);
    long seq = j.append(new DirCreated(1, "cap"));
    j.close();
    j.sync(seq); // the close forced it
    assertThatThrownBy(() -> j.sync(seq + 1)).isInstanceOf(ClosedChannelException.class);
  }

  static final java.time.Instant T = java.time.Instant.ofEpochSecond(1_700_000_000L);
  /** An entry that needs no more than version 2. */
  static final JournalRecord.SetEntry LINK = new JournalRecord.SetEntry(new DirRef.Local(1), "l",
      new ChildRef.Symlink(), NodeMetadata.symlink("t", 0777, T, T));

  /**
   * The header says version 3 only while the journal holds a special file's entry, so an older
   * Cairn (version 2) can still mount a cache dir that never had one, or no longer has one.
   */
  @Test
  void theHeaderSaysVersion3OnlyWhileASpecialFileIsJournaled() throws Exception {
    java.time.Instant t = T;
    Path p = dir.resolve("journal");
    JournalRecord.SetEntry link = LINK;
    JournalRecord.SetEntry fifo = new JournalRecord.SetEntry(new DirRef.Local(1), "p",
        new ChildRef.Special(0), new NodeMetadata(org.cairnfs.caps.dirnode.EntryKind.FIFO, 0,
            0644, t, t, java.util.Optional.empty(), java.util.Map.of()));
    Journal j = Journal.create(p, List.of(), 1);
    j.sync(j.append(link));
    assertThat(Files.readAllBytes(p)[4]).isEqualTo((byte) 2);
    long seq = j.append(fifo);
    j.sync(seq);
    assertThat(Files.readAllBytes(p)[4]).isEqualTo((byte) 3);
    JournalCodec.Decoded d = Journal.read(p);
    assertThat(d.headerValid()).isTrue();
    assertThat(d.entries()).extracting(JournalCodec.Entry::record).containsExactly(link, fifo);
    j.rewrite(List.of(new JournalCodec.Entry(1, link))); // the FIFO went to the grid
    assertThat(Files.readAllBytes(p)[4]).isEqualTo((byte) 2);
    j.rewrite(List.of(new JournalCodec.Entry(seq, fifo)));
    assertThat(Files.readAllBytes(p)[4]).isEqualTo((byte) 3);
    j.close();
  }

  /** Version 4 only while a fresh entry change (a create) is journaled. */
  @Test
  void theHeaderSaysVersion4OnlyWhileAFreshChangeIsJournaled() throws Exception {
    Path p = dir.resolve("journal");
    JournalRecord.SetEntry link = LINK;
    Journal j = Journal.create(p, List.of(), 1);
    j.sync(j.append(link));
    assertThat(Files.readAllBytes(p)[4]).isEqualTo((byte) 2);
    long seq = j.append(new JournalRecord.RemoveEntry(new DirRef.Local(1), "m", false, true));
    j.sync(seq);
    assertThat(Files.readAllBytes(p)[4]).isEqualTo((byte) 4);
    j.rewrite(List.of(new JournalCodec.Entry(seq + 1, link.withFresh(true))));
    assertThat(Files.readAllBytes(p)[4]).isEqualTo((byte) 4);
    assertThat(Journal.read(p).entries()).extracting(JournalCodec.Entry::record)
        .containsExactly(link.withFresh(true));
    j.rewrite(List.of(new JournalCodec.Entry(seq + 2, link)));
    assertThat(Files.readAllBytes(p)[4]).isEqualTo((byte) 2);
    j.close();
  }

  /**
   * A full disk cuts an append short (write(2) fills the last page it can, then ENOSPC): the
   * partial frame is cut off, so the records appended once there is room again are replayed.
   * A real tmpfs of 64 KiB (mounting needs root: CI here runs as root).
   */
  @Test
  void anAppendFailingOnAFullDiskLeavesNoPartOfItsFrame() throws Exception {
    Path small = tmpfs.mount(dir.resolve("small"), "64k");
    Path filler = small.resolve("filler");
    Files.write(filler, new byte[32 << 10]);
    List<Long> acked = new ArrayList<>();
    String cap = "c".repeat(1500);
    try (Journal j = Journal.create(small.resolve("journal"), List.of(), 1)) {
      IOException full = null;
      for (int i = 0; full == null && i < 100; i++) {
        try {
          acked.add(j.append(new DirCreated(i, cap)));
        } catch (IOException e) {
          full = e;
        }
      }
      assertThat(full).as("the disk filled up").isNotNull();
      assertThat(j.bytes()).isEqualTo(Files.size(small.resolve("journal")));
      Files.delete(filler);
      for (int i = 0; i < 5; i++) {
        acked.add(j.append(new DirCreated(1000 + i, cap)));
      }
      j.sync(acked.get(acked.size() - 1));
    }
    JournalCodec.Decoded replay = Journal.read(small.resolve("journal"));
    assertThat(replay.entries()).extracting(JournalCodec.Entry::seq).containsExactlyElementsOf(
        acked);
  }

  /**
   * A close whose commit record cannot be appended (a full disk) fails, and so does every later
   * close of that file, which would otherwise find nothing open and claim the sealed version
   * journaled; once the grid holds that version, closes pass again.
   */
  @Test
  void aCloseThatCouldNotBeJournaledFailsLaterClosesUntilTheGridHoldsIt() throws Exception {
    Path cache = tmpfs.mount(dir.resolve("cache"), "1m");
    MemoryGrid grid = MemoryGrid.inMemory();
    try (CoreFixture fx = new CoreFixture(grid, null, cache, b -> { })) {
      grid.failWith(GridException.Kind.UNREACHABLE); // nothing reaches the grid meanwhile
      long fh = fx.create("/f");
      byte[] data = CoreFixture.bytes(16 * 1024, 7);
      fx.core.write(fh, java.nio.ByteBuffer.wrap(data), 0);
      Path filler = cache.resolve("filler");
      TmpfsMounts.fill(filler);
      assertThatThrownBy(() -> fx.core.flush(fh)).isInstanceOf(FsException.class);
      Files.delete(filler);
      assertThatThrownBy(() -> fx.core.flush(fh)).isInstanceOf(FsException.class)
          .hasMessageContaining("could not be journaled");
      grid.heal();
      fx.core.sync(java.time.Duration.ofSeconds(30));
      fx.core.flush(fh);
      fx.core.release(fh);
      assertThat(fx.get("/f")).isEqualTo(data);
    }
  }

  /**
   * A close whose sealed layer cannot be forced (past the inline size) or read for its record
   * (inline) fails, and so does every later close of that file: the version it sealed was never
   * journaled. The layer's file is made to fail by closing its channel.
   */
  @Test
  void aCloseWhoseLayerCannotBeForcedOrReadFailsLaterClosesToo() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    try (CoreFixture fx = new CoreFixture(grid, null, dir.resolve("cache"), b -> { })) {
      grid.failWith(GridException.Kind.UNREACHABLE); // nothing reaches the grid meanwhile
      for (int size : new int[] {JournalCodec.MAX_INLINE + 4096, 100}) {
        String path = "/f" + size;
        long fh = fx.create(path);
        fx.core.write(fh, java.nio.ByteBuffer.wrap(CoreFixture.bytes(size, 3)), 0);
        FileData data = fx.core.handle(fh).node().data;
        java.lang.reflect.Field current = FileData.class.getDeclaredField("current");
        current.setAccessible(true);
        ((Layer) current.get(data)).close(); // its force and reads fail from now on
        assertThatThrownBy(() -> fx.core.flush(fh)).as(path).isInstanceOf(FsException.class)
            .extracting(e -> ((FsException) e).error()).isEqualTo(FsError.IO);
        assertThatThrownBy(() -> fx.core.flush(fh)).as(path + ", closed again")
            .isInstanceOf(FsException.class)
            .extracting(e -> ((FsException) e).error()).isEqualTo(FsError.IO);
        assertThatThrownBy(() -> fx.core.fsync(fh, false)).as(path + ", fsync")
            .isInstanceOf(FsException.class);
        assertThatThrownBy(() -> fx.core.release(fh)).as(path + ", release")
            .isInstanceOf(FsException.class); // its handle goes all the same
      }
      fx.core.crash(); // no 30 s drain against the unreachable grid
      grid.heal();
      fx.reopen();
    }
  }

  /**
   * After a force fails, one that works later does not make the appends before it durable: the
   * kernel may have dropped the pages the failed one could not write and marked them clean
   * ("fsyncgate"). Every sync past the last good force fails until the journal is rewritten.
   */
  @Test
  void aForceThatWorksAfterOneThatFailedProvesNothingUntilARewrite() throws Exception {
    FaultyChannels disk = new FaultyChannels();
    Path path = dir.resolve("journal");
    try (Journal j = Journal.create(path, List.of(), 1, disk)) {
      JournalRecord ra = new DirCreated(1, "a");
      JournalRecord rb = new DirCreated(2, "b");
      JournalRecord rc = new DirCreated(3, "c");
      long a = j.append(ra);
      j.sync(a);
      long b = j.append(rb);
      disk.failForces = true;
      assertThatThrownBy(() -> j.sync(b)).isInstanceOf(IOException.class);
      disk.failForces = false;
      j.sync(a); // forced before the failure
      assertThatThrownBy(() -> j.sync(b)).isInstanceOf(Journal.ForceLostException.class);
      long c = j.append(rc);
      assertThatThrownBy(() -> j.sync(c)).isInstanceOf(Journal.ForceLostException.class);
      assertThat(j.forceLost()).isTrue();
      j.rewrite(List.of(new JournalCodec.Entry(a, ra), new JournalCodec.Entry(b, rb),
          new JournalCodec.Entry(c, rc)));
      j.sync(c);
      assertThat(j.forceLost()).isFalse();
    }
    assertThat(Journal.read(path).entries()).extracting(JournalCodec.Entry::seq)
        .containsExactly(1L, 2L, 3L);
  }

  /**
   * A mount answers a failed force by rewriting its journal from memory and forcing that: the
   * close that met the failure fails while the rewrite cannot be forced either; the next close
   * works through a rewrite, not through a bare force; a remount after a kill has every close.
   */
  @Test
  void aMountRewritesItsJournalFromMemoryAfterAFailedForce() throws Exception {
    FaultyChannels disk = new FaultyChannels();
    MemoryGrid grid = MemoryGrid.inMemory();
    MountConfig config = closesForce(grid.newRoot());
    MountCore core = MountCore.open(config, grid, disk);
    try {
      core.mkdir("/d", 0755, CoreFixture.USER);
      grid.failWith(GridException.Kind.UNREACHABLE); // all stays pending, in the journal only
      put(core, "/d/a", 1);
      disk.failForces = true;
      assertThatThrownBy(() -> put(core, "/d/b", 2)).isInstanceOf(FsException.class)
          .extracting(e -> ((FsException) e).error()).isEqualTo(FsError.IO);
      disk.failForces = false;
      int opened = disk.opened.get();
      put(core, "/d/c", 3);
      assertThat(disk.opened.get()).as("the journal was rewritten").isEqualTo(opened + 2);
      put(core, "/d/e", 4); // and then forced as usual
      assertThat(disk.opened.get()).isEqualTo(opened + 2);
    } finally {
      core.crash();
    }
    grid.heal();
    MountCore again = MountCore.open(config, grid);
    try {
      for (var e : java.util.Map.of("a", 1L, "b", 2L, "c", 3L, "e", 4L).entrySet()) {
        assertThat(again.getattr("/d/" + e.getKey()).size()).as(e.getKey())
            .isEqualTo(e.getValue());
      }
    } finally {
      again.close();
    }
  }

  /**
   * The uploader's completion runs on the grid client's threads, where the rewrite after a
   * failed force could wait for a file's lock held by a reader that waits for those threads: it
   * leaves the rewrite to a flush (or the forcer), and the upload is retried after that.
   */
  @Test
  void anUploadMeetingALostForceLeavesTheRewriteToAFlush() throws Exception {
    FaultyChannels disk = new FaultyChannels();
    MemoryGrid grid = MemoryGrid.inMemory();
    String root = grid.newRoot();
    MountConfig config = closesForce(root);
    MountCore core = MountCore.open(config, grid, disk);
    try {
      grid.failWith(GridException.Kind.UNREACHABLE);
      put(core, "/a", 1);
      disk.failForces = true;
      grid.heal(); // the upload's FileUploaded cannot be forced
      long until = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
      while (disk.failedForces.get() == 0 && System.nanoTime() < until) {
        Thread.sleep(10);
      }
      assertThat(disk.failedForces.get()).isPositive();
      disk.failForces = false;
      int opened = disk.opened.get();
      Thread.sleep(1000); // rounds retry the upload meanwhile
      assertThat(disk.opened.get()).as("no rewrite by the uploader").isEqualTo(opened);
      assertThat(grid.entries(root)).doesNotContainKey("a");
      put(core, "/b", 2); // its close rewrites the journal
      assertThat(disk.opened.get()).isEqualTo(opened + 2);
      core.sync(java.time.Duration.ofSeconds(30));
      assertThat(grid.entries(root)).containsKeys("a", "b");
    } finally {
      core.close();
    }
  }

  /**
   * A rewrite from memory (here the one after a failed force; a compaction alike) keeps a
   * directory's DirCreated only while a pending entry names it, but this mount's tree still
   * names a directory it made by its local id: a change in it, or of its own entry, journaled
   * after the rewrite must still replay into that directory after a kill, not into nowhere (its
   * changes dropped as an orphan's) or into a new empty directory.
   */
  @Test
  void changesInADirectoryMadeHereSurviveARewriteAndAKill() throws Exception {
    FaultyChannels disk = new FaultyChannels();
    MemoryGrid grid = MemoryGrid.inMemory();
    MountConfig config = closesForce(grid.newRoot());
    MountCore core = MountCore.open(config, grid, disk);
    try {
      core.mkdir("/a", 0755, CoreFixture.USER);
      put(core, "/a/old", 1);
      core.sync(java.time.Duration.ofSeconds(30)); // /a is on the grid, nothing pending
      grid.failWith(GridException.Kind.UNREACHABLE); // all stays pending, in the journal only
      disk.failForces = true;
      assertThatThrownBy(() -> put(core, "/x", 2)).isInstanceOf(FsException.class);
      disk.failForces = false;
      int opened = disk.opened.get();
      put(core, "/y", 3); // its close rewrites the journal
      assertThat(disk.opened.get()).as("the journal was rewritten").isEqualTo(opened + 2);
      put(core, "/a/new", 4);
      core.chmod("/a", 0700);
    } finally {
      core.crash();
    }
    grid.heal();
    MountCore again = MountCore.open(config, grid);
    try {
      again.sync(java.time.Duration.ofSeconds(30));
      assertThat(again.getattr("/a").mode() & 07777).isEqualTo(0700);
      assertThat(again.getattr("/a/new").size()).isEqualTo(4);
      assertThat(again.getattr("/a/old").size()).isEqualTo(1);
    } finally {
      again.close();
    }
  }

  /**
   * A mount that cannot open its cache dir (here a spool layer it cannot open) leaves the
   * journal as it found it: the next mount still replays every change, not an emptied journal.
   */
  @Test
  void aMountThatFailsToOpenLeavesTheJournalAsItWas() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    Path cache = dir.resolve("cache");
    try (CoreFixture fx = new CoreFixture(grid, null, cache, b -> { })) {
      grid.failWith(GridException.Kind.UNREACHABLE); // all stays pending, in the journal only
      fx.core.mkdir("/d", 0755, CoreFixture.USER);
      fx.put("/d/big", CoreFixture.bytes(JournalCodec.MAX_INLINE + 4096, 5));
      fx.core.crash();
      List<Path> layers;
      try (var s = Files.list(cache.resolve("spool"))) {
        layers = s.toList();
      }
      assertThat(layers).hasSize(1);
      Path layer = layers.get(0);
      byte[] kept = Files.readAllBytes(layer);
      Files.delete(layer);
      Files.createDirectory(layer); // cannot be opened as a file
      assertThatThrownBy(fx::reopen).isInstanceOf(IOException.class);
      Files.delete(layer);
      Files.write(layer, kept);
      grid.heal();
      fx.reopen();
      assertThat(fx.get("/d/big")).isEqualTo(CoreFixture.bytes(JournalCodec.MAX_INLINE + 4096, 5));
    }
  }

  /**
   * Sequence numbers only grow: appends after a snapshot continue past its highest number even
   * when the caller's {@code nextSeq} is lower, and the records of one {@code appendAll} get
   * consecutive numbers from the one it returns.
   */
  @Test
  void appendsNumberOnPastTheSnapshotAndConsecutively() throws Exception {
    Path p = dir.resolve("journal");
    JournalRecord r = new DirCreated(1, "a");
    try (Journal j = Journal.create(p, List.of(new JournalCodec.Entry(5, r)), 1)) {
      assertThat(j.lastSeq()).isEqualTo(5);
      assertThat(j.append(new DirCreated(2, "b"))).isEqualTo(6);
      assertThat(j.appendAll(List.of(new DirCreated(3, "c"), new DirCreated(4, "d"),
          new DirCreated(5, "e")))).isEqualTo(7);
      assertThat(j.lastSeq()).isEqualTo(9);
      j.sync(9);
    }
    assertThat(Journal.read(p).entries()).extracting(JournalCodec.Entry::seq)
        .containsExactly(5L, 6L, 7L, 8L, 9L);
    assertThat(Journal.read(p).entries()).extracting(e -> ((DirCreated) e.record()).cap())
        .containsExactly("a", "b", "c", "d", "e");
  }

  /** What is known on the disk grows with a sync, not with an append; a close covers all. */
  @Test
  void syncedBytesFollowTheForcesNotTheAppends() throws Exception {
    Path p = dir.resolve("journal");
    Journal j = Journal.create(p, List.of(), 1);
    long header = Files.size(p);
    assertThat(j.syncedBytes()).isEqualTo(header).isEqualTo(j.bytes());
    long a = j.append(new DirCreated(1, "a"));
    assertThat(j.bytes()).isGreaterThan(header).isEqualTo(Files.size(p));
    assertThat(j.syncedBytes()).isEqualTo(header);
    j.sync(a);
    assertThat(j.syncedBytes()).isEqualTo(j.bytes());
    j.append(new DirCreated(2, "b"));
    j.close();
    assertThat(j.syncedBytes()).isEqualTo(Files.size(p));
  }

  /** A rewrite closes the file it replaces (no descriptor per compaction), a close the last. */
  @Test
  void aRewriteClosesTheFileItReplaces() throws Exception {
    FaultyChannels disk = new FaultyChannels();
    Journal j = Journal.create(dir.resolve("journal"), List.of(), 1, disk);
    long a = j.append(new DirCreated(1, "a"));
    j.rewrite(List.of(new JournalCodec.Entry(a, new DirCreated(1, "a"))));
    j.rewrite(List.of());
    assertThat(disk.opened.get()).isEqualTo(6);
    assertThat(disk.stillOpen()).as("only the journal open for appends").isEqualTo(1);
    j.close();
    assertThat(disk.stillOpen()).isZero();
  }

  /**
   * The header's version byte is raised by the first special file's append, once: later ones
   * find it raised (each raise opens the file for a write of its own).
   */
  @Test
  void theHeaderIsRaisedOnlyOnce() throws Exception {
    java.time.Instant t = java.time.Instant.ofEpochSecond(1_700_000_000L);
    FaultyChannels disk = new FaultyChannels();
    try (Journal j = Journal.create(dir.resolve("journal"), List.of(), 1, disk)) {
      int opened = disk.opened.get();
      for (String name : List.of("p", "q")) {
        j.append(new JournalRecord.SetEntry(new DirRef.Local(1), name, new ChildRef.Special(0),
            new NodeMetadata(org.cairnfs.caps.dirnode.EntryKind.FIFO, 0, 0644, t, t,
                java.util.Optional.empty(), java.util.Map.of())));
      }
      assertThat(disk.opened.get()).isEqualTo(opened + 1);
    }
    assertThat(Files.readAllBytes(dir.resolve("journal"))[4]).isEqualTo((byte) 3);
  }

  /**
   * An append cut short whose partial frame cannot be cut off either (a failing truncate)
   * leaves it torn: the next append cuts it first and fails while it cannot, so no record ever
   * lands behind a torn frame, where a replay would never reach it. Each failure carries the
   * other as suppressed.
   */
  @Test
  void aTornFrameIsCutOffBeforeTheNextAppend() throws Exception {
    FaultyChannels disk = new FaultyChannels();
    Path p = dir.resolve("journal");
    JournalRecord ra = new DirCreated(1, "a");
    JournalRecord rc = new DirCreated(3, "c");
    try (Journal j = Journal.create(p, List.of(), 1, disk)) {
      long a = j.append(ra);
      disk.failNextWriteAfter = 5;
      disk.failTruncates = true;
      assertThatThrownBy(() -> j.append(new DirCreated(2, "b")))
          .hasMessageContaining("No space left")
          .satisfies(e -> assertThat(e.getSuppressed()).singleElement()
              .extracting(Throwable::getMessage).asString().contains("injected truncate"));
      assertThat(Files.size(p)).as("torn").isEqualTo(j.bytes() + 5);
      assertThatThrownBy(() -> j.append(rc)).hasMessageContaining("cannot be cut off")
          .satisfies(e -> assertThat(e.getCause().getSuppressed()).singleElement()
              .extracting(Throwable::getMessage).asString().contains("No space left"));
      disk.failTruncates = false;
      long c = j.append(rc);
      j.sync(c);
      assertThat(Journal.read(p).entries()).extracting(JournalCodec.Entry::seq)
          .containsExactly(a, c);
    }
    assertThat(Journal.read(p).entries()).extracting(JournalCodec.Entry::record)
        .containsExactly(ra, rc);
  }

  /**
   * A rewrite (a compaction) that replaces the file while a sync forces the old one closes it
   * under that force: the sync is answered by the rewrite, which forced all it wrote, and is no
   * failure. The rewrite runs inside the force, where the race would put it.
   */
  @Test
  void aSyncWhoseFileARewriteReplacedMeanwhileIsAnsweredByTheRewrite() throws Exception {
    FaultyChannels disk = new FaultyChannels();
    Path p = dir.resolve("journal");
    JournalRecord ra = new DirCreated(1, "a");
    try (Journal j = Journal.create(p, List.of(), 1, disk)) {
      long a = j.append(ra);
      disk.beforeForce = () -> j.rewrite(List.of(new JournalCodec.Entry(a, ra)));
      j.sync(a);
      assertThat(disk.opened.get()).as("rewritten").isEqualTo(4);
      assertThat(j.forceLost()).isFalse();
    }
    assertThat(Journal.read(p).entries()).extracting(JournalCodec.Entry::record)
        .containsExactly(ra);
  }

  /**
   * A force that finds its file closed under it (an interrupt closes a channel during a
   * blocking call) reports the channel closed for good, not a lost force to be rewritten.
   */
  @Test
  void aSyncWhoseFileWasClosedUnderItIsNoLostForce() throws Exception {
    Journal j = Journal.create(dir.resolve("journal"), List.of(), 1);
    long a = j.append(new DirCreated(1, "a"));
    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> j.sync(a)).isInstanceOf(ClosedChannelException.class);
    } finally {
      Thread.interrupted();
    }
    assertThat(j.forceLost()).isFalse();
    assertThatThrownBy(j::close).isInstanceOf(ClosedChannelException.class);
  }

  /**
   * A close forces what was appended and fails if that force fails, or if one failed since the
   * last rewrite: then it claims nothing synced, and a later sync fails (the force lost, or
   * the journal closed).
   */
  @Test
  void aCloseFailsWhenItsForceFailsOrOneFailedBefore() throws Exception {
    for (boolean before : new boolean[] {false, true}) {
      FaultyChannels disk = new FaultyChannels();
      Journal j = Journal.create(dir.resolve("journal" + before), List.of(), 1, disk);
      long a = j.append(new DirCreated(1, "a"));
      disk.failForces = true;
      if (before) {
        assertThatThrownBy(() -> j.sync(a)).isInstanceOf(Journal.ForceLostException.class);
        disk.failForces = false;
        assertThatThrownBy(j::close).as("lost before").isInstanceOf(
            Journal.ForceLostException.class);
      } else {
        assertThatThrownBy(j::close).as("lost now").isInstanceOf(IOException.class)
            .hasMessageContaining("injected");
      }
      disk.failForces = false;
      assertThatThrownBy(() -> j.sync(a)).isInstanceOf(before
          ? Journal.ForceLostException.class : ClosedChannelException.class);
      assertThat(disk.stillOpen()).isZero();
    }
  }

  /** No call leaves the append lock held: a leak would stall every later append of the mount. */
  @Test
  void noCallLeavesAppendsHeld() throws Exception {
    java.util.concurrent.locks.ReentrantLock appends;
    Journal j = Journal.create(dir.resolve("journal"), List.of(), 1);
    java.lang.reflect.Field f = Journal.class.getDeclaredField("appendLock");
    f.setAccessible(true);
    appends = (java.util.concurrent.locks.ReentrantLock) f.get(j);
    assertThat(j.withAppendsHeld(() -> appends.isHeldByCurrentThread() ? "held" : "not held"))
        .isEqualTo("held");
    assertThat(appends.isLocked()).isFalse();
    assertThat(j.forceLost()).isFalse();
    assertThat(appends.isLocked()).isFalse();
    j.close();
    assertThat(appends.isLocked()).isFalse();
  }

  /** A quick mount whose every close forces the journal, with no forcer thread. */
  private MountConfig closesForce(String root) {
    return MountConfig.builder(root, dir.resolve("cache"))
        .journalForceInterval(java.time.Duration.ZERO)
        .coalesceDelay(java.time.Duration.ofMillis(20))
        .retry(java.time.Duration.ofMillis(20), java.time.Duration.ofMillis(100))
        .owner(1000, 1000).build();
  }

  private static void put(MountCore core, String path, int size) throws FsException {
    long fh = core.create(path, 0644, MountCore.O_WRONLY | MountCore.O_CREAT, CoreFixture.USER);
    try {
      core.write(fh, java.nio.ByteBuffer.wrap(new byte[size]), 0);
      core.flush(fh);
    } finally {
      core.release(fh);
    }
  }

  @AfterEach
  void unmountTmpfs() throws Exception {
    tmpfs.close();
  }
}
