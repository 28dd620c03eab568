package org.cairnfs.fs.mount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Edges of the mount core that its other tests pass by (the fifth measure's survivors, see
 * docs/testing.md): the relatime rule, statfs when the grid fails, and the checks of the
 * handle and path operations.
 */
class MountCoreEdgesTest {
  static final Instant C = Instant.parse("2026-01-01T00:00:00Z");

  @TempDir
  Path dir;

  /** A fixture whose clock reads {@code now}. */
  CoreFixture clocked(AtomicReference<Instant> now) throws Exception {
    InstantSource clock = now::get;
    return new CoreFixture(MemoryGrid.inMemory(), null, dir, b -> b.clock(clock));
  }

  static Instant readAndAtime(CoreFixture fx, String path) throws Exception {
    long fh = fx.core.open(path, 0);
    try {
      assertThat(fx.core.read(fh, ByteBuffer.allocate(10), 0)).isEqualTo(3);
      return fx.core.fgetattr(fh).atime();
    } finally {
      fx.core.release(fh);
    }
  }

  /**
   * relatime: a read sets the access time when it is not after the modification time, or not
   * after the change time, or a day old; each of the three alone is enough, and a read of a
   * file accessed since its last change, less than a day ago, leaves it.
   */
  @Test
  void aReadUpdatesTheAccessTimeAsRelatimeDoes() throws Exception {
    AtomicReference<Instant> now = new AtomicReference<>(C);
    try (CoreFixture fx = clocked(now)) {
      fx.put("/f", new byte[] {1, 2, 3});
      // atime not after mtime (both ahead of the clock), after ctime (C), not a day old
      fx.core.utimens("/f", TimeSpec.at(C.plusSeconds(36_000)), TimeSpec.at(C.plusSeconds(72_000)));
      assertThat(readAndAtime(fx, "/f")).as("not after the mtime").isEqualTo(C);
      // atime after mtime, not after ctime (C), an hour old
      fx.core.utimens("/f", TimeSpec.at(C.minusSeconds(3600)), TimeSpec.at(C.minusSeconds(7200)));
      assertThat(readAndAtime(fx, "/f")).as("not after the ctime").isEqualTo(C);
      // atime after both: kept for less than a day, set again at exactly a day
      Instant a = C.plusSeconds(1);
      fx.core.utimens("/f", TimeSpec.at(a), TimeSpec.at(C.minusSeconds(7200)));
      now.set(a.plus(Duration.ofHours(24)).minusNanos(1));
      assertThat(readAndAtime(fx, "/f")).as("accessed since the change, within a day")
          .isEqualTo(a);
      now.set(a.plus(Duration.ofHours(24)));
      assertThat(readAndAtime(fx, "/f")).as("a day after").isEqualTo(now.get());
    }
  }

  /** statfs with no answer from the grid yet fails with the grid's errno, not with a crash. */
  @Test
  void statfsFailsWhenTheGridNeverAnswered() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    try (CoreFixture fx = new CoreFixture(grid, null, dir, b -> { })) {
      grid.failReadsWith(GridException.Kind.FULL);
      assertThatThrownBy(() -> fx.core.statfs()).isInstanceOf(FsException.class)
          .satisfies(e -> assertThat(((FsException) e).error()).isEqualTo(FsError.NO_SPACE))
          .hasMessageContaining("asking the grid for space");
      grid.heal();
      assertThat(fx.core.statfs().freeBlocks()).isEqualTo((1L << 40) / FsSpace.BLOCK_SIZE);
    }
  }
}
