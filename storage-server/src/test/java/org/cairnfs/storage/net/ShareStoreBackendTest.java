package org.cairnfs.storage.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.protocol.identity.NodeId;
import org.cairnfs.protocol.message.ErrorCode;
import org.cairnfs.protocol.message.Request;
import org.cairnfs.protocol.message.WriteChunk;
import org.cairnfs.protocol.server.Caller;
import org.cairnfs.protocol.server.StorageException;
import org.cairnfs.storage.FakeClock;
import org.cairnfs.storage.lease.LeaseDb;
import org.cairnfs.storage.lease.ShareCharge;
import org.cairnfs.storage.store.ShareStore;
import org.cairnfs.storage.store.StoreLimits;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShareStoreBackendTest {
  static final NodeId NODE = NodeId.of(filled(32, 0xa));
  static final int CAP = 4;

  @TempDir Path dir;
  final FakeClock clock = new FakeClock();
  LeaseDb leases;
  ShareStore store;
  ShareStoreBackend backend;

  @BeforeEach
  void setUp() throws Exception {
    open(new StoreLimits(1 << 30, 0, 1 << 20).withOpenWriteCaps(100, CAP));
  }

  void open(StoreLimits limits) throws Exception {
    if (store != null) {
      store.close();
      leases.close();
    }
    leases = LeaseDb.open(dir.resolve("leases.db"), clock, Duration.ofDays(31));
    // Any slot share is accepted with seqnum 1; these tests never complete one.
    store = ShareStore.open(dir.resolve("store"), limits, leases, () -> 1L << 40,
        org.cairnfs.storage.store.AcceptingSlotCheck.INSTANCE);
    backend = new ShareStoreBackend(store);
  }

  @AfterEach
  void tearDown() throws Exception {
    store.close();
    leases.close();
  }

  static byte[] filled(int n, int v) {
    byte[] b = new byte[n];
    Arrays.fill(b, (byte) v);
    return b;
  }

  static StorageIndex si(int v) {
    return StorageIndex.of(filled(16, v));
  }

  static Caller connection(long id) {
    return new Caller(NODE, id, null);
  }

  static Caller connection(long id, NodeId node, String address) {
    return new Caller(node, id, new InetSocketAddress(address, 40000 + (int) id));
  }

  static Request.Allocate allocate(StorageIndex index, long size, int... shares) {
    Set<Integer> numbers = IntStream.of(shares).boxed().collect(Collectors.toSet());
    return new Request.Allocate(index, filled(32, 1), filled(32, 2), size, numbers);
  }

  static Request.WriteSlotShare slotChunk(StorageIndex index, int share, long total, long offset,
      byte[] data) {
    return new Request.WriteSlotShare(index, share, filled(32, 3), filled(32, 4), total, offset,
        data);
  }

  static ErrorCode codeOf(Throwable t) {
    return ((StorageException) t).code();
  }

  /**
   * A close whose commit fails (here the lease record's) is answered with that failure, as the
   * exception the store's wait reports, never as done: the client must not count the share.
   */
  @Test
  void aCloseWhoseCommitFailsIsAnsweredWithTheFailure() throws Exception {
    boolean[] failing = {false};
    store.close();
    leases.close();
    leases = org.cairnfs.storage.lease.LeaseDbWithCommitFaults.open(dir.resolve("leases.db"),
        clock, Duration.ofDays(31), () -> failing[0]);
    store = ShareStore.open(dir.resolve("store"), new StoreLimits(1 << 30, 0, 1 << 20),
        leases, () -> 1L << 40, org.cairnfs.storage.store.AcceptingSlotCheck.INSTANCE);
    backend = new ShareStoreBackend(store);
    Caller a = connection(1);
    backend.allocate(a, allocate(si(1), 10, 0));
    backend.writeChunk(a, new WriteChunk(si(1), 0, 0, filled(10, 7)));
    failing[0] = true;
    assertThatThrownBy(() -> backend.closeShare(a, si(1), 0))
        .isInstanceOf(java.io.UncheckedIOException.class)
        .hasMessageContaining("lease log write failed (test)");
    failing[0] = false;
  }

  @Nested
  class ConnectionCap {
    @Test
    void refusesWithBusyPastThePerConnectionCapAndFreesOnCloseAndAbort() throws Exception {
      Caller a = connection(1);
      backend.allocate(a, allocate(si(1), 0, 0, 1, 2));
      backend.writeSlotShare(a, slotChunk(si(1), 0, 100, 0, new byte[10]));
      assertThatThrownBy(() -> backend.allocate(a, allocate(si(2), 0, 0)))
          .satisfies(e -> assertThat(codeOf(e)).isEqualTo(ErrorCode.BUSY));
      assertThatThrownBy(() -> backend.writeSlotShare(a,
          slotChunk(si(2), 0, 100, 0, new byte[10])))
          .satisfies(e -> assertThat(codeOf(e)).isEqualTo(ErrorCode.BUSY));
      // Another connection of the same node has its own cap.
      backend.allocate(connection(2), allocate(si(3), 0, 0, 1, 2, 3));
      // Re-allocating a share this connection already has open does not count twice.
      backend.allocate(a, allocate(si(1), 0, 2));

      backend.closeShare(a, si(1), 0);
      backend.allocate(a, allocate(si(2), 0, 0));
      assertThatThrownBy(() -> backend.allocate(a, allocate(si(2), 0, 1)))
          .satisfies(e -> assertThat(codeOf(e)).isEqualTo(ErrorCode.BUSY));
      backend.abortShare(a, si(1), 1);
      backend.allocate(a, allocate(si(2), 0, 1));
    }

    /**
     * One connection's requests for different indexes run at once: allocations racing on many
     * threads must still not open more than the cap between them (each reserves its places
     * before the store call), and closes racing with them give their places back exactly.
     */
    @Test
    void concurrentRequestsOfOneConnectionNeverPassTheCapTogether() throws Exception {
      Caller a = connection(1, NODE, "192.0.2.7");
      int threads = 16;
      for (int round = 0; round < 20; round++) {
        java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(threads);
        java.util.concurrent.atomic.AtomicInteger opened =
            new java.util.concurrent.atomic.AtomicInteger();
        java.util.List<Thread> all = new java.util.ArrayList<>();
        java.util.List<Throwable> unexpected =
            java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        int base = round * threads;
        for (int t = 0; t < threads; t++) {
          StorageIndex index = si(1 + (base + t) % 250);
          Thread th = new Thread(() -> {
            try {
              start.await();
              backend.allocate(a, allocate(index, 0, 0));
              opened.incrementAndGet();
            } catch (StorageException e) {
              if (e.code() != ErrorCode.BUSY) {
                unexpected.add(e);
              }
            } catch (Exception e) {
              unexpected.add(e);
            }
          });
          th.start();
          all.add(th);
        }
        for (Thread th : all) {
          th.join();
        }
        assertThat(unexpected).isEmpty();
        assertThat(opened.get()).as("round %d", round).isEqualTo(CAP);
        assertThat(backend.openWritesByAddress()).containsValue(CAP);
        for (int t = 0; t < threads; t++) {
          try {
            backend.abortShare(a, si(1 + (base + t) % 250), 0);
          } catch (StorageException e) {
            assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND); // refused as BUSY earlier
          }
        }
        assertThat(backend.openWritesByAddress()).as("every place given back").isEmpty();
      }
    }
  }

  @Nested
  class SlotLeases {
    @Test
    void aCompletedSlotWriteRecordsTheWritersLeaseUnderTheSecretsItCarried() throws Exception {
      Caller a = connection(1);
      byte[] renew = filled(32, 0x51);
      byte[] cancel = filled(32, 0x52);
      backend.writeSlotShare(a, new Request.WriteSlotShare(si(5), 2, renew, cancel, 20, 0,
          new byte[10]));
      backend.writeSlotShare(a, new Request.WriteSlotShare(si(5), 2, renew, cancel, 20, 10,
          new byte[10]));
      var record = leases.find(org.cairnfs.storage.share.ShareKey.mutable(si(5), 2)).orElseThrow();
      assertThat(record.leases()).singleElement().satisfies(lease -> {
        assertThat(lease.owner()).isEqualTo(org.cairnfs.storage.lease.LeaseOwner.of(NODE.toBytes()));
        assertThat(lease.renewHash())
            .isEqualTo(org.cairnfs.storage.lease.LeaseSecrets.hash(renew, "renew"));
        assertThat(lease.cancelHash())
            .isEqualTo(org.cairnfs.storage.lease.LeaseSecrets.hash(cancel, "cancel"));
      });
      // The writer renews its slot lease with its own secret, like an immutable upload's.
      backend.renewLease(a, new Request.RenewLease(si(5), renew));
    }
  }

  @Nested
  class ConnectionClosed {
    @Test
    void abortsOnlyWhatThatConnectionStillClaims() throws Exception {
      Caller a = connection(1);
      Caller b = connection(2);
      backend.allocate(a, allocate(si(1), 5000, 0, 1));
      backend.writeSlotShare(a, slotChunk(si(1), 0, 20, 0, new byte[10]));
      // The node reconnects and restarts share 0 and the slot write on connection B.
      backend.allocate(b, allocate(si(1), 5000, 0));
      backend.writeSlotShare(b, slotChunk(si(1), 0, 20, 0, new byte[10]));
      assertThat(store.usedBytes()).isEqualTo(5000 + 5000 + ShareCharge.of(20));

      backend.connectionClosed(a);

      // A's own share 1 is gone; B's share 0 and slot write live on and complete.
      assertThat(store.usedBytes()).isEqualTo(5000 + ShareCharge.of(20));
      assertThatThrownBy(() -> backend.closeShare(b, si(1), 1))
          .satisfies(e -> assertThat(codeOf(e)).isEqualTo(ErrorCode.NOT_FOUND));
      backend.writeChunk(b, new WriteChunk(si(1), 0, 0, filled(5000, 7)));
      backend.closeShare(b, si(1), 0);
      backend.writeSlotShare(b, slotChunk(si(1), 0, 20, 10, new byte[10]));
      assertThat(backend.shareNumbers(b, si(1))).containsExactly(0);
      assertThat(store.usedBytes()).isEqualTo(5000 + ShareCharge.of(20));

      backend.connectionClosed(b);
      assertThat(store.usedBytes()).isEqualTo(5000 + ShareCharge.of(20));
    }

    /**
     * A share taken over by another connection of the node leaves the first connection's
     * count, so it frees a place under that connection's cap, and the first connection
     * dropping leaves it alone.
     */
    @Test
    void aTakenOverUploadNoLongerCountsForTheConnectionThatLostIt() throws Exception {
      Caller a = connection(1);
      Caller b = connection(2);
      backend.allocate(a, allocate(si(1), 5000, 0, 1, 2, 3));
      assertThatThrownBy(() -> backend.allocate(a, allocate(si(2), 0, 0)))
          .satisfies(e -> assertThat(codeOf(e)).isEqualTo(ErrorCode.BUSY));
      backend.allocate(b, allocate(si(1), 5000, 0));
      backend.allocate(a, allocate(si(2), 0, 0)); // the place share 0 held is free again
      assertThatThrownBy(() -> backend.allocate(a, allocate(si(3), 0, 0)))
          .satisfies(e -> assertThat(codeOf(e)).isEqualTo(ErrorCode.BUSY));

      backend.connectionClosed(a);
      backend.writeChunk(b, new WriteChunk(si(1), 0, 0, filled(5000, 7)));
      backend.closeShare(b, si(1), 0);
      assertThat(backend.shareNumbers(b, si(1))).containsExactly(0);
      assertThat(store.usedBytes()).isEqualTo(5000);
    }

    @Test
    void aTakenOverSlotWriteNoLongerCountsForTheConnectionThatLostIt() throws Exception {
      Caller a = connection(1);
      Caller b = connection(2);
      backend.allocate(a, allocate(si(1), 0, 0, 1, 2));
      backend.writeSlotShare(a, new Request.WriteSlotShare(si(2), 0, filled(32, 3), filled(32, 4), 20, 0, new byte[10]));
      backend.writeSlotShare(b, new Request.WriteSlotShare(si(2), 0, filled(32, 3), filled(32, 4), 20, 0, new byte[10]));
      backend.allocate(a, allocate(si(3), 0, 0));
      assertThatThrownBy(() -> backend.allocate(a, allocate(si(3), 0, 1)))
          .satisfies(e -> assertThat(codeOf(e)).isEqualTo(ErrorCode.BUSY));
    }

    /** Re-claiming its own upload leaves a connection's count as it was. */
    @Test
    void restartingItsOwnUploadKeepsTheConnectionsCount() throws Exception {
      Caller a = connection(1);
      backend.allocate(a, allocate(si(1), 0, 0, 1, 2));
      backend.allocate(a, allocate(si(1), 0, 0));
      assertThat(backend.restartsUnderWay()).as("the restart's pin is gone once it ended").isZero();
      backend.writeSlotShare(a, new Request.WriteSlotShare(si(9), 0, filled(32, 3), filled(32, 4), 20, 0, new byte[10]));
      assertThatThrownBy(() -> backend.allocate(a, allocate(si(2), 0, 0)))
          .satisfies(e -> assertThat(codeOf(e)).isEqualTo(ErrorCode.BUSY));
      backend.abortShare(a, si(1), 0);
      backend.connectionClosed(a);
      assertThat(store.usedBytes()).isZero();
    }

    @Test
    void abortsEverythingTheConnectionLeftOpen() throws Exception {
      Caller a = connection(1);
      backend.allocate(a, allocate(si(1), 5000, 0, 1));
      backend.allocate(a, allocate(si(2), 5000, 3));
      backend.writeSlotShare(a, slotChunk(si(2), 0, 20, 0, new byte[10]));
      backend.connectionClosed(a);
      assertThat(store.usedBytes()).isZero();
      // The freed places count again for a new connection.
      backend.allocate(connection(3), allocate(si(1), 0, 0, 1, 2, 3));
    }
  }

  @Nested
  class AddressCap {
    @Test
    void connectionsFromOneAddressShareOneCapOtherAddressesHaveTheirOwn() throws Exception {
      open(new StoreLimits(1 << 30, 0, 1 << 20).withOpenWriteCaps(100, 4)
          .withOpenWritesPerAddress(6));
      NodeId other = NodeId.of(filled(32, 0xb));
      Caller a1 = connection(1, NODE, "10.0.0.1");
      Caller a2 = connection(2, other, "10.0.0.1");
      Caller b = connection(3, other, "10.0.0.2");
      backend.allocate(a1, allocate(si(1), 0, 0, 1, 2, 3));
      backend.allocate(a2, allocate(si(2), 0, 0, 1));
      assertThatThrownBy(() -> backend.allocate(a2, allocate(si(3), 0, 0)))
          .satisfies(e -> assertThat(codeOf(e)).isEqualTo(ErrorCode.BUSY))
          .hasMessageContaining("address busy").hasMessageContaining("10.0.0.1");
      assertThatThrownBy(() -> backend.writeSlotShare(a2,
          new Request.WriteSlotShare(si(3), 0, filled(32, 3), filled(32, 4), 100, 0, new byte[10])))
          .satisfies(e -> assertThat(codeOf(e)).isEqualTo(ErrorCode.BUSY));
      backend.allocate(b, allocate(si(4), 0, 0, 1, 2, 3));
      backend.connectionClosed(a1);
      backend.allocate(a2, allocate(si(3), 0, 0, 1));
    }
  }

  /**
   * Issue 10, finding 3: connections that keep pinging held the server's open-write places
   * forever. Now a write that gets no new bytes for the idle timeout is dropped, and the
   * places go to whoever asks next.
   */
  @Nested
  class IdleWrites {
    @Test
    void placesHeldByAnIdleConnectionAreFreedAfterTheIdleTimeout() throws Exception {
      open(new StoreLimits(1 << 30, 0, 1 << 20).withOpenWriteCaps(8, 8)
          .withOpenWriteIdleTimeout(Duration.ofMinutes(5)));
      Caller holder = connection(1, NODE, "10.0.0.1");
      Caller honest = connection(2, NodeId.of(filled(32, 0xb)), "10.0.0.2");
      backend.allocate(holder, allocate(si(1), 5000, 0, 1, 2, 3, 4, 5));
      backend.writeSlotShare(holder, new Request.WriteSlotShare(si(2), 0, filled(32, 3), filled(32, 4), 100, 0, new byte[10]));
      backend.writeSlotShare(holder, new Request.WriteSlotShare(si(2), 1, filled(32, 3), filled(32, 4), 100, 0, new byte[10]));
      assertThatThrownBy(() -> backend.allocate(honest, allocate(si(3), 5000, 0)))
          .satisfies(e -> assertThat(codeOf(e)).isEqualTo(ErrorCode.BUSY));

      // The holder only pings (nothing reaches the store) while one upload makes progress.
      for (int minute = 1; minute <= 4; minute++) {
        clock.advance(Duration.ofMinutes(1));
        backend.writeChunk(holder, new WriteChunk(si(1), 0, minute * 100,
            filled(100, 1)));
      }
      clock.advance(Duration.ofMinutes(2));
      // Rewriting bytes already written is not progress.
      backend.writeChunk(holder, new WriteChunk(si(1), 1, 0, new byte[0]));
      backend.allocate(honest, allocate(si(3), 5000, 0, 1, 2, 3, 4, 5, 6));
      assertThat(store.usedBytes()).as("only the upload that made progress, and the new ones")
          .isEqualTo(5000 + 7 * 5000);
      assertThatThrownBy(() -> backend.writeChunk(holder,
          new WriteChunk(si(1), 1, 0, filled(10, 1))))
          .satisfies(e -> assertThat(codeOf(e)).isEqualTo(ErrorCode.NOT_FOUND));
      assertThatThrownBy(() -> backend.writeSlotShare(holder,
          new Request.WriteSlotShare(si(2), 0, filled(32, 3), filled(32, 4), 100, 10, new byte[10])))
          .satisfies(e -> assertThat(codeOf(e)).isEqualTo(ErrorCode.NOT_FOUND));
      // The holder's own count forgets what expired: it may open again once there is room.
      backend.abortShare(honest, si(3), 0);
      backend.allocate(holder, allocate(si(4), 5000, 0));
    }
  }

  @Nested
  class Requests {
    final Caller a = connection(1);

    void slotShare(int share, int size) throws Exception {
      backend.writeSlotShare(a, slotChunk(si(6), share, size, 0, filled(size, share)));
    }

    @Test
    void statusAnnouncesFreeSpaceAndTheShareLimit() throws Exception {
      var status = backend.status(a);
      assertThat(status.freeSpace()).isEqualTo(1L << 30);
      assertThat(status.maxShareSize()).isEqualTo(1L << 20);
    }

    @Test
    void aSlotReadSkipsSharesNotHeldAndStaysWithinOneChunk() throws Exception {
      int half = org.cairnfs.protocol.message.WireLimits.MAX_CHUNK / 2;
      slotShare(0, half);
      slotShare(1, half);
      slotShare(2, 10);
      var both = backend.readSlot(a, new Request.ReadSlot(si(6), Set.of(0, 1, 9), 0, half));
      assertThat(both).extracting(s -> s.share()).containsExactlyInAnyOrder(0, 1);
      assertThat(both).allSatisfy(s -> {
        assertThat(s.seqnum()).isEqualTo(1);
        assertThat(s.data()).isEqualTo(filled(half, s.share()));
      });
      assertThatThrownBy(() -> backend.readSlot(a,
          new Request.ReadSlot(si(6), Set.of(0, 1, 2), 0, half)))
          .satisfies(e -> assertThat(codeOf(e)).isEqualTo(ErrorCode.BAD_REQUEST))
          .hasMessageContaining("exceeds");
      assertThat(backend.readSlot(a, new Request.ReadSlot(si(6), Set.of(), 5, 5)))
          .extracting(s -> s.share()).containsExactlyInAnyOrder(0, 1, 2);
    }

    @Test
    void aMiddleChunkIsNeverRefusedAsBusyNorMovesTheClaim() throws Exception {
      Caller b = connection(2);
      backend.writeSlotShare(a, slotChunk(si(7), 0, 30, 0, new byte[10]));
      backend.allocate(b, allocate(si(1), 0, 0, 1, 2, 3)); // b is at its cap
      backend.writeSlotShare(b, slotChunk(si(7), 0, 30, 10, new byte[10]));
      // a still claims the write: a dropping takes it along.
      backend.connectionClosed(a);
      assertThatThrownBy(() -> backend.writeSlotShare(b, slotChunk(si(7), 0, 30, 20,
          new byte[10]))).satisfies(e -> assertThat(codeOf(e)).isEqualTo(ErrorCode.NOT_FOUND));
    }

    /** A connection at its cap may restart a slot write it has open: that takes no new place. */
    @Test
    void restartingItsOwnSlotWriteAtTheCapIsNotBusy() throws Exception {
      backend.allocate(a, allocate(si(1), 0, 0, 1, 2));
      backend.writeSlotShare(a, slotChunk(si(7), 0, 30, 0, new byte[10])); // a is at its cap
      backend.writeSlotShare(a, slotChunk(si(7), 0, 30, 0, new byte[10])); // the restart
      backend.writeSlotShare(a, slotChunk(si(7), 0, 30, 10, new byte[10]));
      assertThatThrownBy(() -> backend.writeSlotShare(a,
          slotChunk(si(8), 0, 30, 0, new byte[10])))
          .satisfies(e -> assertThat(codeOf(e)).isEqualTo(ErrorCode.BUSY));
      backend.writeSlotShare(a, slotChunk(si(7), 0, 30, 20, new byte[10]));
      backend.allocate(a, allocate(si(1), 0, 3)); // the slot write's place is free again
    }

    @Test
    void aLastChunkFreesTheConnectionsPlace() throws Exception {
      backend.allocate(a, allocate(si(1), 0, 0, 1, 2));
      backend.writeSlotShare(a, slotChunk(si(7), 0, 20, 0, new byte[10]));
      backend.writeSlotShare(a, slotChunk(si(7), 0, 20, 10, new byte[10]));
      backend.allocate(a, allocate(si(1), 0, 3)); // the slot write's place is free again
      // A whole share in one chunk never takes a place.
      backend.writeSlotShare(a, slotChunk(si(8), 0, 10, 0, new byte[10]));
      backend.connectionClosed(a);
      assertThat(backend.readSlot(a, new Request.ReadSlot(si(8), Set.of(0), 0, 10))).hasSize(1);
    }

    @Test
    void leasesAreAddedToHeldSharesAndRenewedOnlyWithTheirSecret() throws Exception {
      backend.allocate(a, allocate(si(1), 10, 0));
      backend.writeChunk(a, new WriteChunk(si(1), 0, 0, new byte[10]));
      backend.closeShare(a, si(1), 0);
      NodeId other = NodeId.of(filled(32, 0xb));
      backend.addLease(connection(2, other, "10.0.0.2"),
          new Request.AddLease(si(1), filled(32, 8), filled(32, 9)));
      assertThat(leases.find(org.cairnfs.storage.share.ShareKey.immutable(si(1), 0)).orElseThrow()
          .owners()).containsExactlyInAnyOrder(
              org.cairnfs.storage.lease.LeaseOwner.of(NODE.toBytes()),
              org.cairnfs.storage.lease.LeaseOwner.of(other.toBytes()));
      assertThatThrownBy(() -> backend.addLease(a,
          new Request.AddLease(si(2), filled(32, 8), filled(32, 9))))
          .satisfies(e -> assertThat(codeOf(e)).isEqualTo(ErrorCode.NOT_FOUND));

      clock.advance(Duration.ofDays(30));
      backend.renewLease(a, new Request.RenewLease(si(1), filled(32, 8)));
      assertThatThrownBy(() -> backend.renewLease(a, new Request.RenewLease(si(1), filled(32, 7))))
          .satisfies(e -> assertThat(codeOf(e)).isEqualTo(ErrorCode.NOT_FOUND));
      clock.advance(Duration.ofDays(2));
      // Only the renewed lease is still live.
      assertThat(store.collectIfExpired(org.cairnfs.storage.share.ShareKey.immutable(si(1), 0)))
          .isFalse();
      assertThat(leases.find(org.cairnfs.storage.share.ShareKey.immutable(si(1), 0)).orElseThrow()
          .owners()).containsExactly(org.cairnfs.storage.lease.LeaseOwner.of(other.toBytes()));
    }

    @Test
    void allocateAnswersWhatItOpenedAndWhatIsHeldAndReadsServeHeldShares() throws Exception {
      backend.allocate(a, allocate(si(1), 10, 0));
      backend.writeChunk(a, new WriteChunk(si(1), 0, 0, filled(10, 7)));
      backend.closeShare(a, si(1), 0);
      var answer = backend.allocate(a, allocate(si(1), 10, 0, 1));
      assertThat(answer.allocated()).containsExactly(1);
      assertThat(answer.alreadyHave()).containsExactly(0);
      assertThat(backend.readRange(a, new Request.ReadRange(si(1), 0, 2, 5)))
          .isEqualTo(filled(5, 7));
      assertThat(backend.listShares(a, si(1)))
          .containsExactly(new org.cairnfs.protocol.message.Response.ShareSize(0, 10));
    }

    @Test
    void aReadAnswersFromAPooledBufferItOwnsUpToTheShareEnd() throws Exception {
      byte[] bytes = new byte[10];
      new java.util.Random(3).nextBytes(bytes);
      backend.allocate(a, allocate(si(1), 10, 0));
      backend.writeChunk(a, new WriteChunk(si(1), 0, 0, bytes));
      backend.closeShare(a, si(1), 0);
      var data = backend.readRangeData(a, new Request.ReadRange(si(1), 0, 4, 100));
      assertThat(data.data()).isEqualTo(java.util.Arrays.copyOfRange(bytes, 4, 10));
      io.netty.buffer.ByteBuf pooled = data.pooled().orElseThrow();
      assertThat(pooled.isDirect()).isTrue();
      data.release();
      assertThat(pooled.refCnt()).isZero();
      assertThat(backend.readRangeData(a, new Request.ReadRange(si(1), 0, 10, 5)).length())
          .isZero();
      assertThatThrownBy(() -> backend.readRangeData(a, new Request.ReadRange(si(1), 1, 0, 5)))
          .satisfies(e -> assertThat(codeOf(e)).isEqualTo(ErrorCode.NOT_FOUND));
    }

    /** A disk read that fails after its buffer was taken gives the buffer back. */
    @Test
    void aReadThatFailsOnTheDiskReleasesItsBuffer() throws Exception {
      backend.allocate(a, allocate(si(1), 10, 0));
      backend.writeChunk(a, new WriteChunk(si(1), 0, 0, filled(10, 7)));
      backend.closeShare(a, si(1), 0);
      java.nio.file.Path share;
      try (var files = java.nio.file.Files.walk(dir.resolve("store"))) {
        share = files.filter(java.nio.file.Files::isRegularFile)
            .filter(f -> f.getFileName().toString().equals("0")).findFirst().orElseThrow();
      }
      // a directory where the share was: it opens for reading, and the read fails (EISDIR)
      java.nio.file.Files.delete(share);
      java.nio.file.Files.createDirectory(share);
      java.util.List<io.netty.buffer.ByteBuf> taken =
          new java.util.concurrent.CopyOnWriteArrayList<>();
      ShareStoreBackend watched = new ShareStoreBackend(store,
          new io.netty.buffer.AbstractByteBufAllocator(true) {
            @Override
            protected io.netty.buffer.ByteBuf newDirectBuffer(int initial, int max) {
              io.netty.buffer.ByteBuf b = io.netty.buffer.Unpooled.directBuffer(initial, max);
              taken.add(b);
              return b;
            }

            @Override
            protected io.netty.buffer.ByteBuf newHeapBuffer(int initial, int max) {
              return io.netty.buffer.Unpooled.buffer(initial, max);
            }

            @Override
            public boolean isDirectBufferPooled() {
              return false;
            }
          });
      assertThatThrownBy(() -> watched.readRangeData(a, new Request.ReadRange(si(1), 0, 0, 5)))
          .isInstanceOf(java.io.UncheckedIOException.class);
      assertThat(taken).isNotEmpty().allSatisfy(b -> assertThat(b.refCnt()).isZero());
    }

    @Test
    void aConnectionThatNeverWroteClosesQuietly() {
      backend.connectionClosed(connection(42));
      backend.connectionClosed(connection(43, NODE, "10.0.0.9"));
    }
  }
}
