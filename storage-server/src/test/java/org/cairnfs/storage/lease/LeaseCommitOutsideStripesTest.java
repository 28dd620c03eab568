package org.cairnfs.storage.lease;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.nio.ByteBuffer;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.storage.FakeClock;
import org.cairnfs.storage.gc.ExpiredShareCrawler;
import org.cairnfs.storage.share.ShareKey;
import org.cairnfs.storage.store.AcceptingSlotCheck;
import org.cairnfs.storage.store.ShareStore;
import org.cairnfs.storage.store.StoreLimits;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A close's lease commit (a log sync, slow on a busy disk) runs after the close has released
 * the store's stripe locks, so allocations of other storage indexes do not queue behind it; its
 * record is applied before the stripes are released, so the expiry crawler never takes the
 * placed share for a recordless orphan.
 */
class LeaseCommitOutsideStripesTest {
  static final LeaseOwner ALICE = LeaseOwner.of(LeaseDbTest.filled(32, 1));
  static final LeaseSecrets SECRETS = LeaseDbTest.secrets(3);

  @TempDir Path dir;
  final FileSystem fs = Jimfs.newFileSystem(Configuration.unix());
  final ExecutorService pool = Executors.newFixedThreadPool(2);
  final CountDownLatch commitStarted = new CountDownLatch(1);
  final CountDownLatch release = new CountDownLatch(1);
  volatile boolean slow;
  LeaseDb leases;
  ShareStore store;

  @AfterEach
  void close() throws Exception {
    release.countDown();
    pool.shutdownNow();
    if (store != null) {
      store.close();
    }
    if (leases != null) {
      leases.close();
    }
    fs.close();
  }

  static StorageIndex index(int i) {
    byte[] b = new byte[16];
    b[0] = (byte) i;
    b[1] = (byte) (i >> 8);
    b[2] = 0x55;
    return StorageIndex.of(b);
  }

  @Test
  void allocationsGoOnWhileACloseCommitsAndTheCrawlerKeepsTheShare() throws Exception {
    leases = LeaseDb.open(dir.resolve("leases.db"), new FakeClock(), Duration.ofDays(31),
        (commit, operations) -> {
          if (slow) {
            commitStarted.countDown();
            try {
              release.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          commit.run();
        });
    store = ShareStore.open(fs.getPath("/s"), StoreLimits.unlimited(), leases, () -> 1L << 40,
        AcceptingSlotCheck.INSTANCE);
    StorageIndex closing = index(0);
    store.allocate(closing, List.of(0), 10, ALICE, SECRETS);
    store.write(ALICE, closing, 0, 0, ByteBuffer.wrap(new byte[10]));
    slow = true;
    CompletableFuture<Void> closed = store.closeAsync(ALICE, closing, 0);
    assertThat(commitStarted.await(20, TimeUnit.SECONDS)).isTrue();

    // 1 000 indexes cover every one of the store's 64 stripes, the closing one's too
    Future<?> allocating = pool.submit(() -> {
      for (int i = 1; i <= 1000; i++) {
        store.allocate(index(i), List.of(0), 10, ALICE, SECRETS);
      }
      return null;
    });
    allocating.get(20, TimeUnit.SECONDS);
    Future<ExpiredShareCrawler.Pass> crawl = pool.submit(
        () -> new ExpiredShareCrawler(store, 1e9, d -> { }).crawlOnce());
    assertThat(closed).isNotDone();

    release.countDown();
    closed.get(20, TimeUnit.SECONDS);
    assertThat(crawl.get(20, TimeUnit.SECONDS).deleted()).isZero();
    assertThat(store.heldShares(closing)).containsExactly(0);
    assertThat(leases.find(ShareKey.immutable(closing, 0))).isPresent();
  }
}
