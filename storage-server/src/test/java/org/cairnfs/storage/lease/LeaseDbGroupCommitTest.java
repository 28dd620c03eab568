package org.cairnfs.storage.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.cairnfs.storage.lease.LeaseDbTest.ALICE;
import static org.cairnfs.storage.lease.LeaseDbTest.BOB;
import static org.cairnfs.storage.lease.LeaseDbTest.DAYS_31;
import static org.cairnfs.storage.lease.LeaseDbTest.filled;
import static org.cairnfs.storage.lease.LeaseDbTest.secrets;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.storage.FakeClock;
import org.cairnfs.storage.share.ShareKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Group commit of the lease database: concurrent operations share one commit (one log sync),
 * an operation returns only once a commit covering it succeeded, and a failed commit fails
 * every operation of its batch.
 */
class LeaseDbGroupCommitTest {
  /**
   * Share sizes in this class are multiples of U: above {@link ShareCharge#MIN_BYTES}, so each
   * share is charged exactly its size and the accounting's moves stay visible.
   */
  static final long U = 10_000;
  static final int N = 8;

  @TempDir Path dir;
  final FakeClock clock = new FakeClock();
  final ExecutorService pool = Executors.newFixedThreadPool(N);
  /** Operation counts of each commit that ran. */
  final List<Integer> commits = new CopyOnWriteArrayList<>();
  final AtomicBoolean failNext = new AtomicBoolean();
  /** When set, a commit waits here before syncing (a slow disk). */
  volatile java.util.concurrent.CountDownLatch slowCommit;
  final java.util.concurrent.CountDownLatch commitStarted = new java.util.concurrent.CountDownLatch(1);
  LeaseDb db;

