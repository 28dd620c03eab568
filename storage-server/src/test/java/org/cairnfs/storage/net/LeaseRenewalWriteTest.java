package org.cairnfs.storage.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.cairnfs.storage.net.ShareStoreBackendTest.filled;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.protocol.client.ClientOptions;
import org.cairnfs.protocol.client.ProtocolClient;
import org.cairnfs.protocol.client.RemoteException;
import org.cairnfs.protocol.message.ErrorCode;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A share's leases live in one record of the lease database (up to 64 leases, about 8.7 KiB),
 * and every ADD_LEASE or RENEW_LEASE rewrote the record of every share of the index, whatever
 * it changed: renewing a lease renewed a second ago still rewrote and committed the record.
 * Anyone can make an index of many empty shares (4 KiB of charge each) and fill their lease
 * slots from minted node ids; after that each ADD_LEASE or RENEW_LEASE of about 60 bytes made
 * the server write about 2 MiB (64 shares) to its database's log and sync it, as fast as it was
 * asked.
 *
 * <p>Now a renewal that moves an expiry by less than the granularity writes nothing, and what
 * lease requests still write (new owners, changed secrets) is charged to the asking address,
 * which is answered BUSY while it owes more than its burst ({@link LeaseWriteBudget}). Real TLS
 * on loopback; the database's committed operations are counted.
 */
class LeaseRenewalWriteTest {
  static final int SHARES = 64;
  static final int OWNERS = 63;

  @TempDir Path dir;

