package org.cairnfs.fs.mount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.channels.ClosedChannelException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.cairnfs.fs.mount.JournalRecord.DirCreated;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal file's own promises. Not tested here: a force racing a compaction's close of the
 * old file (the gap between reading the channel and forcing it is too short to meet by chance).
 */
class JournalTest {
  @TempDir Path dir;

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
    assumeTrue("root".equals(System.getProperty("user.name")), "mounting a tmpfs needs root");
    Path small = Files.createDirectories(dir.resolve("small"));
    run("mount", "-t", "tmpfs", "-o", "size=64k", "cairn-journal-test", small.toString());
    try {
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
    } finally {
      run("umount", "-l", small.toString());
    }
  }

  private static void run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor()).as("%s: %s", String.join(" ", command), out).isZero();
  }
}
