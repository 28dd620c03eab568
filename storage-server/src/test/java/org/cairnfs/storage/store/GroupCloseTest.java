package org.cairnfs.storage.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.cairnfs.storage.store.StoreFixture.ALICE;
import static org.cairnfs.storage.store.StoreFixture.BOB;
import static org.cairnfs.storage.store.StoreFixture.pattern;
import static org.cairnfs.storage.store.StoreFixture.secrets;
import static org.cairnfs.storage.store.StoreFixture.si;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.storage.share.ShareKey;
import org.cairnfs.storage.store.StoreException.Reason;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Closes committed in groups: what an answered close promises (file in place, lease recorded
 * and committed), that nothing is answered before its batch commits, that closes arriving
 * together share one commit, and that one bad share fails alone. The test holds the commit
 * lock to keep batches from starting, which makes batching deterministic.
 */
class GroupCloseTest {
  @TempDir java.nio.file.Path dbDir;
  StoreFixture f;

  @BeforeEach
  void setUp() throws Exception {
    f = new StoreFixture(dbDir, StoreLimits.unlimited());
  }

  @AfterEach
  void tearDown() throws Exception {
    f.close();
  }

  private StorageIndex written(int v, int n) throws Exception {
    StorageIndex index = si(v);
    byte[] data = pattern(4096, v + n);
    f.store.allocate(index, List.of(n), data.length, ALICE, secrets(n));
    f.store.write(ALICE, index, n, 0, ByteBuffer.wrap(data));
    return index;
  }

  @Test
  void closesArrivingTogetherShareOneCommitAndNoneIsAnsweredBeforeIt() throws Exception {
    List<CompletableFuture<Void>> closes = new ArrayList<>();
    for (int v = 1; v <= 33; v++) {
      written(v, 0);
    }
    f.store.commitLock().lock(); // no batch starts committing while the test holds this
    try {
      for (int v = 1; v <= 33; v++) {
        closes.add(f.store.closeAsync(ALICE, si(v), 0));
      }
      Thread.sleep(100);
      assertThat(closes).noneMatch(CompletableFuture::isDone);
    } finally {
      f.store.commitLock().unlock();
    }
    CompletableFuture.allOf(closes.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);

    long[] counts = f.store.commitCounts();
    assertThat(counts[1]).isEqualTo(33);
    assertThat(counts[0]).as("batches for 33 closes").isLessThanOrEqualTo(2);
    for (int v = 1; v <= 33; v++) {
      ShareKey key = ShareKey.immutable(si(v), 0);
      assertThat(f.store.read(key, 0, 4096)).isEqualTo(pattern(4096, v));
      assertThat(f.leases.find(key)).hasValueSatisfying(r -> assertThat(r.size()).isEqualTo(4096));
    }
    assertThat(f.leases.ownerBytes(ALICE)).isEqualTo(33 * 4096);
  }

  @Test
  void anAnsweredCloseSurvivesACrash() throws Exception {
    written(5, 2);
    f.store.closeAsync(ALICE, si(5), 2).get(10, TimeUnit.SECONDS);

    f.crashAndReopen();

    ShareKey key = ShareKey.immutable(si(5), 2);
    assertThat(f.store.read(key, 0, 4096)).isEqualTo(pattern(4096, 7));
    assertThat(f.leases.find(key)).hasValueSatisfying(r ->
        assertThat(r.leases()).singleElement().satisfies(l -> assertThat(l.owner()).isEqualTo(ALICE)));
  }

  @Test
  void aShareThatCannotBeMovedFailsAloneAndTheRestOfItsBatchCommits() throws Exception {
    written(1, 0);
    written(2, 0);
    written(3, 0);
    // A file where share 2's storage-index directory must go: its move fails.
    ShareLayout layout = f.store.layout();
    Files.createDirectories(layout.indexDir(si(2)).getParent());
    Files.write(layout.indexDir(si(2)), new byte[] {1});
    List<CompletableFuture<Void>> closes = new ArrayList<>();
    f.store.commitLock().lock();
    try {
      for (int v = 1; v <= 3; v++) {
        closes.add(f.store.closeAsync(ALICE, si(v), 0));
      }
    } finally {
      f.store.commitLock().unlock();
    }
    closes.get(0).get(10, TimeUnit.SECONDS);
    closes.get(2).get(10, TimeUnit.SECONDS);
    assertThatThrownBy(() -> closes.get(1).get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class);

    assertThat(f.leases.find(ShareKey.immutable(si(1), 0))).isPresent();
    assertThat(f.leases.find(ShareKey.immutable(si(2), 0))).isEmpty();
    assertThat(f.leases.find(ShareKey.immutable(si(3), 0))).isPresent();
    assertThat(f.store.isWriteOpen(ALICE, si(2), 0, false)).as("failed upload dropped").isFalse();
    assertThat(f.store.usedBytes()).isEqualTo(2 * 4096);
  }

