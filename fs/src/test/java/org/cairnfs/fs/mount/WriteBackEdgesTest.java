package org.cairnfs.fs.mount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The write-back's edges that {@link WriteBackTest} does not reach: what a mount makes of the
 * cache dir it finds (a journal that is not one, an empty one, spool files nothing names), the
 * inline-or-force choice at its bound and for sparse files, the spool of a file unlinked before
 * it reached the grid, and what a failed rewrite after a lost force reports.
 */
class WriteBackEdgesTest {
  @TempDir
  Path dir;

  private Path cache() {
    return dir.resolve("cache");
  }

  private Set<String> spoolNames() throws IOException {
    try (var s = Files.list(cache().resolve("spool"))) {
      return s.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
    }
  }

  private void deleteSpool() throws IOException {
    try (var s = Files.list(cache().resolve("spool"))) {
      for (Path p : s.toList()) {
        Files.delete(p);
      }
    }
  }

  /** Bytes that are not a journal are refused, left as they were, and the cache dir unlocked. */
  @Test
  void aJournalThatIsNotOneIsRefusedLeftAsItWasAndTheCacheDirUnlocked() throws Exception {
    Files.createDirectories(cache());
    Path journal = cache().resolve("journal");
    byte[] junk = CoreFixture.bytes(100, 3);
    Files.write(journal, junk);
    MemoryGrid grid = MemoryGrid.inMemory();
    String root = grid.newRoot();
    assertThatThrownBy(() -> new CoreFixture(grid, root, cache(), b -> { }))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(journal.toString())
        .hasMessageContaining("is not a version " + JournalCodec.VERSION + " Cairn journal")
        .hasMessageContaining("move it away");
    assertThat(Files.readAllBytes(journal)).isEqualTo(junk);
    Files.move(journal, cache().resolve("journal.bad"));
    try (CoreFixture fx = new CoreFixture(grid, root, cache(), b -> { })) {
      fx.put("/f", new byte[] {1, 2});
      assertThat(fx.get("/f")).containsExactly(1, 2);
    }
  }

  /** A journal file of no bytes (a crash before its header was written) is a new journal. */
  @Test
  void anEmptyJournalFileIsANewJournal() throws Exception {
    Files.createDirectories(cache());
    Files.createFile(cache().resolve("journal"));
    MemoryGrid grid = MemoryGrid.inMemory();
    grid.failWith(GridException.Kind.UNREACHABLE);
    try (CoreFixture fx = new CoreFixture(grid, null, cache(), b -> { })) {
      fx.put("/f", new byte[] {7});
      fx.crashAndReopen();
      assertThat(fx.get("/f")).containsExactly(7);
      grid.heal(); // so the close drains at once
    }
  }

