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
 * listxattr names user.cairn.verifycap exactly where getxattr answers it, over the real grid
 * client (which keeps files of at most 55 bytes as literals, with no verify cap): getxattr
 * answers from the last closed version, so what an open handle has written does not count.
 * (rsync -X and cp -a out of the mount read every name listed.)
 */
class VerifyCapListingTest {
  static final Duration HOUR = Duration.ofHours(1);
  static final GridConfig CONFIG = GridConfig.builder()
      .params(EncodingParams.builder().k(2).happy(3).n(4).segmentSize(16 * 1024).build())
      .stallTimeout(Duration.ofSeconds(3)).readTimeout(Duration.ofSeconds(3)).build();

  @TempDir Path dir;

  /** Something done to a mount's core over four real servers, uploads held back. */
  private interface OnTheMount {
    void run(MountCore c, CoreFixture fx) throws Exception;
  }

  private void onARealGrid(OnTheMount body) throws Exception {
    try (TestGrid grid = new TestGrid(dir.resolve("grid"), 4)) {
      ClientFileSystem fs = ClientFileSystem.create(grid.client(CONFIG));
      String root = fs.createDirectory().get();
      try (CoreFixture fx = new CoreFixture(fs, root, dir.resolve("cache"),
          b -> b.coalesceDelay(HOUR).coalesceLimit(HOUR))) {
        body.run(fx.core, fx);
      }
    }
  }

  private static void listedWhereAnswered(MountCore c, String path) throws FsException {
    List<String> listed = c.listxattr(path);
    boolean answers;
    try {
      c.getxattr(path, MountCore.VERIFYCAP);
      answers = true;
    } catch (FsException e) {
      assertThat(e.error()).as(e.getMessage()).isEqualTo(FsError.NO_ATTRIBUTE);
      answers = false;
    }
    assertThat(listed.contains(MountCore.VERIFYCAP))
        .as("listed %s, getxattr answers: %s", listed, answers).isEqualTo(answers);
  }

  /** Closed at 10 bytes (a literal, pending), grown to 100 by the open handle: not listed. */
  @Test
  void aFileGrownByAnOpenHandleListsTheVerifyCapOnlyWhereGetxattrAnswers() throws Exception {
    onARealGrid((c, fx) -> {
      long fh = fx.create("/f");
      c.write(fh, ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}), 0);
      c.flush(fh); // the closed version: 10 bytes, held back by the coalesce delay
      c.write(fh, ByteBuffer.wrap(CoreFixture.bytes(90, 1)), 10); // open: 100 bytes
      listedWhereAnswered(c, "/f");
      c.release(fh);
    });
  }

  /** Closed at 100 bytes (pending), truncated to 10 by the open handle: listed. */
  @Test
  void aFileShrunkByAnOpenHandleListsTheVerifyCapWhereGetxattrAnswers() throws Exception {
    onARealGrid((c, fx) -> {
      long fh = fx.create("/f");
      c.write(fh, ByteBuffer.wrap(CoreFixture.bytes(100, 2)), 0);
      c.flush(fh);
      c.ftruncate(fh, 10); // open: 10 bytes
      listedWhereAnswered(c, "/f");
      c.release(fh);
    });
  }

  /** A new file written and not closed: its closed version is the empty file its create named. */
  @Test
  void aNewFileNotYetClosedListsTheVerifyCapOnlyWhereGetxattrAnswers() throws Exception {
    onARealGrid((c, fx) -> {
      long fh = fx.create("/n");
      c.write(fh, ByteBuffer.wrap(CoreFixture.bytes(100, 3)), 0); // never flushed
      listedWhereAnswered(c, "/n");
      c.release(fh);
    });
  }
}
