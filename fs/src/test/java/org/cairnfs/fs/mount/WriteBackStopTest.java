package org.cairnfs.fs.mount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How the write-back stops: the journal forcer's thread, the journal's file, a force lost
 * before the close, an interrupt arriving before a kill.
 */
class WriteBackStopTest {
  private static final Duration HOUR = Duration.ofHours(1);

  @TempDir
  Path dir;

  private static Thread forcer(WriteBack wb) throws ReflectiveOperationException {
    var f = WriteBack.class.getDeclaredField("forcer");
    f.setAccessible(true);
    return (Thread) f.get(wb);
  }

  private static Thread uploader(WriteBack wb) throws ReflectiveOperationException {
    var f = Uploader.class.getDeclaredField("thread");
    f.setAccessible(true);
    return (Thread) f.get(wb.uploader);
  }

  private MountCore open(Duration forceEvery, Journal.Channels disk, MemoryGrid grid)
      throws IOException {
    MountConfig config = MountConfig.builder(grid.newRoot(), dir.resolve("cache"))
        .journalForceInterval(forceEvery).coalesceDelay(Duration.ofMillis(20))
        .retry(Duration.ofMillis(20), Duration.ofMillis(100)).owner(1000, 1000).build();
    return MountCore.open(config, grid, disk);
  }

  private static void put(MountCore core, String path, int size) throws FsException {
    long fh = core.create(path, 0644, MountCore.O_WRONLY | MountCore.O_CREAT, CoreFixture.USER);
    try {
      core.write(fh, ByteBuffer.wrap(new byte[size]), 0);
      core.flush(fh);
    } finally {
      core.release(fh);
    }
  }

  /** A close and a kill both stop the forcer and the uploader: no thread of the mount left. */
  @Test
  void aCloseAndAKillLeaveNoForcerRunning() throws Exception {
    for (boolean kill : new boolean[] {false, true}) {
      MountCore core = open(HOUR, java.nio.channels.FileChannel::open, MemoryGrid.inMemory());
      Thread forcer = forcer(core.writeBack());
      Thread uploader = uploader(core.writeBack());
      assertThat(forcer.isAlive()).isTrue();
      assertThat(uploader.isAlive()).isTrue();
      if (kill) {
        core.crash();
      } else {
        core.close();
      }
      assertThat(forcer.isAlive()).as(kill ? "after a kill" : "after a close").isFalse();
      assertThat(uploader.isAlive()).as(kill ? "uploader after a kill" : "uploader after a close")
          .isFalse();
    }
  }

  /**
   * The forcer forces once its interval has passed, not before: a record appended under an
   * hour's interval is still unforced a while later (nothing else forces here: the uploader was
   * not woken). A forcer that stopped waiting would force it at once, again and again.
   */
  @Test
  void theForcerWaitsItsInterval() throws Exception {
    MountCore core = open(HOUR, java.nio.channels.FileChannel::open, MemoryGrid.inMemory());
    try {
      WriteBack wb = core.writeBack();
      wb.record(new JournalRecord.DirCreated(77, "URI:DIR2:x"));
      Thread.sleep(300); // an absence: no bound on speed, the interval is an hour
      assertThat(wb.journalSyncedBytes()).isLessThan(wb.journalBytes());
    } finally {
      core.crash();
    }
  }

  /**
   * An interrupt that arrives before a kill is kept for the caller: the joins of the uploader
   * and the forcer give up at once and set it again.
   */
  @Test
  void anInterruptBeforeAKillIsKept() throws Exception {
    MountCore core = open(HOUR, java.nio.channels.FileChannel::open, MemoryGrid.inMemory());
    Thread forcer = forcer(core.writeBack());
    Thread.currentThread().interrupt();
    try {
      core.crash();
    } catch (IOException e) {
      // the cache dir lock's release on an interrupted thread may say so
    } finally {
      assertThat(Thread.interrupted()).as("the interrupt kept").isTrue();
    }
    forcer.join(10_000); // told to stop: it goes on its own
    assertThat(forcer.isAlive()).isFalse();
  }

  /**
   * A close after a lost force rewrites the journal from memory, so its own force proves what
   * is on the disk and it succeeds; the journal's files are all closed after it; a remount has
   * every close.
   */
  @Test
  void aCloseAfterALostForceRewritesTheJournalAndClosesIt() throws Exception {
    FaultyChannels disk = new FaultyChannels();
    MemoryGrid grid = MemoryGrid.inMemory();
    grid.failWith(GridException.Kind.UNREACHABLE); // all stays pending, in the journal only
    MountCore core = open(Duration.ZERO, disk, grid);
    String root = core.writeBack().config.rootCap();
    put(core, "/a", 1);
    disk.failForces = true;
    assertThatThrownBy(() -> put(core, "/b", 2)).isInstanceOf(FsException.class);
    assertThat(core.writeBack().journalSyncedBytes()).isLessThan(core.writeBack().journalBytes());
    disk.failForces = false;
    core.close(Duration.ZERO, s -> { }); // throws if its force met the lost one unrewritten
    assertThat(disk.stillOpen()).as("the journal's files closed").isZero();
    grid.heal();
    MountCore again = MountCore.open(MountConfig.builder(root, dir.resolve("cache"))
        .owner(1000, 1000).build(), grid);
    try {
      assertThat(again.getattr("/a").size()).isEqualTo(1);
      assertThat(again.getattr("/b").size()).isEqualTo(2);
    } finally {
      again.close();
    }
  }

  /** A close whose rewrite after a lost force fails too says so: it cannot vouch for the disk. */
  @Test
  void aCloseThatCannotRewriteAfterALostForceFails() throws Exception {
    FaultyChannels disk = new FaultyChannels();
    MemoryGrid grid = MemoryGrid.inMemory();
    grid.failWith(GridException.Kind.UNREACHABLE);
    MountCore core = open(Duration.ZERO, disk, grid);
    put(core, "/a", 1);
    disk.failForces = true;
    assertThatThrownBy(() -> put(core, "/b", 2)).isInstanceOf(FsException.class);
    assertThatThrownBy(() -> core.close(Duration.ZERO, s -> { }))
        .isInstanceOf(IOException.class);
    assertThat(disk.stillOpen()).as("closed all the same").isZero();
  }
}