  /** write_bytes of /proc/self/io (Linux; -1 elsewhere): what this JVM made the disk write. */
  static long processWriteBytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/io"))) {
        if (line.startsWith("write_bytes:")) {
          return Long.parseLong(line.substring(12).trim());
        }
      }
    } catch (java.io.IOException | RuntimeException e) {
      // not Linux
    }
    return -1;
  }

  @Test
  void renewingALeaseThatWasJustRenewedWritesNothing() throws Exception {
    AtomicLong operations = new AtomicLong();
    FakeClock clock = new FakeClock();
    LeaseDb leases = LeaseDbWithCommitter.counting(dir.resolve("leases.db"), clock,
        operations);
    ShareStore store = ShareStore.open(dir.resolve("store"),
        new StoreLimits(1L << 30, 0, 1 << 24), leases, () -> 1L << 40,
        AcceptingSlotCheck.INSTANCE);
    NodeKey serverKey = NodeKey.generate();
    ClientOptions options = ClientOptions.builder().connectTimeout(Duration.ofSeconds(5)).build();
    StorageIndex index = StorageIndex.of(filled(16, 0x71));
    List<ProtocolClient> owners = new ArrayList<>();
    // Filling 63 leases on 64 shares writes about 17 MB of records: more than the standard
    // budget lets one address write at once, so this test's address gets a larger one.
    LeaseWriteBudget ample = new LeaseWriteBudget(1L << 32, 1L << 40, 16, System::nanoTime);
    try (ProtocolServer server = ProtocolServer.start(ServerConfig.builder(serverKey)
        .host("127.0.0.1").port(0).storage(new ShareStoreBackend(store, ample)).build())) {
      for (int i = 0; i < OWNERS; i++) {
        owners.add(ProtocolClient.connect(options, NodeKey.generate(), "127.0.0.1",
            server.port(), serverKey.nodeId()).get(10, TimeUnit.SECONDS));
      }
      LeaseCommitStripeTest.heldShares(owners.get(0), index);
      for (int i = 1; i < OWNERS; i++) {
        owners.get(i).request(new Request.AddLease(index, filled(32, i), filled(32, 100 + i)))
            .get(30, TimeUnit.SECONDS);
      }
      long ioBefore = processWriteBytes();
      long before = operations.get();
      for (int round = 0; round < 10; round++) {
        clock.advance(Duration.ofSeconds(1));
        owners.get(1).request(new Request.AddLease(index, filled(32, 1), filled(32, 101)))
            .get(30, TimeUnit.SECONDS);
        owners.get(2).request(new Request.RenewLease(index, filled(32, 2)))
            .get(30, TimeUnit.SECONDS);
      }
      long written = operations.get() - before;
      long io = processWriteBytes() - ioBefore;
      System.out.printf("20 lease requests of ~60 bytes on %d shares of %d leases: %d record"
          + " writes committed; this process wrote %d bytes to disk meanwhile%n", SHARES,
          OWNERS, written, io);
      assertThat(written).as("lease records rewritten by 20 renewals of leases renewed a second"
          + " earlier").isZero();
    } finally {
      for (ProtocolClient c : owners) {
        c.close();
      }
      store.close();
      leases.close();
    }
  }

  /**
   * An owner alternating two secret pairs really changes its lease each time (latest secrets
   * win, storage-layout.md section 5), so each ADD_LEASE rewrites every record of the index:
   * the address pays for it, and once it owes more than its burst it is refused, for ALLOCATE of
   * held shares too (which leases as ADD_LEASE does), but not for new shares, until time pays
   * the debt off.
   */
  @Test
  void changingSecretsIsChargedToTheAddressAndRefusedPastItsBurst() throws Exception {
    AtomicLong operations = new AtomicLong();
    LeaseDb leases = LeaseDbWithCommitter.counting(dir.resolve("leases.db"), new FakeClock(),
        operations);
    ShareStore store = ShareStore.open(dir.resolve("store"),
        new StoreLimits(1L << 30, 0, 1 << 24), leases, () -> 1L << 40,
        AcceptingSlotCheck.INSTANCE);
    AtomicLong nanos = new AtomicLong();
    // 1 byte/s: no debt is paid off while the test runs, until the clock is moved.
    LeaseWriteBudget budget = new LeaseWriteBudget(1, 64 << 10, 16, nanos::get);
    NodeKey serverKey = NodeKey.generate();
    ClientOptions options = ClientOptions.builder().connectTimeout(Duration.ofSeconds(5)).build();
    StorageIndex index = StorageIndex.of(filled(16, 0x72));
    try (ProtocolServer server = ProtocolServer.start(ServerConfig.builder(serverKey)
            .host("127.0.0.1").port(0).storage(new ShareStoreBackend(store, budget)).build());
        ProtocolClient owner = ProtocolClient.connect(options, NodeKey.generate(), "127.0.0.1",
            server.port(), serverKey.nodeId()).get(10, TimeUnit.SECONDS)) {
      LeaseCommitStripeTest.heldShares(owner, index);
      long before = operations.get();
      int accepted = 0;
      int busy = 0;
      for (int round = 0; round < 20; round++) {
        try {
          owner.request(new Request.AddLease(index, filled(32, 10 + round % 2), filled(32, 20)))
              .get(30, TimeUnit.SECONDS);
          accepted++;
        } catch (ExecutionException e) {
          assertThat(e.getCause()).isInstanceOfSatisfying(RemoteException.class,
              r -> assertThat(r.code()).isEqualTo(ErrorCode.BUSY));
          busy++;
        }
      }
      assertThat(accepted).as("requests run before the address owed more than 64 KiB")
          .isBetween(1, 19);
      assertThat(busy).isEqualTo(20 - accepted);
      assertThat(operations.get() - before).as("records rewritten: only by accepted requests")
          .isEqualTo((long) SHARES * accepted);
      assertThatThrownBy(() -> owner.request(new Request.Allocate(index, filled(32, 1),
          filled(32, 2), 0, LeaseCommitStripeTest.ALL)).get(30, TimeUnit.SECONDS))
          .as("an ALLOCATE naming held shares leases them: refused alike")
          .hasCauseInstanceOf(RemoteException.class).hasMessageContaining("BUSY");
      StorageIndex fresh = StorageIndex.of(filled(16, 0x73));
      Response fresher = owner.request(new Request.Allocate(fresh, filled(32, 1),
          filled(32, 2), 0, LeaseCommitStripeTest.ALL)).get(30, TimeUnit.SECONDS);
      assertThat(((Response.Allocated) fresher).allocated()).as("new shares are not held up")
          .hasSize(SHARES);
      nanos.addAndGet(Duration.ofDays(1).toNanos());
      owner.request(new Request.AddLease(index, filled(32, 12), filled(32, 20)))
          .get(30, TimeUnit.SECONDS);
      assertThat(operations.get() - before).isEqualTo((long) SHARES * (accepted + 1));
    } finally {
      store.close();
      leases.close();
    }
  }
}
