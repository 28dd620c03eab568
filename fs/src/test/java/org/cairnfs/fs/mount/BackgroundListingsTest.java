package org.cairnfs.fs.mount;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The background relisting of directories, without a tree: listings given as lambdas. */
class BackgroundListingsTest {
  static DirNode dir(long ino) {
    return new DirNode(ino, new DirRef.Local(ino), true, false, 0755, 0, 0, Instant.EPOCH,
        Instant.EPOCH);
  }

  static void awaitFinished(BackgroundListings b, long n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (b.finished.get() < n && System.nanoTime() < deadline) {
      Thread.sleep(1);
    }
    assertThat(b.finished.get()).as("finished").isEqualTo(n);
  }

  /** A listing raced by a publish every time is tried three times, on a daemon thread. */
  @Test
  void aListingRacedEveryTimeIsTriedThreeTimesOnADaemonThread() throws Exception {
    BackgroundListings b = new BackgroundListings();
    AtomicBoolean daemon = new AtomicBoolean();
    b.refresh(dir(1), () -> {
      daemon.set(Thread.currentThread().isDaemon());
      return false;
    });
    awaitFinished(b, 1);
    assertThat(b.listings.get()).isEqualTo(BackgroundListings.ATTEMPTS).isEqualTo(3);
    assertThat(daemon).isTrue();
    b.close();
  }

  /** While a directory's listing is in flight, another refresh of it starts none. */
  @Test
  void aDirectoryHasOneListingInFlightAtMost() throws Exception {
    BackgroundListings b = new BackgroundListings();
    DirNode d = dir(1);
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch started = new CountDownLatch(1);
    b.refresh(d, () -> {
      started.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
      return true;
    });
    started.await();
    b.refresh(d, () -> true);
    release.countDown();
    awaitFinished(b, 1);
    assertThat(b.listings.get()).isEqualTo(1);
    b.refresh(d, () -> true); // done: the next refresh runs
    awaitFinished(b, 2);
    b.close();
  }

  /** A close interrupted while it waits for a listing in flight keeps the interrupt. */
  @Test
  void aCloseInterruptedKeepsTheInterrupt() throws Exception {
    BackgroundListings b = new BackgroundListings();
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    b.refresh(dir(1), () -> {
      started.countDown();
      while (true) { // deaf to the close's interrupt, as a grid call may be
        try {
          release.await();
          return true;
        } catch (InterruptedException e) {
          // keep waiting
        }
      }
    });
    started.await();
    Thread.currentThread().interrupt();
    b.close();
    assertThat(Thread.interrupted()).as("the interrupt kept").isTrue();
    release.countDown();
    awaitFinished(b, 1);
  }
}