  @Test
  void aShareBeingClosedTakesNoWriteNoAbortAndNoRestart() throws Exception {
    StorageIndex index = written(9, 1);
    CompletableFuture<Void> close;
    f.store.commitLock().lock();
    try {
      close = f.store.closeAsync(ALICE, index, 1);
      assertThatThrownBy(() -> f.store.write(ALICE, index, 1, 0, ByteBuffer.wrap(new byte[1])))
          .hasMessageContaining("being closed");
      assertThatThrownBy(() -> f.store.abort(ALICE, index, 1))
          .hasMessageContaining("being closed");
      assertThatThrownBy(() -> f.store.closeAsync(ALICE, index, 1))
          .hasMessageContaining("being closed");
      Allocation again = f.store.allocate(index, List.of(1), 4096, ALICE, secrets(1));
      assertThat(again.allocated()).as("not restarted while closing").isEmpty();
    } finally {
      f.store.commitLock().unlock();
    }
    close.get(10, TimeUnit.SECONDS);
    assertThat(f.store.read(ShareKey.immutable(index, 1), 0, 4096)).isEqualTo(pattern(4096, 10));
    assertThat(f.store.allocate(index, List.of(1), 4096, BOB, secrets(1)).alreadyHeld())
        .containsExactly(1);
  }

  @Test
  void anIncompleteUploadIsRefusedAtOnceAndStaysOpen() throws Exception {
    f.store.allocate(si(4), List.of(0), 4096, ALICE, secrets(0));
    f.store.write(ALICE, si(4), 0, 0, ByteBuffer.wrap(new byte[100]));

    assertThatThrownBy(() -> f.store.closeAsync(ALICE, si(4), 0))
        .isInstanceOf(StoreException.class)
        .satisfies(e -> assertThat(((StoreException) e).reason()).isEqualTo(Reason.BAD_REQUEST));
    assertThat(f.store.isWriteOpen(ALICE, si(4), 0, false)).isTrue();
  }

  @Test
  void closingTheStoreFinishesTheClosesItAccepted() throws Exception {
    written(6, 0);
    CompletableFuture<Void> close;
    Thread closer;
    f.store.commitLock().lock();
    try {
      close = f.store.closeAsync(ALICE, si(6), 0);
      closer = new Thread(() -> {
        try {
          f.store.close();
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      closer.start();
      Thread.sleep(50);
      assertThat(close).isNotDone();
    } finally {
      f.store.commitLock().unlock();
    }
    closer.join(10_000);
    close.get(10, TimeUnit.SECONDS);
    assertThat(f.leases.find(ShareKey.immutable(si(6), 0))).isPresent();
    f.store = null; // closed already
  }

  /** The store's sync threads end with it (a node that reopens its store leaks none). */
  @Test
  void closingTheStoreEndsItsSyncThreads() throws Exception {
    java.util.Set<Thread> before = syncThreads();
    for (int v = 1; v <= 8; v++) {
      written(v, 0);
    }
    f.store.commitLock().lock(); // the eight closes commit as one batch of parallel syncs
    List<CompletableFuture<Void>> closes = new ArrayList<>();
    try {
      for (int v = 1; v <= 8; v++) {
        closes.add(f.store.closeAsync(ALICE, si(v), 0));
      }
    } finally {
      f.store.commitLock().unlock();
    }
    for (CompletableFuture<Void> c : closes) {
      c.get(20, java.util.concurrent.TimeUnit.SECONDS);
    }
    java.util.Set<Thread> started = syncThreads();
    started.removeAll(before);
    assertThat(started).isNotEmpty();
    f.close();
    for (Thread t : started) {
      t.join(10_000);
      assertThat(t.isAlive()).as("%s after the store closed", t.getName()).isFalse();
    }
    f = new StoreFixture(dbDir, StoreLimits.unlimited()); // for tearDown
  }

  private static java.util.Set<Thread> syncThreads() {
    java.util.Set<Thread> out = new java.util.HashSet<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith("cairn-share-sync-")) {
        out.add(t);
      }
    }
    return out;
  }
}
