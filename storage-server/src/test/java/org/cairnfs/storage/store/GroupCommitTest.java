package org.cairnfs.storage.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GroupCommitTest {
  final List<List<Integer>> batches = new CopyOnWriteArrayList<>();
  final CountDownLatch firstBatchStarted = new CountDownLatch(1);
  final CountDownLatch release = new CountDownLatch(1);
  GroupCommit<Integer> commit;

  @AfterEach
  void tearDown() {
    release.countDown();
    if (commit != null) {
      commit.close();
    }
  }

  /** Records each batch; the first one waits for {@link #release}. */
  private GroupCommit<Integer> gated(int maxBatch) {
    return new GroupCommit<>("test-commit", maxBatch, batch -> {
      batches.add(List.copyOf(batch));
      firstBatchStarted.countDown();
      await(release);
      return Map.of();
    });
  }

  @Test
  void aLoneItemCommitsAtOnce() throws Exception {
    commit = new GroupCommit<>("test-commit", 8, batch -> {
      batches.add(List.copyOf(batch));
      return Map.of();
    });
    commit.submit(1).get(5, TimeUnit.SECONDS);
    assertThat(batches).containsExactly(List.of(1));
  }

  @Test
  void itemsArrivingDuringACommitFormTheNextBatchAndWaitForIt() throws Exception {
    commit = gated(64);
    CompletableFuture<Void> first = commit.submit(0);
    assertThat(firstBatchStarted.await(5, TimeUnit.SECONDS)).isTrue();
    List<CompletableFuture<Void>> later = new ArrayList<>();
    for (int i = 1; i <= 20; i++) {
      later.add(commit.submit(i));
    }
    Thread.sleep(50);
    assertThat(first).as("not answered before its batch committed").isNotDone();
    assertThat(later).noneMatch(CompletableFuture::isDone);

    release.countDown();
    CompletableFuture.allOf(later.toArray(CompletableFuture[]::new)).get(5, TimeUnit.SECONDS);

    assertThat(first).isCompleted();
    assertThat(batches).hasSize(2);
    assertThat(batches.get(0)).containsExactly(0);
    assertThat(batches.get(1)).hasSize(20);
    assertThat(commit.counts()).containsExactly(2, 21);
  }

  @Test
  void batchesHoldAtMostMaxBatchItems() throws Exception {
    commit = gated(8);
    commit.submit(0);
    assertThat(firstBatchStarted.await(5, TimeUnit.SECONDS)).isTrue();
    List<CompletableFuture<Void>> later = new ArrayList<>();
    for (int i = 1; i <= 20; i++) {
      later.add(commit.submit(i));
    }
    release.countDown();
    CompletableFuture.allOf(later.toArray(CompletableFuture[]::new)).get(5, TimeUnit.SECONDS);
    assertThat(batches).extracting(List::size).containsExactly(1, 8, 8, 4);
  }

  @Test
  void aFailedItemFailsAloneAndAThrowingCommitFailsItsBatchOnly() throws Exception {
    RuntimeException boom = new IllegalStateException("disk gone");
    commit = new GroupCommit<>("test-commit", 8, batch -> {
      if (batch.contains(13)) {
        throw boom;
      }
      return batch.contains(7) ? Map.of(7, new java.io.IOException("no room for 7")) : Map.of();
    });
    CompletableFuture<Void> seven = commit.submit(7);
    assertThatThrownBy(() -> seven.get(5, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class).hasMessageContaining("no room for 7");
    assertThatThrownBy(() -> commit.submit(13).get(5, TimeUnit.SECONDS))
        .hasCause(boom);
    commit.submit(1).get(5, TimeUnit.SECONDS); // the thread survived
  }

  @Test
  void closeCommitsWhatIsQueuedThenRefusesMore() throws Exception {
    commit = gated(64);
    CompletableFuture<Void> first = commit.submit(0);
    assertThat(firstBatchStarted.await(5, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<Void> queued = commit.submit(1);
    Thread closer = new Thread(commit::close);
    closer.start();
    Thread.sleep(50);
    assertThat(closer.isAlive()).as("close waits for the commits").isTrue();

    release.countDown();
    closer.join(5000);

    assertThat(closer.isAlive()).isFalse();
    assertThat(first).isCompleted();
    assertThat(queued).isCompleted();
    assertThatThrownBy(() -> commit.submit(2).get(5, TimeUnit.SECONDS))
        .hasMessageContaining("closing");
  }

  @Test
  void anInterruptedCloseStillCommitsWhatIsQueuedStopsTheThreadAndKeepsItsInterrupt()
      throws Exception {
    commit = gated(64);
    CompletableFuture<Void> first = commit.submit(0);
    assertThat(firstBatchStarted.await(5, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<Void> queued = commit.submit(1);
    java.util.concurrent.atomic.AtomicBoolean keptInterrupt =
        new java.util.concurrent.atomic.AtomicBoolean();
    Thread closer = new Thread(() -> {
      Thread.currentThread().interrupt();
      commit.close();
      keptInterrupt.set(Thread.currentThread().isInterrupted());
    });
    closer.start();
    Thread.sleep(50);
    assertThat(closer.isAlive()).as("close waits for the commits though interrupted").isTrue();
    release.countDown();
    closer.join(5000);
    assertThat(closer.isAlive()).isFalse();
    assertThat(keptInterrupt).isTrue();
    assertThat(first).isCompleted();
    assertThat(queued.get(1, TimeUnit.SECONDS)).isNull();
    assertThat(batches).containsExactly(List.of(0), List.of(1));
  }

  @Test
  void theCommitThreadIsADaemonAndASubmitAfterCloseIsNotCounted() throws Exception {
    List<Boolean> daemon = new CopyOnWriteArrayList<>();
    commit = new GroupCommit<>("test-commit", 8, batch -> {
      daemon.add(Thread.currentThread().isDaemon());
      return Map.of();
    });
    commit.submit(1).get(5, TimeUnit.SECONDS);
    assertThat(daemon).containsExactly(true);
    commit.close();
    assertThat(commit.submit(2)).isCompletedExceptionally();
    assertThat(commit.submitted()).isEqualTo(1);
  }

  /** A batch of one is allowed, and each commit gives its lock back for the next. */
  @Test
  void batchesOfOneCommitOneByOneAndReleaseTheCommitLock() throws Exception {
    commit = new GroupCommit<>("test-commit", 1, batch -> {
      batches.add(List.copyOf(batch));
      return Map.of();
    });
    CompletableFuture<Void> a = commit.submit(1);
    CompletableFuture<Void> b = commit.submit(2);
    a.get(10, TimeUnit.SECONDS);
    b.get(10, TimeUnit.SECONDS);
    assertThat(batches).containsExactly(List.of(1), List.of(2));
    assertThat(commit.committing().tryLock(10, TimeUnit.SECONDS))
        .as("the commit thread released its lock").isTrue();
    commit.committing().unlock();
  }

  @Test
  void aBatchOfNoneIsRefused() {
    assertThatThrownBy(() -> new GroupCommit<Integer>("x", 0, b -> Map.of()))
        .hasMessageContaining("at least one item, got 0");
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
