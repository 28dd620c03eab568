package org.cairnfs.fs.mount;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A truncation or allocation that leaves the bytes as they were (an O_TRUNC open of an empty
 * file, truncate or ftruncate to the size a file has, fallocate inside it or keeping its size)
 * still sets mtime and ctime, as Linux filesystems do, and those times are journaled, not only
 * set in memory: the close has no data to journal them with.
 */
class MountCoreTruncateTimesTest {
  @TempDir
  Path dir;

  @Test
  void aTruncationThatChangesNoByteKeepsItsNewTimesThroughACrashAndOnTheGrid() throws Exception {
    Instant old = Instant.parse("2001-02-03T04:05:06Z");
    Instant later = old.plusSeconds(1000);
    AtomicReference<Instant> now = new AtomicReference<>(old);
    MemoryGrid grid = MemoryGrid.inMemory();
    String[] paths = {"/opened", "/truncated", "/ftruncated", "/allocated"};
    try (CoreFixture fx = new CoreFixture(grid, null, dir, b -> b.clock(now::get))) {
      fx.put("/opened", new byte[0]);
      fx.put("/truncated", new byte[] {1, 2, 3, 4, 5});
      fx.put("/ftruncated", new byte[] {6, 7});
      fx.put("/allocated", new byte[] {8, 9, 10});
      fx.core.sync(Duration.ofSeconds(30));
      grid.failWith(GridException.Kind.UNREACHABLE); // nothing leaves before the crash
      now.set(later);
      long fh = fx.core.open("/opened", MountCore.O_WRONLY | MountCore.O_TRUNC);
      fx.core.flush(fh);
      fx.core.release(fh);
      fx.core.truncate("/truncated", 5);
      fh = fx.core.open("/ftruncated", MountCore.O_RDWR);
      fx.core.ftruncate(fh, 2);
      fx.core.flush(fh);
      fx.core.release(fh);
      fh = fx.core.open("/allocated", MountCore.O_WRONLY);
      fx.core.fallocate(fh, MountCore.FALLOC_KEEP_SIZE, 0, 1 << 20);
      fx.core.fallocate(fh, 0, 0, 2); // inside the file: no byte changes either
      fx.core.flush(fh);
      fx.core.release(fh);
      for (String p : paths) {
        assertThat(fx.core.getattr(p).mtime()).as(p + " in memory").isEqualTo(later);
      }
      fx.crashAndReopen();
      for (String p : paths) {
        StatInfo st = fx.core.getattr(p);
        assertThat(st.mtime()).as(p + " from the journal").isEqualTo(later);
        assertThat(st.ctime()).as(p + " from the journal").isEqualTo(later);
      }
      assertThat(fx.get("/truncated")).containsExactly(1, 2, 3, 4, 5);
      assertThat(fx.get("/ftruncated")).containsExactly(6, 7);
      assertThat(fx.get("/allocated")).containsExactly(8, 9, 10);
      grid.heal();
      fx.core.sync(Duration.ofSeconds(30));
      fx.closeAndReopen();
      for (String p : paths) {
        assertThat(fx.core.getattr(p).mtime()).as(p + " from the grid").isEqualTo(later);
      }
      assertThat(fx.get("/opened")).isEmpty();
    }
  }

  /**
   * A user's read-only O_TRUNC open of an empty file (Linux truncates for O_TRUNC whatever the
   * access mode, given write permission) sets its times and drops its setuid bit, and both are
   * journaled.
   */
  @Test
  void aUsersReadOnlyTruncatingOpenOfAnEmptyFileSetsTimesAndDropsSetuid() throws Exception {
    Instant old = Instant.parse("2001-02-03T04:05:06Z");
    Instant later = old.plusSeconds(1000);
    AtomicReference<Instant> now = new AtomicReference<>(old);
    MemoryGrid grid = MemoryGrid.inMemory();
    try (CoreFixture fx = new CoreFixture(grid, null, dir, b -> b.clock(now::get))) {
      fx.put("/s", new byte[0]);
      fx.core.chmod("/s", 04666);
      fx.core.sync(Duration.ofSeconds(30));
      grid.failWith(GridException.Kind.UNREACHABLE);
      now.set(later);
      fx.core.release(fx.core.open("/s", MountCore.O_TRUNC, // O_RDONLY is 0
          CoreFixture.USER));
      assertThat(fx.core.getattr("/s").mode() & 07777).isEqualTo(0666);
      fx.crashAndReopen();
      StatInfo st = fx.core.getattr("/s");
      assertThat(st.mode() & 07777).as("from the journal").isEqualTo(0666);
      assertThat(st.mtime()).as("from the journal").isEqualTo(later);
      assertThat(st.ctime()).as("from the journal").isEqualTo(later);
      grid.heal();
    }
  }
}
