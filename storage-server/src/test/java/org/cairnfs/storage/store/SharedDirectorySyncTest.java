package org.cairnfs.storage.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One directory sync covers every caller that asked before it started, and only those. */
class SharedDirectorySyncTest {
  static final Path DIR = Path.of("/shares/ab");
  static final Path OTHER = Path.of("/shares/cd");
  static final int N = 6;

  final ExecutorService pool = Executors.newCachedThreadPool();
  final Map<Path, AtomicInteger> calls = new ConcurrentHashMap<>();
  /** Syncs wait on this while it is up. */
  volatile CountDownLatch gate = new CountDownLatch(0);
  volatile IOException failWith;
  final AtomicInteger started = new AtomicInteger();

  final SharedDirectorySync syncs = new SharedDirectorySync(dir -> {
    started.incrementAndGet();
    try {
      gate.await();
    } catch (InterruptedException e) {
      throw new IOException("interrupted", e);
    }
    calls.computeIfAbsent(dir, d -> new AtomicInteger()).incrementAndGet();
    IOException f = failWith;
    if (f != null) {
      throw f;
    }
  });

  @AfterEach
  void stop() throws Exception {
    gate.countDown();
    pool.shutdownNow();
    assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as(what).isLessThan(deadline);
      Thread.sleep(1);
    }
  }

  int calls(Path dir) {
    AtomicInteger n = calls.get(dir);
    return n == null ? 0 : n.get();
  }

  Future<?> syncing(Path dir) {
    return pool.submit(() -> {
      syncs.sync(dir);
      return null;
    });
  }

  /** Starts one sync and holds it running, then N callers that arrive while it runs. */
  List<Future<?>> waitersBehindARunningSync() throws Exception {
    gate = new CountDownLatch(1);
    Future<?> first = syncing(DIR);
    await("the first sync runs", () -> started.get() == 1);
    List<Future<?>> later = new ArrayList<>();
    for (int i = 0; i < N; i++) {
      later.add(syncing(DIR));
    }
    await("all wait", () -> syncs.users(DIR) == N + 1);
    assertThat(later).noneMatch(Future::isDone);
    later.add(0, first);
    return later;
  }

  @Test
  void callersArrivingDuringASyncShareTheNextOneAndAreNotCoveredByTheRunningOne()
      throws Exception {
    List<Future<?>> all = waitersBehindARunningSync();
    gate.countDown();
    all.get(0).get(20, TimeUnit.SECONDS);
    for (Future<?> f : all) {
      f.get(20, TimeUnit.SECONDS);
    }
    // one sync for the first caller, one more for all N that came while it ran
    assertThat(calls(DIR)).isEqualTo(2);
    assertThat(syncs.held()).isZero();
  }

  @Test
  void aFailedSyncFailsEveryCallerItCoveredAndTheNextRoundStartsAfresh() throws Exception {
    List<Future<?>> all = waitersBehindARunningSync();
    failWith = new IOException("EIO");
    gate.countDown();
    for (Future<?> f : all) {
      assertThatThrownBy(() -> f.get(20, TimeUnit.SECONDS)).hasCauseInstanceOf(IOException.class)
          .hasStackTraceContaining("EIO");
    }
    failWith = null;
    syncs.sync(DIR);
    assertThat(calls(DIR)).isEqualTo(3);
    assertThat(syncs.held()).isZero();
  }

  @Test
  void differentDirectoriesAreSyncedEachAndALoneCallerSyncsAtOnce() throws Exception {
    syncs.sync(DIR);
    syncs.sync(OTHER);
    syncs.sync(DIR);
    assertThat(calls(DIR)).isEqualTo(2);
    assertThat(calls(OTHER)).isEqualTo(1);
    assertThat(syncs.users(DIR)).isZero();
    assertThat(syncs.held()).isZero();
  }

  @Test
  void aRuntimeFailureOfTheSyncerReachesTheCallerAsIoException() {
    SharedDirectorySync broken = new SharedDirectorySync(dir -> {
      throw new UnsupportedOperationException("no fsync here");
    });
    assertThatThrownBy(() -> broken.sync(DIR)).isInstanceOf(IOException.class)
        .hasMessageContaining(DIR.toString()).hasStackTraceContaining("no fsync here");
    assertThat(broken.held()).isZero();
  }

  @Test
  void manyCallersNeverWaitForever() throws Exception {
    List<Future<?>> all = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      all.add(syncing(i % 2 == 0 ? DIR : OTHER));
    }
    for (Future<?> f : all) {
      f.get(30, TimeUnit.SECONDS);
    }
    assertThat(calls(DIR) + calls(OTHER)).isBetween(2, 200);
    assertThat(syncs.held()).isZero();
  }

  @Test
  void anInterruptedWaiterStillWaitsForItsSyncAndKeepsItsInterrupt() throws Exception {
    List<Future<?>> all = waitersBehindARunningSync();
    all.get(1).cancel(true); // interrupts one waiter; it must not return before its sync
    Thread.sleep(50);
    assertThat(calls(DIR)).isZero();
    gate.countDown();
    for (Future<?> f : all.subList(2, all.size())) {
      f.get(20, TimeUnit.SECONDS);
    }
    assertThat(calls(DIR)).isEqualTo(2);
    assertThatThrownBy(() -> all.get(1).get()).isInstanceOf(
        java.util.concurrent.CancellationException.class);
  }

  @Test
  void theInterruptOfAWaiterIsKeptForItsCaller() throws Exception {
    gate = new CountDownLatch(1);
    Future<?> first = syncing(DIR);
    await("the first sync runs", () -> started.get() == 1);
    java.util.concurrent.atomic.AtomicBoolean keptInterrupt =
        new java.util.concurrent.atomic.AtomicBoolean();
    Thread waiter = new Thread(() -> {
      try {
        syncs.sync(DIR);
        keptInterrupt.set(Thread.currentThread().isInterrupted());
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    waiter.start();
    await("the waiter waits", () -> syncs.users(DIR) == 2);
    waiter.interrupt();
    Thread.sleep(20);
    gate.countDown();
    waiter.join(20_000);
    first.get(20, TimeUnit.SECONDS);
    assertThat(keptInterrupt).isTrue();
    assertThat(calls(DIR)).isEqualTo(2);
  }

  @Test
  void stateIsHeldWhileSomeoneWaitsAndDroppedAfter() throws Exception {
    List<Future<?>> all = waitersBehindARunningSync();
    assertThat(syncs.held()).isEqualTo(1);
    gate.countDown();
    for (Future<?> f : all) {
      f.get(20, TimeUnit.SECONDS);
    }
    assertThat(syncs.held()).isZero();
    assertThat(syncs.users(DIR)).isZero();
  }
}
