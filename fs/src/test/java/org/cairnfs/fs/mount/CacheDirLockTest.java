package org.cairnfs.fs.mount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cache dir's lock: a mount waits for a previous owner that is ending (an unmount returns
 * before the unmounted process has exited) and refuses one that stays, leaving no descriptor.
 */
class CacheDirLockTest {
  @TempDir
  Path dir;

  @Test
  void aLockLetGoWhileWaitingIsTaken() throws Exception {
    CacheDirLock first = CacheDirLock.acquire(dir, Duration.ZERO);
    CountDownLatch waiting = new CountDownLatch(1);
    CompletableFuture<CacheDirLock> second = CompletableFuture.supplyAsync(() -> {
      waiting.countDown();
      try {
        return CacheDirLock.acquire(dir, Duration.ofSeconds(30));
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    waiting.await();
    Thread.sleep(200); // the second is waiting now, not done
    assertThat(second).isNotDone();
    first.close();
    second.get(30, TimeUnit.SECONDS).close();
  }

  @Test
  void aLockHeldThroughTheWaitIsRefusedAndLeavesNoDescriptor() throws Exception {
    try (CacheDirLock held = CacheDirLock.acquire(dir, Duration.ZERO)) {
      assertThat(descriptorsOf(dir.resolve("lock"))).isEqualTo(1);
      long start = System.nanoTime();
      assertThatThrownBy(() -> CacheDirLock.acquire(dir, Duration.ofSeconds(1)))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("cache dir " + dir + " is in use by another mount (still after"
              + " 1 s)");
      assertThat(System.nanoTime() - start).as("it waited")
          .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(1000));
      assertThat(descriptorsOf(dir.resolve("lock"))).as("only the holder's").isEqualTo(1);
    }
    CacheDirLock.acquire(dir, Duration.ZERO).close(); // free again
  }

  /**
   * A mount interrupted while it waits for the lock gives up at once with an IOException that
   * says so, keeps the interrupt for its caller, and leaves no descriptor of the lock file.
   */
  @Test
  void aWaitInterruptedGivesUpKeepsTheInterruptAndLeavesNoDescriptor() throws Exception {
    try (CacheDirLock held = CacheDirLock.acquire(dir, Duration.ZERO)) {
      CompletableFuture<Object> outcome = new CompletableFuture<>();
      Thread waiter = new Thread(() -> {
        try {
          CacheDirLock.acquire(dir, Duration.ofMinutes(10)).close();
          outcome.complete("taken");
        } catch (IOException e) {
          outcome.complete(e.getMessage() + " interrupted="
              + Thread.currentThread().isInterrupted());
        }
      });
      waiter.start();
      while (waiter.getState() != Thread.State.TIMED_WAITING) { // in its sleep between tries
        Thread.sleep(1);
      }
      waiter.interrupt();
      assertThat(outcome.get(30, TimeUnit.SECONDS)).isEqualTo("interrupted waiting for the lock"
          + " of cache dir " + dir + " interrupted=true");
      assertThat(descriptorsOf(dir.resolve("lock"))).as("only the holder's").isEqualTo(1);
    }
  }

  /** This process's open descriptors of {@code file}. */
  private static long descriptorsOf(Path file) throws IOException {
    try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
      return s.filter(fd -> {
        try {
          return Files.readSymbolicLink(fd).equals(file);
        } catch (IOException e) {
          return false; // closed meanwhile
        }
      }).count();
    }
  }
}
