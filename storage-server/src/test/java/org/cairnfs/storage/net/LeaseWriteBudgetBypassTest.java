package org.cairnfs.storage.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.cairnfs.storage.net.ShareStoreBackendTest.filled;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.protocol.client.ClientOptions;
import org.cairnfs.protocol.client.ProtocolClient;
import org.cairnfs.protocol.client.RemoteException;
import org.cairnfs.protocol.identity.NodeKey;
import org.cairnfs.protocol.message.ErrorCode;
import org.cairnfs.protocol.message.Request;
import org.cairnfs.protocol.server.ProtocolServer;
import org.cairnfs.protocol.server.ServerConfig;
import org.cairnfs.storage.FakeClock;
import org.cairnfs.storage.lease.LeaseDb;
import org.cairnfs.storage.lease.LeaseDbWithCommitter;
import org.cairnfs.storage.store.AcceptingSlotCheck;
import org.cairnfs.storage.store.ShareStore;
import org.cairnfs.storage.store.StoreLimits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review of the lease-record budget (LeaseWriteBudget): ways an address makes the server
 * rewrite lease records without being charged for them, or beyond its burst. Real TLS on
 * loopback; the lease database's committed operations are counted.
 */
class LeaseWriteBudgetBypassTest {
  static final int SHARES = LeaseCommitStripeTest.SHARES;

  @TempDir Path dir;

  /**
   * An ALLOCATE naming the held shares and one new share too big for the space left. The store
   * leased the held shares (new secrets: every record rewritten) before the space check of the
   * new share refused the request (SERVER_FULL), and the charge, made only after
   * allocatePending returned, never happened; the changes stayed in the open batch for the next
   * commit (anyone's). By default the largest share is max-space itself, so a share of that size
   * never fits once anything is stored: no special setup was needed. Now the store leases last,
   * once nothing else can refuse, so a refused ALLOCATE changes no lease at all.
   */
  @Test
  void anAllocateRefusedAfterLeasingHeldSharesIsStillCharged() throws Exception {
    AtomicLong operations = new AtomicLong();
    FakeClock clock = new FakeClock();
    LeaseDb leases = LeaseDbWithCommitter.counting(dir.resolve("leases.db"), clock,
        operations);
    long maxSpace = 1L << 30;
    // max share size = max space, as StorageConfig makes it by default for servers under 128 GiB
    ShareStore store = ShareStore.open(dir.resolve("store"),
        new StoreLimits(maxSpace, 0, maxSpace), leases, () -> 1L << 40,
        AcceptingSlotCheck.INSTANCE);
    AtomicLong nanos = new AtomicLong();
    // As in LeaseRenewalWriteTest: 1 byte/s, 64 KiB burst, so no debt is paid off meanwhile.
    LeaseWriteBudget budget = new LeaseWriteBudget(1, 64 << 10, 16, nanos::get);
    NodeKey serverKey = NodeKey.generate();
    ClientOptions options = ClientOptions.builder().connectTimeout(Duration.ofSeconds(5)).build();
    StorageIndex index = StorageIndex.of(filled(16, 0x74));
    Set<Integer> heldAndOneNew = new TreeSet<>(LeaseCommitStripeTest.ALL);
    heldAndOneNew.add(SHARES); // not held: opened after the held ones are leased
    try (ProtocolServer server = ProtocolServer.start(ServerConfig.builder(serverKey)
            .host("127.0.0.1").port(0).storage(new ShareStoreBackend(store, budget)).build());
        ProtocolClient owner = ProtocolClient.connect(options, NodeKey.generate(), "127.0.0.1",
            server.port(), serverKey.nodeId()).get(10, TimeUnit.SECONDS)) {
      LeaseCommitStripeTest.heldShares(owner, index);
      long before = operations.get();
      int rounds = 20;
      for (int round = 0; round < rounds; round++) {
        CompletableFuture<?> refused = owner.request(new Request.Allocate(index,
            filled(32, 10 + round % 2), filled(32, 20), maxSpace, heldAndOneNew));
        assertThatThrownBy(() -> refused.get(30, TimeUnit.SECONDS))
            .isInstanceOf(ExecutionException.class)
            .cause().isInstanceOfSatisfying(RemoteException.class,
                r -> assertThat(r.code()).as("refused for space, not for its debt")
                    .isEqualTo(ErrorCode.SERVER_FULL));
      }
      assertThatThrownBy(() -> owner.request(new Request.RenewLease(index, filled(32, 10)))
          .get(30, TimeUnit.SECONDS)).as("no lease took the refused requests' secrets")
          .cause().isInstanceOfSatisfying(RemoteException.class,
              r -> assertThat(r.code()).isEqualTo(ErrorCode.NOT_FOUND));
      long rewritten = operations.get() - before;
      System.out.printf("%d refused ALLOCATEs: %d lease records rewritten and committed;"
          + " address tracked by the budget: %s%n", rounds, rewritten, budget.tracked());
      assertThat(rewritten).as("records the refused ALLOCATEs rewrote").isZero();
      assertThat(budget.tracked()).as("their advances refunded").isZero();
    } finally {
      store.close();
      leases.close();
    }
  }

