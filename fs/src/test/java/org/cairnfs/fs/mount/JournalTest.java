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
 * The journal file's own promises. Not tested here: a force racing a compaction's close of the
 * old file (the gap between reading the channel and forcing it is too short to meet by chance).
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

  @AfterEach
  void unmountTmpfs() throws Exception {
    tmpfs.close();
  }
}
