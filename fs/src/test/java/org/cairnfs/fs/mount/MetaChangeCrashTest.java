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

  /**
   * A file uploaded before a kill but still named by a pending entry (its directory's publish
   * failing) comes back from the journal as uploaded up to some generation. A change closed
   * after that replay must be numbered above it: numbered from 1 again, it read as already on
   * the grid at the next replay and was dropped, the file going back to the uploaded version
   * (found by MountCoreFsxTest's seed 60228510252958, about one run in fifteen).
   */
  @Test
  void aChangeClosedAfterAReplayOfAnUploadedFileSurvivesTheNextKill() throws Exception {
    try (CoreFixture fx = new CoreFixture(dir)) {
      fx.grid.failPublishesWith(GridException.Kind.UNREACHABLE);
      byte[] v1 = CoreFixture.bytes(30_000, 5);
      fx.put("/u", v1);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (fx.fileData("/u").hasLocalChanges()) { // uploaded; its entry still pending
        assertThat(System.nanoTime() < deadline).as("v1 uploaded within 30 s").isTrue();
        Thread.sleep(20);
      }
      fx.crashAndReopen();
      fx.grid.failWith(GridException.Kind.UNREACHABLE); // v2 stays in the journal
      byte[] v2 = CoreFixture.bytes(20_000, 6);
      fx.put("/u", v2);
      fx.crashAndReopen();
      assertThat(fx.get("/u")).isEqualTo(v2);
      fx.grid.heal(); // so that closing drains at once
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
