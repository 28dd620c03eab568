package org.cairnfs.storage.gc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.nio.file.FileSystem;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.storage.FakeClock;
import org.cairnfs.storage.lease.LeaseDb;
import org.cairnfs.storage.lease.LeaseOwner;
import org.cairnfs.storage.lease.LeaseSecrets;
import org.cairnfs.storage.lease.ShareCharge;
import org.cairnfs.storage.share.ShareKind;
import org.cairnfs.storage.store.ShareStore;
import org.cairnfs.storage.store.StoreLimits;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExpiredShareCrawlerTest {
  static final LeaseOwner ALICE = LeaseOwner.of(filled(32, 1));
  @TempDir Path dbDir;
  final FakeClock clock = new FakeClock();
  final FileSystem fs = Jimfs.newFileSystem(Configuration.unix());
  final List<Duration> pauses = new ArrayList<>();
  LeaseDb leases;
  ShareStore store;

  static byte[] filled(int n, int v) {
    byte[] b = new byte[n];
    Arrays.fill(b, (byte) v);
    return b;
  }

  @BeforeEach
  void open() throws Exception {
    leases = LeaseDb.open(dbDir.resolve("leases.db"), clock, Duration.ofDays(31));
    store = ShareStore.open(fs.getPath("/s"), StoreLimits.unlimited(), leases, () -> 1L << 40,
        org.cairnfs.storage.store.AcceptingSlotCheck.INSTANCE);
  }

  @AfterEach
  void close() throws Exception {
    store.close();
    leases.close();
    fs.close();
  }

  void upload(int siByte, int n, int secret) throws Exception {
    upload(ALICE, siByte, n, secret);
  }

  void upload(LeaseOwner owner, int siByte, int n, int secret) throws Exception {
    StorageIndex si = StorageIndex.of(filled(16, siByte));
    LeaseSecrets s = LeaseSecrets.of(filled(32, secret), filled(32, secret + 1));
    store.allocate(si, List.of(n), 10, owner, s);
    store.write(owner, si, n, 0, ByteBuffer.wrap(new byte[10]));
    store.close(owner, si, n);
  }

  /**
   * A collector that knows what its client reaches spares that client's shares given or renewed
   * since its cutoff, and every other owner's until their leases run out; it decides a storage
   * index as a whole.
   */
  @Test
  void collectsWhatAnOwnerHasNotRenewedSinceAndKeepsOtherOwnersLeases() throws Exception {
    LeaseOwner bob = LeaseOwner.of(filled(32, 2));
    java.time.Instant t0 = clock.instant();
    upload(1, 0, 1); // alice, never renewed: collected
    upload(1, 1, 1);
    upload(bob, 3, 0, 3); // bob's lease runs for 31 days: kept
    upload(4, 0, 4); // alice, renewed after the cutoff: kept
    upload(6, 0, 6); // alice's share 0 and bob's share 1 of one index: kept whole
    upload(bob, 6, 1, 7);
    clock.advance(Duration.ofDays(2));
    upload(2, 0, 2); // alice, given after the cutoff: kept
    store.renewLease(StorageIndex.of(filled(16, 4)), filled(32, 4));
    java.time.Instant since = t0.plus(Duration.ofDays(1));
    ExpiredShareCrawler.Pass pass = new ExpiredShareCrawler(store, 1000, pauses::add)
        .crawlIndexes(index -> store.collectIndexIfNotRenewedSince(index, ALICE, since));
    assertThat(pass).isEqualTo(new ExpiredShareCrawler.Pass(7, 2));
    assertThat(store.heldShares(StorageIndex.of(filled(16, 1)))).isEmpty();
    for (int kept : new int[] {2, 3, 4}) {
      assertThat(store.heldShares(StorageIndex.of(filled(16, kept)))).as("index %d", kept)
          .containsExactly(0);
    }
    assertThat(store.heldShares(StorageIndex.of(filled(16, 6)))).containsExactly(0, 1);
    assertThat(store.usedBytes()).isEqualTo(5 * ShareCharge.of(10));

    // A renewal within the granularity (an hour) is not written; the share still counts as
    // renewed since a cutoff up to that much after its lease was given.
    clock.advance(Duration.ofDays(1));
    upload(5, 0, 5);
    java.time.Instant given = clock.instant();
    clock.advance(Duration.ofMinutes(30));
    store.renewLease(StorageIndex.of(filled(16, 5)), filled(32, 5));
    StorageIndex five = StorageIndex.of(filled(16, 5));
    assertThat(store.collectIndexIfNotRenewedSince(five, ALICE, given.plus(Duration.ofMinutes(30))))
        .isZero();
    assertThat(store.collectIndexIfNotRenewedSince(five, ALICE, given.plus(Duration.ofMinutes(61))))
        .isEqualTo(1);
    assertThat(store.heldShares(five)).isEmpty();
  }

  @Test
  void deletesOnlySharesWhoseLeasesAllExpired() throws Exception {
    upload(1, 0, 1);
    upload(1, 1, 1);
    upload(2, 0, 2);
    clock.advance(Duration.ofDays(20));
    store.renewLease(StorageIndex.of(filled(16, 2)), filled(32, 2));
    clock.advance(Duration.ofDays(12));
    ExpiredShareCrawler crawler = new ExpiredShareCrawler(store, 1000, pauses::add);
    ExpiredShareCrawler.Pass pass = crawler.crawlOnce();
    assertThat(pass).isEqualTo(new ExpiredShareCrawler.Pass(3, 2));
    assertThat(store.heldShares(StorageIndex.of(filled(16, 1)))).isEmpty();
    assertThat(store.heldShares(StorageIndex.of(filled(16, 2)))).containsExactly(0);
    assertThat(store.usedBytes()).isEqualTo(ShareCharge.of(10));
    assertThat(store.ownerBytes(ALICE)).isEqualTo(ShareCharge.of(10));
    assertThat(leases.totalShareBytes()).isEqualTo(ShareCharge.of(10));
  }

  @Test
  void removesOrphanFilesWithoutRecord() throws Exception {
    StorageIndex si = StorageIndex.of(filled(16, 3));
    Path dir = Files.createDirectories(store.layout().sharesDir()
        .resolve(si.toString().substring(0, 2)).resolve(si.toString()));
    Files.write(dir.resolve("m4"), new byte[5]);
    Files.write(dir.resolve("junk.txt"), new byte[5]);
    ExpiredShareCrawler.Pass pass = new ExpiredShareCrawler(store, 1000, pauses::add).crawlOnce();
    assertThat(pass.deleted()).isEqualTo(1);
    assertThat(store.shareSizes(si, ShareKind.MUTABLE)).isEmpty();
    assertThat(dir.resolve("junk.txt")).exists();
  }

  @Test
  void pacesToTheConfiguredRate() throws Exception {
    for (int i = 0; i < 10; i++) {
      upload(10 + i, 0, 5);
    }
    new ExpiredShareCrawler(store, 4, pauses::add).crawlOnce();
    assertThat(pauses).hasSize(10).allMatch(d -> d.equals(Duration.ofMillis(250)));
  }

  @Test
  void backgroundThreadRunsAndStopsCleanly() throws Exception {
    upload(1, 0, 1);
    clock.advance(Duration.ofDays(40));
    java.util.concurrent.CountDownLatch passed = new java.util.concurrent.CountDownLatch(1);
    ExpiredShareCrawler crawler = new ExpiredShareCrawler(store, 1000, d -> {
      if (d.toSeconds() >= 60) {
        passed.countDown();
        Thread.sleep(d.toMillis());
      }
    });
    crawler.start(Duration.ofHours(1));
    assertThat(passed.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    crawler.close();
    assertThat(store.heldShares(StorageIndex.of(filled(16, 1)))).isEmpty();
  }

  /** An interrupt inside the lease database's I/O would close its file channel for good. */
  @Test
  void closingARunningCrawlerNeverBreaksTheLeaseDatabase() throws Exception {
    for (int i = 0; i < 50; i++) {
      upload(20 + i, 0, 7);
    }
    for (int round = 0; round < 30; round++) {
      ExpiredShareCrawler crawler = new ExpiredShareCrawler(store, 1e9, d -> { });
      crawler.start(Duration.ZERO);
      Thread.sleep(round % 5);
      crawler.close();
      assertThat(leases.find(org.cairnfs.storage.share.ShareKey.immutable(
          StorageIndex.of(filled(16, 20)), 0))).as("round %d", round).isPresent();
    }
    upload(99, 0, 7);
    assertThat(leases.totalShareBytes()).isEqualTo(51 * ShareCharge.of(10));
  }

  @Test
  void aRateMustBePositiveAndFinite() {
    for (double bad : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
      org.assertj.core.api.Assertions.assertThatThrownBy(
          () -> new ExpiredShareCrawler(store, bad, pauses::add))
          .as("rate %s", bad).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("crawl rate");
    }
  }

  @Test
  void anInterruptedPassStopsBeforeTheNextShare() throws Exception {
    upload(1, 0, 1);
    clock.advance(Duration.ofDays(40));
    Thread.currentThread().interrupt();
    try {
      org.assertj.core.api.Assertions.assertThatThrownBy(
          () -> new ExpiredShareCrawler(store, 1000, pauses::add).crawlOnce())
          .isInstanceOf(InterruptedException.class);
    } finally {
      Thread.interrupted();
    }
    assertThat(store.heldShares(StorageIndex.of(filled(16, 1)))).containsExactly(0);
  }

  @Test
  void startsOnceAsADaemonAndCloseWaitsForTheThread() throws Exception {
    java.util.concurrent.atomic.AtomicReference<Thread> worker =
        new java.util.concurrent.atomic.AtomicReference<>();
    java.util.concurrent.CountDownLatch paused = new java.util.concurrent.CountDownLatch(1);
    ExpiredShareCrawler crawler = new ExpiredShareCrawler(store, 1000, d -> {
      worker.set(Thread.currentThread());
      paused.countDown();
      try {
        Thread.sleep(d.toMillis());
      } catch (InterruptedException e) {
        Thread.sleep(200); // leaves its share late: close must still wait
        throw e;
      }
    });
    crawler.close(); // closing a crawler never started is harmless
    crawler.start(Duration.ofHours(1));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> crawler.start(Duration.ofHours(1)))
        .isInstanceOf(IllegalStateException.class);
    assertThat(paused.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThat(worker.get().isDaemon()).isTrue();
    assertThat(worker.get().getName()).isEqualTo("cairn-gc-crawler");
    crawler.close();
    assertThat(worker.get().isAlive()).isFalse();
  }

  /** The server closes the store and the database right after: the thread must be gone. */
  @Test
  void closeOnAnInterruptedThreadStillWaitsAndKeepsTheInterrupt() throws Exception {
    java.util.concurrent.atomic.AtomicReference<Thread> worker =
        new java.util.concurrent.atomic.AtomicReference<>();
    java.util.concurrent.CountDownLatch paused = new java.util.concurrent.CountDownLatch(1);
    ExpiredShareCrawler crawler = new ExpiredShareCrawler(store, 1000, d -> {
      worker.set(Thread.currentThread());
      paused.countDown();
      try {
        Thread.sleep(d.toMillis());
      } catch (InterruptedException e) {
        Thread.sleep(200); // leaves late
        throw e;
      }
    });
    crawler.start(Duration.ofHours(1));
    assertThat(paused.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    Thread.currentThread().interrupt();
    try {
      crawler.close();
      assertThat(worker.get().isAlive()).isFalse();
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
  }

  @Test
  void aFailedPassIsRetriedAfterThePause() throws Exception {
    upload(1, 0, 1);
    java.util.List<Duration> seen = java.util.Collections.synchronizedList(new ArrayList<>());
    java.util.concurrent.CountDownLatch retried = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.atomic.AtomicBoolean failed = new java.util.concurrent.atomic.AtomicBoolean();
    ExpiredShareCrawler crawler = new ExpiredShareCrawler(store, 1000, d -> {
      seen.add(d);
      if (failed.compareAndSet(false, true)) {
        throw new IllegalStateException("the disk hiccups");
      }
      if (d.toSeconds() >= 60 && seen.size() > 2) {
        retried.countDown();
        Thread.sleep(d.toMillis());
      }
    });
    crawler.start(Duration.ofHours(1));
    assertThat(retried.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    crawler.close();
    // share pause (fails), pause between passes, share pause, pause between passes
    assertThat(seen).containsExactly(Duration.ofMillis(1), Duration.ofHours(1),
        Duration.ofMillis(1), Duration.ofHours(1));
  }
  /**
   * Immutable storage indexes are the client's choice, so a client can put every share it
   * uploads under one prefix directory (2 800 empty shares a second from one connection, 4 KiB
   * of max-space each). A pass (and the start-up reconciliation, which walks the same way) must
   * not hold that directory's listing: 10 million indexes held as a list are about 500 MiB, the
   * node's whole heap, at every start. Measured here with 150 000 indexes in one prefix: what
   * the pass holds at its first pause, beyond what the file system itself holds.
   */
  @Test
  void aPassDoesNotHoldAPrefixDirectorysListing() throws Exception {
    int count = 150_000;
    Path prefix = fs.getPath("/s/shares/aa");
    for (int i = 0; i < count; i++) {
      byte[] b = new byte[16];
      b[1] = (byte) 0x3f; // first 10 bits zero: prefix "aa"
      b[13] = (byte) (i >>> 16);
      b[14] = (byte) (i >>> 8);
      b[15] = (byte) i;
      StorageIndex si = StorageIndex.of(b);
      assertThat(si.toString()).startsWith("aa");
      Path dir = Files.createDirectories(prefix.resolve(si.toString()));
      Files.createFile(dir.resolve("0"));
    }
    java.lang.management.MemoryMXBean heap = java.lang.management.ManagementFactory.getMemoryMXBean();
    long before = usedAfterGc(heap);
    long[] during = {-1};
    ExpiredShareCrawler crawler = new ExpiredShareCrawler(store, 1000, d -> {
      during[0] = usedAfterGc(heap);
      throw new InterruptedException("measured");
    });
    assertThatThrownBy(crawler::crawlOnce).isInstanceOf(InterruptedException.class);
    // A list of the indexes alone is about 52 bytes each, 7.8 MB here.
    assertThat(during[0] - before).as("bytes held by the pass over %d indexes", count)
        .isLessThan(2_500_000L);
  }

  private static long usedAfterGc(java.lang.management.MemoryMXBean heap) {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return heap.getHeapMemoryUsage().getUsed();
  }
}
