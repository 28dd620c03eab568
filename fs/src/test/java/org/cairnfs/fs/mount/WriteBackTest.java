package org.cairnfs.fs.mount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The write-back journal and uploader, the fast cases (PIT runs these; the ones that wait on
 * purpose, on delays, pauses or drains, are in {@link WriteBackSlowTest}).
 */
class WriteBackTest {
  static final Caller U = CoreFixture.USER;
  @TempDir
  Path dir;

  @Test
  void closedFilesSurviveACrashAndReachTheGridAfterReplay() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    grid.failWith(GridException.Kind.UNREACHABLE); // nothing leaves before the crash
    try (CoreFixture fx = new CoreFixture(grid, null, dir, b -> { })) {
      fx.core.mkdir("/a", 0700, U);
      fx.put("/a/small", "small".getBytes(StandardCharsets.UTF_8));
      byte[] big = CoreFixture.bytes(500_000, 7);
      fx.put("/a/big", big);
      fx.core.symlink("small", "/a/link", U);
      fx.core.rename("/a/small", "/a/renamed", 0);
      fx.core.chmod("/a/renamed", 0600);
      long open = fx.core.create("/a/unclosed", 0644, MountCore.O_WRONLY, U);
      fx.core.write(open, ByteBuffer.wrap(new byte[] {1, 2, 3}), 0); // never flushed
      long edit = fx.core.open("/a/big", MountCore.O_RDWR);
      fx.core.write(edit, ByteBuffer.wrap(new byte[100]), 0); // edit of a closed file, unflushed
      assertThat(grid.publishCount()).isZero();

      fx.crashAndReopen();
      MountCore core = fx.core;
      // the mount answers at once from the journal, before anything reached the grid
      assertThat(core.readdir("/a")).extracting(DirEntryInfo::name)
          .containsExactly(".", "..", "big", "link", "renamed", "unclosed");
      assertThat(fx.get("/a/renamed")).isEqualTo("small".getBytes(StandardCharsets.UTF_8));
      assertThat(core.getattr("/a/renamed").mode()).isEqualTo(0600);
      assertThat(fx.get("/a/big")).isEqualTo(big); // the previous whole version
      assertThat(fx.get("/a/unclosed")).isEmpty(); // created, its data never committed
      assertThat(core.readlink("/a/link")).isEqualTo("small");
      assertThat(core.getattr("/a").mode()).isEqualTo(0700);

      grid.heal();
      core.sync(Duration.ofSeconds(30));
      String a = grid.entries(fx.rootCap).get("a").cap().orElseThrow();
      assertThat(grid.entries(a).keySet()).containsExactly("big", "link", "renamed",
          "unclosed");
      assertThat(grid.content(grid.entries(a).get("big").cap().orElseThrow())).isEqualTo(big);
      assertThat(grid.entries(a).get("renamed").metadata().mode()).isEqualTo(0600);
    }
  }

  @Test
  void aReplayedJournalIsIdempotentWhenTheGridAlreadyHasPartOfIt() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    try (CoreFixture fx = new CoreFixture(grid, null, dir, b -> { })) {
      fx.put("/x", "one".getBytes(StandardCharsets.UTF_8));
      fx.core.sync(Duration.ofSeconds(10));
      fx.put("/y", "two".getBytes(StandardCharsets.UTF_8));
      fx.core.sync(Duration.ofSeconds(10));
      fx.crashAndReopen(); // journal may still hold published records: replay them again
      fx.core.sync(Duration.ofSeconds(10));
      assertThat(grid.entries(fx.rootCap).keySet()).containsExactly("x", "y");
      assertThat(fx.get("/y")).isEqualTo("two".getBytes(StandardCharsets.UTF_8));
    }
  }

  @Test
  void fsyncReportsUploadFailuresAndRetriesInTheBackground() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    try (CoreFixture fx = new CoreFixture(grid, null, dir, b -> { })) {
      grid.failWith(GridException.Kind.NOT_HAPPY);
      long fh = fx.create("/f");
      fx.core.write(fh, ByteBuffer.wrap(new byte[] {1}), 0);
      fx.core.flush(fh); // write-back: close succeeds
      assertThatThrownBy(() -> fx.core.fsync(fh, false))
          .extracting(e -> ((FsException) e).error()).isEqualTo(FsError.NO_SPACE);
      assertThat(fx.core.status().lastError()).isPresent();
      assertThat(fx.core.status().pendingChanges()).isPositive();
      grid.failWith(GridException.Kind.INTEGRITY);
      assertThatThrownBy(() -> fx.core.fsync(fh, false))
          .extracting(e -> ((FsException) e).error()).isEqualTo(FsError.IO);
      grid.heal();
      fx.core.fsync(fh, false);
      fx.core.release(fh);
      assertThat(fx.core.status().clean()).isTrue();
      assertThat(fx.core.status().lastError()).isEmpty();
      assertThat(grid.entries(fx.rootCap)).containsKey("f");
    }
  }

  @Test
  void writeThroughCloseWaitsForTheGrid() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    try (CoreFixture fx = new CoreFixture(grid, null, dir, b -> b.writeThrough(true)
        .coalesceDelay(Duration.ofSeconds(5)))) {
      fx.put("/w", new byte[] {4});
      assertThat(grid.entries(fx.rootCap)).containsKey("w");
    }
  }

  /**
   * A close is in the journal when it returns (a kill loses nothing) and forced to the disk by
   * the forcer within its interval; at interval zero the close itself forces it.
   */
  @Test
  void aCloseReachesTheDiskWithinTheJournalForceInterval() throws Exception {
    try (CoreFixture fx = new CoreFixture(MemoryGrid.inMemory(), null, dir.resolve("hour"),
        b -> b.journalForceInterval(Duration.ofHours(1)).coalesceDelay(Duration.ofHours(1)))) {
      fx.put("/a", new byte[] {1});
      WriteBack wb = fx.core.writeBack();
      assertThat(wb.journalSyncedBytes()).isLessThan(wb.journalBytes());
      fx.crashAndReopen(); // the kernel kept it
      assertThat(fx.get("/a")).containsExactly(1);
    }
    try (CoreFixture fx = new CoreFixture(MemoryGrid.inMemory(), null, dir.resolve("short"),
        b -> b.journalForceInterval(Duration.ofMillis(100)).coalesceDelay(Duration.ofHours(1)))) {
      fx.put("/b", new byte[] {2});
      WriteBack wb = fx.core.writeBack();
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
      while (wb.journalSyncedBytes() < wb.journalBytes() && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(wb.journalSyncedBytes()).isEqualTo(wb.journalBytes());
    }
    try (CoreFixture fx = new CoreFixture(MemoryGrid.inMemory(), null, dir.resolve("zero"),
        b -> b.journalForceInterval(Duration.ZERO).coalesceDelay(Duration.ofHours(1)))) {
      fx.put("/c", new byte[] {3});
      WriteBack wb = fx.core.writeBack();
      assertThat(wb.journalSyncedBytes()).isEqualTo(wb.journalBytes());
    }
  }

  @Test
  void oneMountPerCacheDir() throws Exception {
    try (CoreFixture fx = new CoreFixture(dir)) {
      assertThatThrownBy(() -> MountCore.open(fx.config(b -> { }), fx.grid))
          .isInstanceOf(IOException.class).hasMessageContaining("in use by another mount");
    }
  }

  /**
   * A power loss may drop the journal's unforced suffix while the unlink of an uploaded layer
   * survives (metadata journaling). The FileUploaded record must be on disk before the layer
   * goes, or the file's committed change would be lost with it.
   */
  @Test
  void aPowerLossAfterAnUploadKeepsTheFile() throws Exception {
    try (CoreFixture fx = new CoreFixture(dir.resolve("power"))) {
      byte[] data = CoreFixture.bytes(200_000, 11); // past the inline bound: a layer file
      fx.put("/big", data);
      fx.core.sync(java.time.Duration.ofSeconds(30));
      long synced = fx.core.writeBack().journalSyncedBytes();
      fx.core.crash();
      Path journal = fx.cacheDir.resolve("journal");
      try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(journal,
          java.nio.file.StandardOpenOption.WRITE)) {
        ch.truncate(synced); // what a power loss leaves at worst
      }
      fx.reopen();
      assertThat(fx.get("/big")).isEqualTo(data);
    }
  }

  /**
   * A small file's close journals its bytes inline and does not force its layer, so a power
   * loss may take the layer file: the replay rebuilds it from the journal alone. Sparse (two
   * page runs, the last page partly written) so every offset of the copy matters.
   */
  @Test
  void aSmallFilesLayerLostWithThePowerIsRebuiltFromTheJournal() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    grid.failWith(GridException.Kind.UNREACHABLE); // nothing leaves: the journal holds it all
    try (CoreFixture fx = new CoreFixture(grid, null, dir, b -> { })) {
      byte[] head = CoreFixture.bytes(5000, 1); // pages 0 and 1
      byte[] tail = CoreFixture.bytes(300, 2); // inside page 3, the last
      long fh = fx.create("/f");
      fx.core.write(fh, ByteBuffer.wrap(head), 0);
      fx.core.write(fh, ByteBuffer.wrap(tail), 3 * 4096 + 100);
      fx.core.flush(fh);
      fx.core.release(fh);
      byte[] expected = new byte[3 * 4096 + 400];
      System.arraycopy(head, 0, expected, 0, head.length);
      System.arraycopy(tail, 0, expected, 3 * 4096 + 100, tail.length);
      assertThat(fx.get("/f")).isEqualTo(expected);
      fx.core.crash();
      try (var layers = java.nio.file.Files.list(dir.resolve("spool"))) {
        for (Path p : layers.toList()) {
          java.nio.file.Files.delete(p);
        }
      }
      fx.reopen();
      assertThat(fx.get("/f")).isEqualTo(expected);
      fx.core.crash(); // and once more, from the rewritten journal
      fx.reopen();
      assertThat(fx.get("/f")).isEqualTo(expected);
      grid.heal(); // so the close drains at once
    }
  }
}