  /**
   * The budget checks before a request and charges after it, so every lease request of an
   * address that is running at once passes the check before any of them is charged: with a
   * burst of 0 (so that, as documented, at most the one request that overdraws runs), eight
   * ADD_LEASEs sent together from eight connections of one address all run. Here the first
   * one's commit is held a moment so the others are surely under way; in production a slow log
   * sync does the same, and an address may hold 32 connections of 64 requests each, served by
   * the backend's threads (16 or more): each request up to 512 records of 8.7 KiB (4.4 MiB).
   */
  @Test
  void requestsRunningAtOnceOverdrawOnlyOnce() throws Exception {
    java.util.concurrent.CountDownLatch inCommit = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.atomic.AtomicBoolean gate = new java.util.concurrent.atomic.AtomicBoolean();
    LeaseDb leases = LeaseDbWithCommitter.open(dir.resolve("leases.db"), new FakeClock(),
        Duration.ofDays(31), (commit, ops) -> {
          if (gate.getAndSet(false)) {
            inCommit.countDown();
            try {
              release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          commit.run();
        });
    ShareStore store = ShareStore.open(dir.resolve("store"),
        new StoreLimits(1L << 30, 0, 1 << 24), leases, () -> 1L << 40,
        AcceptingSlotCheck.INSTANCE);
    AtomicLong nanos = new AtomicLong();
    // 1 byte/s and no burst: the first request that writes anything puts the address in debt.
    LeaseWriteBudget budget = new LeaseWriteBudget(1, 0, 16, nanos::get);
    NodeKey serverKey = NodeKey.generate();
    ClientOptions options = ClientOptions.builder().connectTimeout(Duration.ofSeconds(5)).build();
    StorageIndex index = StorageIndex.of(filled(16, 0x75));
    int clients = 8;
    java.util.List<ProtocolClient> owners = new java.util.ArrayList<>();
    try (ProtocolServer server = ProtocolServer.start(ServerConfig.builder(serverKey)
        .host("127.0.0.1").port(0).storage(new ShareStoreBackend(store, budget)).build())) {
      for (int i = 0; i < clients; i++) {
        owners.add(ProtocolClient.connect(options, NodeKey.generate(), "127.0.0.1",
            server.port(), serverKey.nodeId()).get(10, TimeUnit.SECONDS));
      }
      LeaseCommitStripeTest.heldShares(owners.get(0), index);
      gate.set(true);
      java.util.List<CompletableFuture<?>> sent = new java.util.ArrayList<>();
      // each a new owner: each rewrites all 64 records
      sent.add(owners.get(1).request(new Request.AddLease(index, filled(32, 1), filled(32, 2))));
      assertThat(inCommit.await(30, TimeUnit.SECONDS)).isTrue();
      for (int i = 2; i < clients; i++) {
        sent.add(owners.get(i).request(new Request.AddLease(index, filled(32, i),
            filled(32, 2))));
      }
      Thread.sleep(1000); // the others pass the check and wait for the database
      release.countDown();
      int accepted = 0;
      for (CompletableFuture<?> f : sent) {
        try {
          f.get(30, TimeUnit.SECONDS);
          accepted++;
        } catch (ExecutionException e) {
          assertThat(e.getCause()).isInstanceOfSatisfying(RemoteException.class,
              r -> assertThat(r.code()).isEqualTo(ErrorCode.BUSY));
        }
      }
      System.out.printf("%d ADD_LEASEs sent at once with no burst: %d accepted%n",
          sent.size(), accepted);
      assertThat(accepted).as("ADD_LEASEs run with a burst of 0 (at most the one that"
          + " overdraws, LeaseWriteBudget)").isEqualTo(1);
    } finally {
      release.countDown();
      for (ProtocolClient c : owners) {
        c.close();
      }
      store.close();
      leases.close();
    }
  }
}
