package org.cairnfs.fs.mount;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;
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
}
