package org.cairnfs.storage.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.cairnfs.storage.net.ShareStoreBackendTest.allocate;
import static org.cairnfs.storage.net.ShareStoreBackendTest.codeOf;
import static org.cairnfs.storage.net.ShareStoreBackendTest.connection;
import static org.cairnfs.storage.net.ShareStoreBackendTest.filled;
import static org.cairnfs.storage.net.ShareStoreBackendTest.slotChunk;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.caps.share.ShareSource;
import org.cairnfs.protocol.identity.NodeId;
import org.cairnfs.protocol.message.ErrorCode;
import org.cairnfs.protocol.server.Caller;
import org.cairnfs.storage.FakeClock;
import org.cairnfs.storage.lease.LeaseDb;
import org.cairnfs.storage.store.AcceptingSlotCheck;
import org.cairnfs.storage.store.ShareStore;
import org.cairnfs.storage.store.SlotWriteCheck;
import org.cairnfs.storage.store.StoreLimits;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The places a request under way has reserved count against the open-write caps of every
 * other request of its connection and address. A slot write's first chunk is held inside the
 * store (in its front check) while other requests ask, so the overlap is certain, not raced.
 */
class ReservationsUnderWayTest {
  static final String ADDRESS = "10.0.0.7";
  static final NodeId OTHER = NodeId.of(filled(32, 0xc));

  @TempDir Path dir;
  LeaseDb leases;
  ShareStore store;
  ShareStoreBackend backend;
  final HeldFrontCheck check = new HeldFrontCheck();
  final ExecutorService pool = Executors.newCachedThreadPool();
  /** While set, the store's free-space probe (asked inside an allocation) waits on it. */
  volatile CountDownLatch diskProbeGate;
  final Semaphore diskProbes = new Semaphore(0);
  final List<StorageIndex> used = new ArrayList<>();

