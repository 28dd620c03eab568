package org.cairnfs.storage.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.cairnfs.storage.net.ShareStoreBackendTest.filled;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.protocol.client.ClientOptions;
import org.cairnfs.protocol.client.ProtocolClient;
import org.cairnfs.protocol.identity.NodeKey;
import org.cairnfs.protocol.message.Request;
import org.cairnfs.protocol.message.Response;
import org.cairnfs.protocol.server.ProtocolServer;
import org.cairnfs.protocol.server.ServerConfig;
import org.cairnfs.storage.FakeClock;
import org.cairnfs.storage.lease.LeaseDb;
import org.cairnfs.storage.lease.LeaseDbWithCommitter;
import org.cairnfs.storage.store.AcceptingSlotCheck;
import org.cairnfs.storage.store.ShareStore;
import org.cairnfs.storage.store.StoreLimits;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ADD_LEASE, RENEW_LEASE and an ALLOCATE naming held shares change the lease of every share of
 * the index (up to 256 immutable and 256 slot shares, which anyone can make for an index of
 * their own at 4 KiB of charge each). They waited for a lease-database commit (a log fsync)
 * <em>per share</em>, one after the other, all under the store's stripe lock of the index (one
 * of 64), and ALLOCATE under the claims stripe too. One 57-byte request thus cost up to 512
 * serial fsyncs, during which every ALLOCATE, CLOSE_SHARE (and so the whole group commit of
 * closes that includes one of that stripe), ABORT_SHARE, slot write and collection of every
 * index in the stripe, from anyone, waited, each holding a backend thread.
 *
 * <p>Real TLS on loopback; commits are counted, or gated to stand for a slow disk.
 */
class LeaseCommitStripeTest {
  static final int SHARES = 64;

  @TempDir Path dir;
  final AtomicInteger commits = new AtomicInteger();
  volatile CountDownLatch gate;
  final CountDownLatch gateEntered = new CountDownLatch(1);
  LeaseDb leases;
  ShareStore store;
  ProtocolServer server;
  NodeKey serverKey = NodeKey.generate();
  final ClientOptions options =
      ClientOptions.builder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeEach
  void start() throws Exception {
    leases = LeaseDbWithCommitter.open(dir.resolve("leases.db"), new FakeClock(),
        Duration.ofDays(31), (commit, operations) -> {
          commits.incrementAndGet();
          CountDownLatch g = gate;
          if (g != null) {
            gateEntered.countDown();
            try {
              g.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          commit.run();
        });
    store = ShareStore.open(dir.resolve("store"), new StoreLimits(1L << 30, 0, 1 << 24),
        leases, () -> 1L << 40, AcceptingSlotCheck.INSTANCE);
    server = ProtocolServer.start(ServerConfig.builder(serverKey).host("127.0.0.1").port(0)
        .storage(new ShareStoreBackend(store)).build());
  }

  @AfterEach
  void stop() throws Exception {
    CountDownLatch g = gate;
    if (g != null) {
      g.countDown();
    }
    server.close();
    store.close();
    leases.close();
  }

  ProtocolClient connect() throws Exception {
    return ProtocolClient.connect(options, NodeKey.generate(), "127.0.0.1", server.port(),
        serverKey.nodeId()).get(10, TimeUnit.SECONDS);
  }

  static final Set<Integer> ALL = IntStream.range(0, SHARES).boxed().collect(Collectors.toSet());

  /** Uploads {@link #SHARES} empty shares of {@code index} (4 KiB of charge each). */
  static void heldShares(ProtocolClient client, StorageIndex index) throws Exception {
    Response r = client.request(new Request.Allocate(index, filled(32, 1), filled(32, 2), 0, ALL))
        .get(10, TimeUnit.SECONDS);
    assertThat(((Response.Allocated) r).allocated()).hasSize(SHARES);
    CompletableFuture<?>[] closes = new CompletableFuture<?>[SHARES];
    for (int n = 0; n < SHARES; n++) {
      closes[n] = client.request(new Request.CloseShare(index, n));
    }
    CompletableFuture.allOf(closes).get(30, TimeUnit.SECONDS);
  }

  static StorageIndex neighbourOf(StorageIndex index, int seed) {
    for (int v = 0; ; v++) {
      byte[] b = filled(16, seed);
      b[0] = (byte) v;
      b[1] = (byte) (v >> 8);
      StorageIndex candidate = StorageIndex.of(b);
      if (!candidate.equals(index)
          && SlotCheckStripeTest.stripeOf(candidate) == SlotCheckStripeTest.stripeOf(index)) {
        return candidate;
      }
    }
  }

  @Test
  void leaseRequestsOnManySharesCommitOnceNotOncePerShare() throws Exception {
    StorageIndex index = StorageIndex.of(filled(16, 0x61));
    try (ProtocolClient stranger = connect(); ProtocolClient other = connect()) {
      heldShares(stranger, index);

      int before = commits.get();
      stranger.request(new Request.AddLease(index, filled(32, 1), filled(32, 2)))
          .get(30, TimeUnit.SECONDS);
      assertThat(commits.get() - before).as("commits for one ADD_LEASE of %d shares", SHARES)
          .isLessThanOrEqualTo(2);

      before = commits.get();
      stranger.request(new Request.RenewLease(index, filled(32, 1))).get(30, TimeUnit.SECONDS);
      assertThat(commits.get() - before).as("commits for one RENEW_LEASE of %d shares", SHARES)
          .isLessThanOrEqualTo(2);

      before = commits.get();
      Response r = other.request(new Request.Allocate(index, filled(32, 5), filled(32, 6), 0,
          ALL)).get(30, TimeUnit.SECONDS);
      assertThat(((Response.Allocated) r).alreadyHave()).hasSize(SHARES);
      assertThat(commits.get() - before)
          .as("commits for one ALLOCATE naming %d held shares", SHARES).isLessThanOrEqualTo(2);
    }
  }

  @Test
  void aLeaseCommitDoesNotHoldUpOtherIndexesOfItsStripe() throws Exception {
    StorageIndex index = StorageIndex.of(filled(16, 0x62));
    StorageIndex neighbour = neighbourOf(index, 0x37);
    try (ProtocolClient stranger = connect(); ProtocolClient honest = connect()) {
      heldShares(stranger, index);
      gate = new CountDownLatch(1); // the disk is slow from here on
      CompletableFuture<Response> adding =
          // new secrets: a renewal that changed nothing would write and commit nothing
          stranger.request(new Request.AddLease(index, filled(32, 5), filled(32, 6)));
      assertThat(gateEntered.await(10, TimeUnit.SECONDS)).isTrue();
      try {
        // Another client, a new share of another index that happens to share the stripe: it
        // needs no commit at all.
        Response r = honest.request(new Request.Allocate(neighbour, filled(32, 3),
            filled(32, 4), 100, Set.of(0))).get(5, TimeUnit.SECONDS);
        assertThat(((Response.Allocated) r).allocated()).containsExactly(0);
      } catch (TimeoutException e) {
        throw new AssertionError("an ALLOCATE of another storage index waited for a stranger's"
            + " ADD_LEASE commit (same stripe)", e);
      } finally {
        gate.countDown();
      }
      adding.get(30, TimeUnit.SECONDS);
    }
  }
}