  LeaseDb open() throws Exception {
    return LeaseDb.open(dir.resolve("leases.db"), clock, DAYS_31, (commit, operations) -> {
      if (failNext.getAndSet(false)) {
        throw new IllegalStateException("disk says no");
      }
      java.util.concurrent.CountDownLatch slow = slowCommit;
      if (slow != null) {
        commitStarted.countDown();
        try {
          slow.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      commit.run();
      commits.add(operations);
    });
  }

  static ShareKey key(int i) {
    return ShareKey.immutable(StorageIndex.of(filled(16, 40 + i)), i);
  }

  @AfterEach
  void close() throws Exception {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    if (db != null) {
      db.close();
    }
  }

  /** Starts {@code n} operations while the commit lock is held, so all join one batch. */
  List<Future<?>> underHeldCommit(int n, java.util.function.IntConsumer op) throws Exception {
    ReentrantLock lock = db.commitLock();
    lock.lock();
    List<Future<?>> done = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        int at = i;
        done.add(pool.submit(() -> op.accept(at)));
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (lock.getQueueLength() < n) {
        assertThat(System.nanoTime()).as("operations waiting for the commit").isLessThan(deadline);
        Thread.sleep(1);
      }
      assertThat(done).noneMatch(Future::isDone);
    } finally {
      lock.unlock();
    }
    return done;
  }

  @Test
  void concurrentOperationsShareOneCommit() throws Exception {
    db = open();
    for (int i = 0; i < N; i++) {
      db.recordShare(key(i), U * (100 + i), ShareRecord.NO_SEQNUM, ALICE, secrets(1));
    }
    assertThat(commits).hasSize(N).allMatch(ops -> ops == 1);
    commits.clear();

    for (Future<?> f : underHeldCommit(N, i -> db.addLease(key(i), BOB, secrets(2)))) {
      f.get(20, TimeUnit.SECONDS);
    }

    assertThat(commits).containsExactly(N);
    for (int i = 0; i < N; i++) {
      assertThat(db.find(key(i)).orElseThrow().owners()).contains(ALICE, BOB);
    }
    assertThat(db.ownerBytes(BOB)).isEqualTo(U * (N * 100L + (N - 1) * N / 2));
  }

  /** The space check of every allocation and write reads the total: a slow sync must not stall it. */
  @Test
  void theTotalIsReadableWhileACommitSyncs() throws Exception {
    db = open();
    db.recordShare(key(0), U * 7, ShareRecord.NO_SEQNUM, ALICE, secrets(1));
    slowCommit = new java.util.concurrent.CountDownLatch(1);
    Future<?> recording = pool.submit(() -> db.recordShare(key(1), U * 10, ShareRecord.NO_SEQNUM,
        BOB, secrets(2)));
    try {
      assertThat(commitStarted.await(20, TimeUnit.SECONDS)).isTrue();
      Future<Long> total = pool.submit(db::totalShareBytes);
      // applied, not yet durable: the check counts it, as it counts reservations
      assertThat(total.get(20, TimeUnit.SECONDS)).isEqualTo(U * 17);
      assertThat(recording).isNotDone();
    } finally {
      slowCommit.countDown();
    }
    recording.get(20, TimeUnit.SECONDS);
    assertThat(db.totalShareBytes()).isEqualTo(U * 17);
  }

  /** A batch settles the total and each owner's bytes once, as the records one by one would. */
  @Test
  void aBatchOfVersionsAccountsAsTheSameRecordsOneByOne() throws Exception {
    db = open();
    db.recordShare(key(0), U * 100, ShareRecord.NO_SEQNUM, ALICE, secrets(1));
    db.recordShare(key(1), U * 50, ShareRecord.NO_SEQNUM, BOB, secrets(2));
    commits.clear();
    db.recordShares(List.of(
        new LeaseDb.NewVersion(key(0), U * 30, 4, BOB, secrets(2)),   // shrinks ALICE's, adds BOB
        new LeaseDb.NewVersion(key(2), U * 7, ShareRecord.NO_SEQNUM, ALICE, secrets(1)),
        new LeaseDb.NewVersion(key(2), U * 9, 5, ALICE, secrets(1)),  // the same key again
        new LeaseDb.NewVersion(key(1), U * 50, 6, BOB, secrets(2)))); // same size: no change
    assertThat(commits).containsExactly(1);
    assertThat(db.totalShareBytes()).isEqualTo(U * (30 + 50 + 9));
    assertThat(db.ownerBytes(ALICE)).isEqualTo(U * (30 + 9));
    assertThat(db.ownerBytes(BOB)).isEqualTo(U * (30 + 50));
    db.close();
    db = open();
    assertThat(db.totalShareBytes()).isEqualTo(U * 89);
    assertThat(db.ownerBytes(ALICE)).isEqualTo(U * 39);
    assertThat(db.ownerBytes(BOB)).isEqualTo(U * 80);
    assertThat(db.find(key(0)).orElseThrow().owners()).containsExactlyInAnyOrder(ALICE, BOB);
    assertThat(db.find(key(2)).orElseThrow().size()).isEqualTo(U * 9);
  }

  /** Interrupts neither fail an operation nor break the database (SQLite's I/O ignores them). */
  @Test
  void anInterruptedCallerIsServedAndKeepsItsInterrupt() throws Exception {
    db = open();
    db.recordShare(key(0), U * 7, ShareRecord.NO_SEQNUM, ALICE, secrets(1));
    Thread.currentThread().interrupt();
    try {
      assertThat(db.find(key(0))).isPresent();
      db.recordShare(key(1), U * 10, ShareRecord.NO_SEQNUM, BOB, secrets(2));
      assertThat(db.addLease(key(0), BOB, secrets(2))).isTrue();
      assertThat(db.ownerBytes(BOB)).isEqualTo(U * 17);
      assertThat(db.recordedKeys(null, 10)).containsExactly(key(0), key(1));
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
    db.close();
    db = open();
    assertThat(db.find(key(1)).orElseThrow().owners()).containsExactly(BOB);
    assertThat(db.find(key(0)).orElseThrow().owners()).containsExactly(ALICE, BOB);
    assertThat(db.totalShareBytes()).isEqualTo(U * 17);
  }

  /** The commit is every waiter's: the thread running it commits even when interrupted. */
  @Test
  void aCommitterInterruptedWhileQueuedCommitsAndKeepsItsInterrupt() throws Exception {
    db = open();
    db.recordShare(key(0), U * 7, ShareRecord.NO_SEQNUM, ALICE, secrets(1));
    java.util.concurrent.atomic.AtomicReference<Thread> worker =
        new java.util.concurrent.atomic.AtomicReference<>();
    ReentrantLock lock = db.commitLock();
    Future<Boolean> done;
    lock.lock();
    try {
      done = pool.submit(() -> {
        worker.set(Thread.currentThread());
        db.recordShare(key(1), U * 10, ShareRecord.NO_SEQNUM, BOB, secrets(2));
        return Thread.currentThread().isInterrupted();
      });
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (lock.getQueueLength() < 1) {
        assertThat(System.nanoTime()).as("waiting for the commit").isLessThan(deadline);
        Thread.sleep(1);
      }
      worker.get().interrupt();
    } finally {
      lock.unlock();
    }
    assertThat(done.get(20, TimeUnit.SECONDS)).as("interrupt kept").isTrue();
    db.addLease(key(0), BOB, secrets(2));
    db.close();
    db = open();
    assertThat(db.find(key(1)).orElseThrow().owners()).containsExactly(BOB);
    assertThat(db.find(key(0)).orElseThrow().owners()).containsExactly(ALICE, BOB);
  }

  @Test
  void whatReturnedIsThereAfterReopen() throws Exception {
    db = open();
    for (Future<?> f : underHeldCommit(N, i -> db.recordShare(key(i), U * 10, 5, ALICE,
        secrets(1)))) {
      f.get(20, TimeUnit.SECONDS);
    }
    db.close();
    db = open();
    for (int i = 0; i < N; i++) {
      ShareRecord record = db.find(key(i)).orElseThrow();
      assertThat(record.seqnum()).isEqualTo(5);
      assertThat(record.owners()).containsExactly(ALICE);
    }
    assertThat(db.totalShareBytes()).isEqualTo(U * (N * 10L));
  }

  @Test
  void aFailedCommitFailsEveryOperationOfItsBatchAndKeepsNoneOfThem() throws Exception {
    db = open();
    db.recordShare(key(0), U * 7, ShareRecord.NO_SEQNUM, ALICE, secrets(1));
    failNext.set(true);
    List<Future<?>> done = underHeldCommit(N, i -> db.recordShare(key(i + 1), U * 10,
        ShareRecord.NO_SEQNUM, BOB, secrets(2)));
    for (Future<?> f : done) {
      assertThatThrownBy(() -> f.get(20, TimeUnit.SECONDS))
          .hasCauseInstanceOf(IllegalStateException.class)
          .hasStackTraceContaining("disk says no");
    }
    for (int i = 1; i <= N; i++) {
      assertThat(db.find(key(i))).isEmpty();
    }
    assertThat(db.ownerBytes(BOB)).isZero();
    assertThat(db.totalShareBytes()).isEqualTo(U * 7);

    // the database goes on: the next operation commits alone and survives a reopen
    db.addLease(key(0), BOB, secrets(2));
    db.close();
    db = open();
    assertThat(db.find(key(0)).orElseThrow().owners()).containsExactly(ALICE, BOB);
    assertThat(db.find(key(1))).isEmpty();
  }

  @Test
  void operationsWaitingWhenTheDatabaseClosesFailInsteadOfHanging() throws Exception {
    db = open();
    db.recordShare(key(0), U * 7, ShareRecord.NO_SEQNUM, ALICE, secrets(1));
    ReentrantLock lock = db.commitLock();
    lock.lock();
    Future<?> waiting;
    clock.advance(java.time.Duration.ofDays(1)); // a renewal that moves the expiry: it writes
    try {
      waiting = pool.submit(() -> db.renewLease(key(0), filled(32, 1)));
      while (lock.getQueueLength() < 1) {
        Thread.sleep(1);
      }
      db.close();
    } finally {
      lock.unlock();
    }
    assertThatThrownBy(() -> waiting.get(20, TimeUnit.SECONDS))
        .hasCauseInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> db.addLease(key(0), BOB, secrets(2))).isNotNull();
  }

  @Test
  void operationsThatChangeNothingCommitNothing() throws Exception {
    db = open();
    db.recordShare(key(0), U * 50, ShareRecord.NO_SEQNUM, ALICE, secrets(1));
    commits.clear();
    db.removeShare(key(1));
    assertThat(db.resizeShare(key(1), U * 9)).isFalse();
    assertThat(db.resizeShare(key(0), U * 50)).isTrue();
    assertThat(db.dropExpiredLeases(key(0))).isEqualTo(LeaseDb.Expiry.LIVE);
    assertThat(db.dropExpiredLeases(key(1))).isEqualTo(LeaseDb.Expiry.NO_RECORD);
    assertThat(db.renewLease(key(0), filled(32, 77))).isFalse();
    assertThat(db.renewLease(key(1), filled(32, 1))).isFalse();
    assertThat(db.addLease(key(1), BOB, secrets(2))).isFalse();
    assertThat(commits).isEmpty();
  }

  @Test
  void everyChangeIsCommittedBeforeItReturnsAndSurvivesAReopen() throws Exception {
    db = open();
    db.recordShare(key(0), U * 50, ShareRecord.NO_SEQNUM, ALICE, secrets(1));
    db.recordShare(key(1), U * 60, ShareRecord.NO_SEQNUM, ALICE, secrets(1));
    assertThat(commits).hasSize(2);
    assertThat(db.addLease(key(0), BOB, secrets(2))).isTrue();
    assertThat(commits).hasSize(3);
    clock.advance(java.time.Duration.ofDays(1)); // a renewal moving no expiry writes nothing
    assertThat(db.renewLease(key(0), filled(32, 2))).isTrue();
    assertThat(commits).hasSize(4);
    assertThat(db.resizeShare(key(0), U * 80)).isTrue();
    assertThat(commits).hasSize(5);
    db.removeShare(key(1));
    assertThat(commits).hasSize(6);
    clock.advance(DAYS_31.plusDays(1));
    assertThat(db.dropExpiredLeases(key(0))).isEqualTo(LeaseDb.Expiry.ALL_EXPIRED);
    assertThat(commits).hasSize(7);
    db.close();
    db = open();
    ShareRecord record = db.find(key(0)).orElseThrow();
    assertThat(record.size()).isEqualTo(U * 80);
    assertThat(record.leases()).isEmpty();
    assertThat(db.find(key(1))).isEmpty();
    assertThat(db.totalShareBytes()).isEqualTo(U * 80);
    assertThat(db.ownerBytes(ALICE)).isZero();
    assertThat(db.ownerBytes(BOB)).isZero();
  }

  @Test
  void noOperationIsLeftWaitingUnderContention() throws Exception {
    db = open();
    int perThread = 40;
    for (int i = 0; i < N; i++) {
      db.recordShare(key(i), U * 1, ShareRecord.NO_SEQNUM, ALICE, secrets(1));
    }
    commits.clear();
    AtomicInteger renewed = new AtomicInteger();
    List<CompletableFuture<Void>> all = new ArrayList<>();
    for (int t = 0; t < N; t++) {
      int at = t;
      all.add(CompletableFuture.runAsync(() -> {
        for (int j = 0; j < perThread; j++) {
          // each thread its own lease, an hour on between two of its renewals: each moves the
          // expiry, so each writes
          clock.advance(java.time.Duration.ofHours(1));
          if (db.renewLease(key(at), filled(32, 1))) {
            renewed.incrementAndGet();
          }
        }
      }, pool));
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    assertThat(renewed.get()).isEqualTo(N * perThread);
    int committed = commits.stream().mapToInt(Integer::intValue).sum();
    assertThat(committed).isEqualTo(N * perThread);
    assertThat(commits.size()).isLessThanOrEqualTo(N * perThread);
  }
}
