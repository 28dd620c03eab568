package org.cairnfs.fs.mount;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How an unmount drains when the grid does not take what is pending. */
class MountCoreCloseTest {
  @TempDir
  Path dir;

  /**
   * With the grid unreachable, the drain retries at the uploader's backoff (here 0.5 s, then
   * 1 s), not in a loop: before, each failed round made the drain ask for another at once
   * (29 100 rounds in these 3 s, a WARN each), for the whole timeout.
   */
  @Test
  void anUnmountWithTheGridDownRetriesAtTheBackoffsPaceNotInALoop() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    CoreFixture fx = new CoreFixture(grid, null, dir,
        b -> b.retry(Duration.ofMillis(500), Duration.ofSeconds(1)));
    grid.failWith(GridException.Kind.UNREACHABLE);
    fx.put("/f", new byte[] {1, 2});
    int failedBefore = grid.failureTimes.size();
    List<MountStatus> reports = new ArrayList<>();
    MountStatus end = fx.core.close(Duration.ofSeconds(3), reports::add);
    assertThat(end.clean()).isFalse();
    assertThat(end.lastError()).isPresent();
    // rounds at about 0, 0.5, 1.5 and 2.5 s (one file: one failure each)
    assertThat(grid.failureTimes.size() - failedBefore).as("failed rounds in 3 s")
        .isBetween(1, 8);
    assertThat(reports).as("progress reports, about one a second").hasSizeBetween(2, 12);
  }

  /** An interrupted unmount stops draining at once and keeps the interrupt. */
  @Test
  void anInterruptedUnmountStopsDrainingAndKeepsTheInterrupt() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    CoreFixture fx = new CoreFixture(grid, null, dir, b -> { });
    grid.failWith(GridException.Kind.UNREACHABLE);
    fx.put("/f", new byte[] {1, 2});
    List<MountStatus> reports = new ArrayList<>();
    Thread.currentThread().interrupt();
    long start = System.nanoTime();
    MountStatus end;
    try {
      end = fx.core.close(Duration.ofSeconds(20), reports::add);
    } finally {
      assertThat(Thread.interrupted()).as("the interrupt is kept").isTrue();
    }
    assertThat(end.clean()).isFalse();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    assertThat(reports).hasSizeLessThanOrEqualTo(2);
  }
}