  void open(int perConnection, int perAddress) throws Exception {
    leases = LeaseDb.open(dir.resolve("leases.db"), new FakeClock(), Duration.ofDays(31));
    store = ShareStore.open(dir.resolve("store"), new StoreLimits(1 << 30, 0, 1 << 20)
            .withOpenWriteCaps(1000, perConnection).withOpenWritesPerAddress(perAddress),
        leases, () -> {
          CountDownLatch gate = diskProbeGate;
          if (gate != null) {
            diskProbes.release();
            try {
              gate.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          return 1L << 40;
        }, check);
    backend = new ShareStoreBackend(store);
  }

  @AfterEach
  void tearDown() throws Exception {
    check.releaseAll();
    CountDownLatch gate = diskProbeGate;
    if (gate != null) {
      gate.countDown();
    }
    pool.shutdownNow();
    pool.awaitTermination(10, TimeUnit.SECONDS);
    if (store != null) {
      store.close();
      leases.close();
    }
  }

  @Test
  void slotWritesUnderWayCountAgainstTheirConnectionsCap() throws Exception {
    open(3, 100);
    Caller a = connection(1);
    CompletableFuture<Void> first = holdSlotWrite(a);
    CompletableFuture<Void> second = holdSlotWrite(a);
    // Two places reserved, none claimed yet: one more fits, two do not.
    assertThatThrownBy(() -> backend.allocate(a, allocate(freshIndex(), 0, 0, 1)))
        .satisfies(e -> assertThat(codeOf(e)).isEqualTo(ErrorCode.BUSY))
        .hasMessageContaining("connection busy").hasMessageContaining("(2 open)");
    backend.allocate(a, allocate(freshIndex(), 0, 0));
    check.releaseAll();
    first.get(10, TimeUnit.SECONDS);
    second.get(10, TimeUnit.SECONDS);
    // The reservations became claims: still three places taken, none left.
    assertThatThrownBy(() -> backend.allocate(a, allocate(freshIndex(), 0, 0)))
        .satisfies(e -> assertThat(codeOf(e)).isEqualTo(ErrorCode.BUSY))
        .hasMessageContaining("(3 open)");
    // Another connection was never charged for them.
    backend.allocate(connection(2), allocate(freshIndex(), 0, 0, 1, 2));
  }

  @Test
  void slotWritesUnderWayCountAgainstTheirAddressCap() throws Exception {
    open(100, 3);
    CompletableFuture<Void> first = holdSlotWrite(connection(1, OTHER, ADDRESS));
    CompletableFuture<Void> second = holdSlotWrite(connection(2, OTHER, ADDRESS));
    Caller third = connection(3, OTHER, ADDRESS);
    assertThatThrownBy(() -> backend.allocate(third, allocate(freshIndex(), 0, 0, 1)))
        .satisfies(e -> assertThat(codeOf(e)).isEqualTo(ErrorCode.BUSY))
        .hasMessageContaining("address busy").hasMessageContaining("(2 open)");
    backend.allocate(third, allocate(freshIndex(), 0, 0));
    // Another address is not charged.
    backend.allocate(connection(4, OTHER, "10.0.0.8"), allocate(freshIndex(), 0, 0, 1, 2));
    check.releaseAll();
    first.get(10, TimeUnit.SECONDS);
    second.get(10, TimeUnit.SECONDS);
    assertThat(backend.openWritesByAddress())
        .containsEntry(connection(9, OTHER, ADDRESS).peerAddress(), 3);
  }

  @Test
  void aFailedRequestUnderWayGivesItsPlacesBack() throws Exception {
    open(2, 100);
    Caller a = connection(1);
    check.refuseNext();
    CompletableFuture<Void> refused = holdSlotWrite(a);
    assertThatThrownBy(() -> backend.allocate(a, allocate(freshIndex(), 0, 0, 1)))
        .satisfies(e -> assertThat(codeOf(e)).isEqualTo(ErrorCode.BUSY));
    check.releaseAll();
    assertThat(refused).failsWithin(10, TimeUnit.SECONDS);
    // The refused write holds nothing: the whole cap is free again.
    backend.allocate(a, allocate(freshIndex(), 0, 0, 1));
  }

  @Test
  void aRestartUnderWayPinsItsClaimUntilItEnds() throws Exception {
    open(2, 100);
    Caller a = connection(1);
    StorageIndex index = freshIndex();
    backend.allocate(a, allocate(index, 100, 0));
    diskProbeGate = new CountDownLatch(1);
    CompletableFuture<Void> restart = CompletableFuture.runAsync(() -> {
      try {
        backend.allocate(a, allocate(index, 100, 0));
      } catch (Exception e) {
        throw new java.util.concurrent.CompletionException(e);
      }
    }, pool);
    assertThat(diskProbes.tryAcquire(10, TimeUnit.SECONDS)).isTrue();
    assertThat(backend.restartsUnderWay()).isEqualTo(1);
    // The restart adds no place: one more write still fits beside it, two do not.
    diskProbeGate.countDown();
    diskProbeGate = null;
    restart.get(10, TimeUnit.SECONDS);
    assertThat(backend.restartsUnderWay()).isZero();
    backend.allocate(a, allocate(freshIndex(), 0, 0));
    assertThatThrownBy(() -> backend.allocate(a, allocate(freshIndex(), 0, 0)))
        .satisfies(e -> assertThat(codeOf(e)).isEqualTo(ErrorCode.BUSY));
  }

  /** Starts a slot write's first chunk on another thread; returns once it is inside the store. */
  CompletableFuture<Void> holdSlotWrite(Caller caller) throws Exception {
    StorageIndex index = freshIndex();
    CompletableFuture<Void> f = CompletableFuture.runAsync(() -> {
      try {
        backend.writeSlotShare(caller, slotChunk(index, 0, 100, 0, new byte[10]));
      } catch (Exception e) {
        throw new java.util.concurrent.CompletionException(e);
      }
    }, pool);
    assertThat(check.entered.tryAcquire(10, TimeUnit.SECONDS)).isTrue();
    return f;
  }

  /** An index on a stripe no other index of this test uses, so no request waits on another. */
  StorageIndex freshIndex() {
    Set<Integer> stripes = new HashSet<>();
    used.forEach(i -> stripes.add(Math.floorMod(i.hashCode(), 64)));
    for (int v = 0; v < 10_000; v++) {
      byte[] bytes = filled(16, 0x5a);
      java.nio.ByteBuffer.wrap(bytes).putInt(used.size() * 10_000 + v);
      StorageIndex candidate = StorageIndex.of(bytes);
      if (stripes.add(Math.floorMod(candidate.hashCode(), 64))) {
        used.add(candidate);
        return candidate;
      }
    }
    throw new AssertionError("no free stripe left");
  }

  /** {@link AcceptingSlotCheck}, but each front check is held until released. */
  static final class HeldFrontCheck implements SlotWriteCheck {
    final Semaphore entered = new Semaphore(0);
    final CountDownLatch release = new CountDownLatch(1);
    volatile boolean refuseNext;

    void releaseAll() {
      release.countDown();
    }

    void refuseNext() {
      refuseNext = true;
    }

    @Override
    public int frontLength() {
      return 1;
    }

    @Override
    public void checkFront(StorageIndex index, int shareNumber, long size, byte[] front,
        OptionalLong heldSeqnum) throws Rejected {
      boolean refuse = refuseNext;
      refuseNext = false;
      entered.release();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (refuse) {
        throw new Rejected("refused by the test");
      }
    }

    @Override
    public long check(StorageIndex index, int shareNumber, long size, ShareSource share,
        OptionalLong heldSeqnum) throws Rejected, java.io.IOException {
      return AcceptingSlotCheck.INSTANCE.check(index, shareNumber, size, share, heldSeqnum);
    }

    @Override
    public long signedSeqnum(StorageIndex index, byte[] prefix) throws Rejected {
      return AcceptingSlotCheck.INSTANCE.signedSeqnum(index, prefix);
    }
  }
}
