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
  private static final Duration LONG_BACKOFF = Duration.ofSeconds(30);
  private final MemoryGrid grid = MemoryGrid.inMemory();

  /** A core whose grid is unreachable, with one closed file it cannot upload. */
  private CoreFixture withAFileTheGridRefuses(
      java.util.function.Consumer<MountConfig.Builder> tweak) throws Exception {
    CoreFixture fx = new CoreFixture(grid, null, dir, tweak);
    grid.failWith(GridException.Kind.UNREACHABLE);
    fx.put("/f", new byte[] {1, 2});
    return fx;
  }

  /**
   * With the grid unreachable, the drain retries at the uploader's backoff (here 0.5 s, then
   * 1 s), not in a loop: before, each failed round made the drain ask for another at once
   * (29 100 rounds in these 3 s, a WARN each), for the whole timeout.
   */
  @Test
  void anUnmountWithTheGridDownRetriesAtTheBackoffsPaceNotInALoop() throws Exception {
    CoreFixture fx =
        withAFileTheGridRefuses(b -> b.retry(Duration.ofMillis(500), Duration.ofSeconds(1)));
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
    CoreFixture fx = withAFileTheGridRefuses(b -> { });
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

  /**
   * An unmount asks for a round at once even while the uploader waits out a long backoff: the
   * grid came back, and the drain must not sit through the 30 s the failures earned.
   */
  @Test
  void anUnmountAsksForARoundAtOnceWhileTheUploaderBacksOff() throws Exception {
    CoreFixture fx = withAFileTheGridRefuses(b -> b.retry(LONG_BACKOFF, LONG_BACKOFF));
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
    while (!fx.core.writeBack().uploader.failing() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(fx.core.writeBack().uploader.failing()).as("a round failed").isTrue();
    grid.heal();
    MountStatus end = fx.core.close(Duration.ofSeconds(10), s -> { });
    assertThat(end.clean()).as("drained within 10 s, not after the 30 s backoff").isTrue();
  }

  /** An unmount interrupted while it waits out a failing round stops and keeps the interrupt. */
  @Test
  void anUnmountInterruptedWhileItWaitsForARoundStopsAndKeepsTheInterrupt() throws Exception {
    CoreFixture fx = withAFileTheGridRefuses(b -> b.retry(LONG_BACKOFF, LONG_BACKOFF));
    java.util.concurrent.CompletableFuture<Boolean> keptInterrupt =
        new java.util.concurrent.CompletableFuture<>();
    java.util.concurrent.atomic.AtomicReference<MountStatus> end =
        new java.util.concurrent.atomic.AtomicReference<>();
    Thread closer = new Thread(() -> {
      try {
        end.set(fx.core.close(Duration.ofSeconds(30), s -> { }));
        keptInterrupt.complete(Thread.currentThread().isInterrupted());
      } catch (Throwable e) {
        keptInterrupt.completeExceptionally(e);
      }
    });
    closer.start();
    // past the first, urgent round (it fails): the drain now waits for the backoff's round
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
    while ((closer.getState() != Thread.State.TIMED_WAITING
        || !fx.core.writeBack().uploader.failing()) && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    Thread.sleep(200);
    closer.interrupt();
    assertThat(keptInterrupt.get(5, java.util.concurrent.TimeUnit.SECONDS))
        .as("the interrupt is kept").isTrue();
    assertThat(end.get().clean()).isFalse();
  }
}
