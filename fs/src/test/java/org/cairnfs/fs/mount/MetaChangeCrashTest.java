package org.cairnfs.fs.mount;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A metadata change (chmod, utimens, chown) of a file that is open with changes not yet closed
 * is journaled at once; a kill before the close must leave the file's last closed content, not
 * an entry pointing at changes that never were committed.
 */
class MetaChangeCrashTest {
  @TempDir
  Path dir;

  @Test
  void aChmodOfAFileOpenWithUnclosedChangesKeepsItsUploadedContentAcrossAKill()
      throws Exception {
    try (CoreFixture fx = new CoreFixture(dir)) {
      byte[] v1 = CoreFixture.bytes(50_000, 1);
      fx.put("/f", v1);
      fx.core.sync(Duration.ofSeconds(30)); // v1 is on the grid: the file's base
      long fh = fx.core.open("/f", MountCore.O_WRONLY);
      fx.core.write(fh, ByteBuffer.wrap(new byte[] {9, 9, 9}), 100); // never closed
      fx.core.chmod("/f", 0600);
      fx.crashAndReopen();
      assertThat(fx.get("/f")).isEqualTo(v1);
      assertThat(fx.core.getattr("/f").mode()).isEqualTo(0600);
    }
  }

  @Test
  void aChmodOfAFileOpenWithUnclosedChangesKeepsItsJournaledContentAcrossAKill()
      throws Exception {
    try (CoreFixture fx = new CoreFixture(dir)) {
      byte[] v1 = CoreFixture.bytes(50_000, 2);
      fx.put("/g", v1); // closed, maybe not uploaded yet
      long fh = fx.core.open("/g", MountCore.O_RDWR);
      fx.core.ftruncate(fh, 10);
      fx.core.chmod("/g", 0640);
      fx.crashAndReopen();
      assertThat(fx.get("/g")).isEqualTo(v1);
    }
  }

  @Test
  void aReadersCloseOrACapReadDuringAnOTruncRewriteJournalsNothingOfIt() throws Exception {
    try (CoreFixture fx = new CoreFixture(dir)) {
      byte[] v1 = CoreFixture.bytes(50_000, 3);
      fx.put("/f", v1);
      fx.core.sync(Duration.ofSeconds(30));
      byte[] cap = fx.core.getxattr("/f", MountCore.READCAP);
      long writer = fx.core.open("/f", MountCore.O_WRONLY | MountCore.O_TRUNC);
      fx.core.write(writer, ByteBuffer.wrap(new byte[] {7, 7, 7}), 0); // never closed
      long reader = fx.core.open("/f", 0);
      fx.core.flush(reader);
      fx.core.release(reader);
      assertThat(fx.core.getxattr("/f", MountCore.READCAP)).as("the last closed version")
          .isEqualTo(cap);
      fx.crashAndReopen();
      assertThat(fx.get("/f")).isEqualTo(v1);
    }
  }

  @Test
  void aSetIdDropOnAnAlreadyEmptyFileSurvivesAKill() throws Exception {
    try (CoreFixture fx = new CoreFixture(dir)) {
      fx.put("/e", new byte[0]);
      fx.core.chmod("/e", 04755);
      long fh = fx.core.open("/e", MountCore.O_WRONLY | MountCore.O_TRUNC, CoreFixture.USER);
      fx.core.flush(fh);
      fx.core.release(fh);
      assertThat(fx.core.getattr("/e").mode()).isEqualTo(0755);
      fx.crashAndReopen();
      assertThat(fx.core.getattr("/e").mode()).isEqualTo(0755);
    }
  }
}