  /**
   * Spool files no journal record names (a layer whose close never reached the journal, or
   * anything else) are deleted at mount; the named ones are kept; new files are numbered past
   * every id the spool held, so none can meet an old file's name.
   */
  @Test
  void spoolFilesNoRecordNamesAreDeletedAndNewIdsPassEveryOne() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    grid.failWith(GridException.Kind.UNREACHABLE); // the big file's layer stays in the spool
    byte[] big = CoreFixture.bytes(JournalCodec.MAX_INLINE + 5000, 4);
    try (CoreFixture fx = new CoreFixture(grid, null, cache(), b -> { })) {
      fx.put("/big", big);
      fx.core.crash();
      Set<String> named = spoolNames();
      assertThat(named).hasSize(1);
      Path spool = cache().resolve("spool");
      for (String stray : List.of("9000.1", "9001", "notours", "x.y")) {
        Files.write(spool.resolve(stray), new byte[] {1});
      }
      fx.reopen();
      assertThat(spoolNames()).isEqualTo(named);
      assertThat(fx.core.writeBack().newId()).isGreaterThan(9001);
      assertThat(fx.get("/big")).isEqualTo(big);
      grid.heal();
    }
  }

  /** At exactly the inline bound a close's bytes go into the journal: no layer needed after. */
  @Test
  void aCloseOfExactlyTheInlineBoundIsJournaledWithItsBytes() throws Exception {
    assertLayerLossSurvived(JournalCodec.MAX_INLINE, 0);
  }

  /**
   * A sparse file's inline size counts the bytes of its written pages, not their offsets: a
   * few bytes far into the file are inline too.
   */
  @Test
  void aFewBytesFarIntoASparseFileAreJournaledInline() throws Exception {
    assertLayerLossSurvived(100, 10L << 20);
  }

  /** Inline bytes over a few pages, the last one partial, are rebuilt page by page. */
  @Test
  void aCloseOfAFewPagesAndAPartIsRebuiltFromItsInlineBytes() throws Exception {
    assertLayerLossSurvived(3 * Layer.PAGE + 100, 0);
  }

  /** Just past the bound the layer is forced instead, and the journal stays small. */
  @Test
  void aCloseJustPastTheInlineBoundForcesItsLayerInstead() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    grid.failWith(GridException.Kind.UNREACHABLE);
    try (CoreFixture fx = new CoreFixture(grid, null, cache(), b -> { })) {
      fx.put("/f", CoreFixture.bytes(JournalCodec.MAX_INLINE + 1, 9));
      assertThat(fx.core.writeBack().journalBytes()).isLessThan(JournalCodec.MAX_INLINE);
      assertThat(spoolNames()).hasSize(1);
      grid.heal();
    }
  }

  private void assertLayerLossSurvived(int n, long at) throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    grid.failWith(GridException.Kind.UNREACHABLE); // nothing leaves: the journal holds it all
    byte[] data = CoreFixture.bytes(n, 5);
    try (CoreFixture fx = new CoreFixture(grid, null, cache(), b -> { });
        AutoCloseable healed = grid::heal) { // closed first: a failure's close drains at once
      long fh = fx.create("/f");
      fx.core.write(fh, ByteBuffer.wrap(data), at);
      fx.core.flush(fh);
      fx.core.release(fh);
      assertThat(fx.core.writeBack().journalBytes()).isGreaterThan(n);
      fx.core.crash();
      deleteSpool(); // a layer the power took: only the journal's inline bytes are left
      fx.reopen();
      assertThat(fx.core.getattr("/f").size()).isEqualTo(at + n);
      long h = fx.core.open("/f", 0);
      try {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
          assertThat(fx.core.read(h, b, at + b.position())).isPositive();
        }
        assertThat(b.array()).isEqualTo(data);
      } finally {
        fx.core.release(h);
      }
    }
  }

  /** A file unlinked and closed before the grid held it leaves nothing in the spool. */
  @Test
  void aFileUnlinkedBeforeItsUploadLeavesNoSpool() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    grid.failWith(GridException.Kind.UNREACHABLE);
    try (CoreFixture fx = new CoreFixture(grid, null, cache(), b -> { })) {
      fx.put("/keep", CoreFixture.bytes(JournalCodec.MAX_INLINE + 1, 1));
      fx.put("/gone", CoreFixture.bytes(JournalCodec.MAX_INLINE + 1, 2));
      Set<String> both = spoolNames();
      assertThat(both).hasSize(2);
      long used = fx.core.status().spoolBytes();
      fx.core.unlink("/gone");
      assertThat(spoolNames()).hasSize(1);
      assertThat(fx.core.status().spoolBytes()).isLessThan(used);
      grid.heal();
      fx.core.sync(Duration.ofSeconds(30));
      assertThat(grid.entries(fx.rootCap).keySet()).containsExactly("keep");
    }
  }

  /**
   * A sync that meets a lost force and then cannot rewrite the journal fails with the
   * rewrite's error, carrying the lost force, so the log says both.
   */
  @Test
  void aFailedRewriteAfterALostForceCarriesTheLostForce() throws Exception {
    FaultyChannels disk = new FaultyChannels();
    MemoryGrid grid = MemoryGrid.inMemory();
    grid.failWith(GridException.Kind.UNREACHABLE);
    MountConfig config = MountConfig.builder(grid.newRoot(), cache())
        .journalForceInterval(Duration.ZERO).owner(1000, 1000).build();
    MountCore core = MountCore.open(config, grid, disk);
    try {
      WriteBack wb = core.writeBack();
      long fh = core.create("/f", 0644, MountCore.O_WRONLY | MountCore.O_CREAT,
          CoreFixture.USER);
      core.write(fh, ByteBuffer.wrap(new byte[] {1}), 0);
      disk.failForces = true;
      long seq = wb.lastSeq();
      assertThatThrownBy(() -> wb.durable(seq)).isInstanceOf(IOException.class)
          .isNotInstanceOf(Journal.ForceLostException.class)
          .satisfies(e -> assertThat(e.getSuppressed())
              .hasAtLeastOneElementOfType(Journal.ForceLostException.class));
      disk.failForces = false;
      wb.durable(seq); // the rewrite works now
      core.release(fh);
    } finally {
      core.crash();
    }
  }

  /**
   * A journal over 1 MiB with nothing pending is rewritten as its (empty) snapshot after the
   * uploader's round; one under 1 MiB is left to grow (a rewrite costs a forced file).
   */
  @Test
  void aJournalOverOneMebibyteWithNothingPendingIsRewrittenAndOneUnderIsNot() throws Exception {
    try (CoreFixture fx = new CoreFixture(MemoryGrid.inMemory(), null, cache(), b -> { })) {
      WriteBack wb = fx.core.writeBack();
      fx.put("/small", CoreFixture.bytes(60_000, 1)); // inline: the journal holds its bytes
      fx.core.sync(Duration.ofSeconds(30));
      awaitARoundAfter(wb, wb.uploader.rounds());
      assertThat(wb.journalBytes()).as("under 1 MiB: kept").isGreaterThan(60_000);
      for (int i = 0; i < 18; i++) {
        fx.put("/f" + i, CoreFixture.bytes(60_000, i + 2));
      }
      fx.core.sync(Duration.ofSeconds(30));
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (wb.journalBytes() >= 60_000 && System.nanoTime() < deadline) {
        awaitARoundAfter(wb, wb.uploader.rounds());
      }
      assertThat(wb.journalBytes()).as("over 1 MiB, nothing pending: rewritten")
          .isLessThan(60_000);
      fx.crashAndReopen();
      assertThat(fx.get("/f17")).isEqualTo(CoreFixture.bytes(60_000, 19));
    }
  }

  /**
   * The compaction bounds are exact: a journal of exactly 1 MiB with nothing pending is kept,
   * one byte-sized record more and it is rewritten; one of exactly 64 MiB with work pending is
   * rewritten. (The uploader is stopped: only the test calls {@code maybeCompact}.)
   */
  @Test
  void theCompactionBoundsAreExact() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    String root = grid.newRoot();
    CoreFixture fx = new CoreFixture(grid, root, cache(), b -> { });
    try {
      WriteBack wb = fx.core.writeBack();
      wb.uploader.stop();
      fillTo(wb, 1 << 20);
      wb.maybeCompact();
      assertThat(wb.journalBytes()).as("exactly 1 MiB, nothing pending: kept")
          .isEqualTo(1 << 20);
      wb.record(new JournalRecord.DirCreated(1, "c"));
      wb.maybeCompact();
      assertThat(wb.journalBytes()).as("over 1 MiB: rewritten").isLessThan(1000);
      wb.record(new JournalRecord.RemoveEntry(new DirRef.Cap(root), "x", false)); // pending
      fillTo(wb, 64L << 20);
      wb.maybeCompact();
      assertThat(wb.journalBytes()).as("exactly 64 MiB: rewritten").isLessThan(1000);
    } finally {
      fx.core.crash();
    }
  }

  /** Appends DirCreated records (state, not pending work) until the journal is {@code target}. */
  private static void fillTo(WriteBack wb, long target) throws IOException {
    long before = wb.journalBytes();
    wb.record(new JournalRecord.DirCreated(2, "c"));
    long frame = wb.journalBytes() - before - 1; // a record's bytes beside its cap's
    while (true) {
      long cap = target - wb.journalBytes() - frame;
      assertThat(cap).isPositive();
      if (cap <= 0xffff) {
        wb.record(new JournalRecord.DirCreated(2, BIG.substring(0, (int) cap)));
        break;
      }
      int part = (int) Math.min(60_000, cap - 100);
      wb.record(new JournalRecord.DirCreated(2, BIG.substring(0, part)));
    }
    assertThat(wb.journalBytes()).isEqualTo(target);
  }

  private static final String BIG = "c".repeat(0xffff);

  private static void awaitARoundAfter(WriteBack wb, long rounds) throws InterruptedException {
    wb.uploader.kick(true);
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (wb.uploader.rounds() <= rounds) {
      assertThat(System.nanoTime()).as("an upload round").isLessThan(deadline);
      Thread.sleep(5);
    }
  }
}
