package org.cairnfs.fs.mount;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.cairnfs.caps.immutable.EncodingParams;
import org.cairnfs.fs.client.ClientFileSystem;
import org.cairnfs.fs.grid.GridConfig;
import org.cairnfs.fs.testing.TestGrid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review: listxattr names user.cairn.verifycap exactly where getxattr answers it, over the real
 * grid client (which keeps files of at most 55 bytes as literals).
 */
class VerifyCapListingTest {
  static final Duration HOUR = Duration.ofHours(1);
  static final GridConfig CONFIG = GridConfig.builder()
      .params(EncodingParams.builder().k(2).happy(3).n(4).segmentSize(16 * 1024).build())
      .stallTimeout(Duration.ofSeconds(3)).readTimeout(Duration.ofSeconds(3)).build();

  @TempDir Path dir;

  private static boolean answers(MountCore c, String path) {
    try {
      c.getxattr(path, MountCore.VERIFYCAP);
      return true;
    } catch (FsException e) {
      assertThat(e.error()).as(e.getMessage()).isEqualTo(FsError.NO_ATTRIBUTE);
      return false;
    }
  }

  /**
   * A file whose closed version (10 bytes, pending upload) is a literal, open for write and
   * grown to 100 bytes by its handle: getxattr answers from the last closed version (a literal:
   * ENODATA), but listxattr judged from the open size and names the verify cap, the very
   * ENODATA-for-a-listed-name that rsync -X and cp -a met.
   */
  @Test
  void aFileGrownByAnOpenHandleListsTheVerifyCapOnlyWhereGetxattrAnswers() throws Exception {
    try (TestGrid grid = new TestGrid(dir.resolve("grid"), 4)) {
      ClientFileSystem fs = ClientFileSystem.create(grid.client(CONFIG));
      String root = fs.createDirectory().get();
      try (CoreFixture fx = new CoreFixture(fs, root, dir.resolve("cache"),
          b -> b.coalesceDelay(HOUR).coalesceLimit(HOUR))) {
        MountCore c = fx.core;
        long fh = fx.create("/f");
        c.write(fh, ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}), 0);
        c.flush(fh); // the closed version: 10 bytes, held back by the coalesce delay
        c.write(fh, ByteBuffer.wrap(CoreFixture.bytes(90, 1)), 10); // open: 100 bytes
        List<String> listed = c.listxattr("/f");
        boolean answers = answers(c, "/f");
        assertThat(listed.contains(MountCore.VERIFYCAP))
            .as("listed %s, getxattr answers: %s", listed, answers).isEqualTo(answers);
        c.release(fh);
      }
    }
  }

  /** The other way: a closed 100-byte version pending, the open handle truncates to 10. */
  @Test
  void aFileShrunkByAnOpenHandleListsTheVerifyCapWhereGetxattrAnswers() throws Exception {
    try (TestGrid grid = new TestGrid(dir.resolve("grid"), 4)) {
      ClientFileSystem fs = ClientFileSystem.create(grid.client(CONFIG));
      String root = fs.createDirectory().get();
      try (CoreFixture fx = new CoreFixture(fs, root, dir.resolve("cache"),
          b -> b.coalesceDelay(HOUR).coalesceLimit(HOUR))) {
        MountCore c = fx.core;
        long fh = fx.create("/f");
        c.write(fh, ByteBuffer.wrap(CoreFixture.bytes(100, 2)), 0);
        c.flush(fh); // the closed version: 100 bytes, held back by the coalesce delay
        c.ftruncate(fh, 10); // open: 10 bytes
        List<String> listed = c.listxattr("/f");
        boolean answers = answers(c, "/f");
        assertThat(listed.contains(MountCore.VERIFYCAP))
            .as("listed %s, getxattr answers: %s", listed, answers).isEqualTo(answers);
        c.release(fh);
      }
    }
  }

  /**
   * A new file written and not yet closed: its last closed version is the empty file the
   * create journaled (a literal once on the grid), yet listxattr names the verify cap from the
   * open size.
   */
  @Test
  void aNewFileNotYetClosedListsTheVerifyCapOnlyWhereGetxattrAnswers() throws Exception {
    try (TestGrid grid = new TestGrid(dir.resolve("grid"), 4)) {
      ClientFileSystem fs = ClientFileSystem.create(grid.client(CONFIG));
      String root = fs.createDirectory().get();
      try (CoreFixture fx = new CoreFixture(fs, root, dir.resolve("cache"),
          b -> b.coalesceDelay(HOUR).coalesceLimit(HOUR))) {
        MountCore c = fx.core;
        long fh = fx.create("/n");
        c.write(fh, ByteBuffer.wrap(CoreFixture.bytes(100, 3)), 0); // never flushed
        List<String> listed = c.listxattr("/n");
        boolean answers = answers(c, "/n");
        assertThat(listed.contains(MountCore.VERIFYCAP))
            .as("listed %s, getxattr answers: %s", listed, answers).isEqualTo(answers);
        c.release(fh);
      }
    }
  }
}
