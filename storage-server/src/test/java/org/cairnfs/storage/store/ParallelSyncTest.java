package org.cairnfs.storage.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The batch syncs run in parallel: every failure comes back with its item, however it failed. */
class ParallelSyncTest {
  final ParallelSync syncs = new ParallelSync("test-sync", 2);

  @AfterEach
  void tearDown() {
    syncs.close();
  }

  @Test
  void aLoneItemsFailureIsReported() {
    IOException boom = new IOException("EIO (test)");
    Map<String, IOException> failed = syncs.each(List.of("only"), item -> {
      throw boom;
    });
    assertThat(failed).containsExactly(Map.entry("only", boom));
  }

  @Test
  void failuresOfManyComeBackByItemAndARuntimeFailureAsIoException() {
    Map<String, IOException> failed = syncs.each(List.of("ok", "io", "bug"), item -> {
      if (item.equals("io")) {
        throw new IOException("EIO (test)");
      }
      if (item.equals("bug")) {
        throw new IllegalStateException("a bug (test)");
      }
    });
    assertThat(failed).containsOnlyKeys("io", "bug");
    assertThat(failed.get("io")).hasMessage("EIO (test)");
    assertThat(failed.get("bug")).hasCauseInstanceOf(IllegalStateException.class)
        .hasMessageContaining("a bug (test)");
  }

  /** An interrupted caller still waits for every sync, and keeps its interrupt for later. */
  @Test
  void anInterruptedCallerWaitsForTheSyncsAndKeepsItsInterrupt() {
    java.util.concurrent.atomic.AtomicInteger done = new java.util.concurrent.atomic.AtomicInteger();
    Thread.currentThread().interrupt();
    try {
      Map<String, IOException> failed = syncs.each(List.of("a", "b", "c"), item -> {
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          throw new IOException("interrupted");
        }
        done.incrementAndGet();
      });
      assertThat(failed).isEmpty();
      assertThat(done.get()).isEqualTo(3);
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
  }

  @Test
  void aLoneItemRunsOnTheCallersThreadAndManyOnDaemonPoolThreadsThatEndOnClose()
      throws Exception {
    List<Thread> ran = new java.util.concurrent.CopyOnWriteArrayList<>();
    syncs.each(List.of("only"), item -> ran.add(Thread.currentThread()));
    assertThat(ran).containsExactly(Thread.currentThread());
    ran.clear();
    java.util.concurrent.CyclicBarrier both = new java.util.concurrent.CyclicBarrier(2);
    assertThat(syncs.each(List.of("a", "b"), item -> {
      ran.add(Thread.currentThread());
      try {
        both.await(10, java.util.concurrent.TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new IOException(e);
      }
    })).isEmpty();
    assertThat(ran).hasSize(2).doesNotContain(Thread.currentThread())
        .allMatch(Thread::isDaemon);
    syncs.close();
    for (Thread t : ran) {
      t.join(10_000);
      assertThat(t.isAlive()).as("pool thread %s after close", t.getName()).isFalse();
    }
  }
}
