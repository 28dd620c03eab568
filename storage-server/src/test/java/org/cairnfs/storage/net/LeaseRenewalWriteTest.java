package org.cairnfs.storage.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.cairnfs.storage.net.ShareStoreBackendTest.filled;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.protocol.client.ClientOptions;
import org.cairnfs.protocol.client.ProtocolClient;
import org.cairnfs.protocol.identity.NodeKey;
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
 * A share's leases live in one record of the lease database (up to 64 leases, about 8.7 KiB),
 * and every ADD_LEASE or RENEW_LEASE rewrote the record of every share of the index, whatever
 * it changed: renewing a lease renewed a second ago (or not at all, the expiry being equal)
 * still rewrote and committed the record. Anyone can make an index of 256 empty shares (4 KiB of
 * charge each) and fill their lease slots from 63 minted node ids; after that each ADD_LEASE or
 * RENEW_LEASE of about 60 bytes made the server write about 2 MiB to the database's log (and the
 * same again at its checkpoint) and sync it, as fast as it is asked: a write amplification of
 * tens of thousands, paid by the disk every other client needs.
 *
 * <p>Real TLS on loopback; the database's committed operations are counted. A renewal that
 * would move an expiry by less than the renewal granularity must change nothing and write
 * nothing.
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

  @org.junit.jupiter.api.Disabled("open finding (attack review 2): fails on current code (1280"
      + " record writes, about 2.2 MB written to disk, for the 20 requests). A fix that makes a"
      + " renewal moving an expiry by less than min(1 h, 1 % of the lease period) a no-op passes"
      + " it, but LeaseDbGroupCommitTest pins renewals at an unchanged instant as commits, so"
      + " it is left to the maintainers; and see alternatingSecretsStillRewritesEveryRecord")
  @Test
  void renewingALeaseThatWasJustRenewedWritesNothing() throws Exception {
    AtomicLong operations = new AtomicLong();
    FakeClock clock = new FakeClock();
    LeaseDb leases = LeaseDbWithCommitter.open(dir.resolve("leases.db"), clock,
        Duration.ofDays(31), (commit, ops) -> {
          operations.addAndGet(ops);
          commit.run();
        });
    ShareStore store = ShareStore.open(dir.resolve("store"),
        new StoreLimits(1L << 30, 0, 1 << 24), leases, () -> 1L << 40,
        AcceptingSlotCheck.INSTANCE);
    NodeKey serverKey = NodeKey.generate();
    ClientOptions options = ClientOptions.builder().connectTimeout(Duration.ofSeconds(5)).build();
    StorageIndex index = StorageIndex.of(filled(16, 0x71));
    List<ProtocolClient> owners = new ArrayList<>();
    try (ProtocolServer server = ProtocolServer.start(ServerConfig.builder(serverKey)
        .host("127.0.0.1").port(0).storage(new ShareStoreBackend(store)).build())) {
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

  @org.junit.jupiter.api.Disabled("open: an owner's new secrets replace its held ones (latest wins,"
      + " storage-layout.md section 5), so an owner alternating two secret pairs still rewrites"
      + " every record of the index on each ADD_LEASE; bounding it needs leases kept apart from"
      + " the share record, or a limit on secret changes, a design change")
  @Test
  void alternatingSecretsStillRewritesEveryRecord() throws Exception {
    AtomicLong operations = new AtomicLong();
    LeaseDb leases = LeaseDbWithCommitter.open(dir.resolve("leases.db"), new FakeClock(),
        Duration.ofDays(31), (commit, ops) -> {
          operations.addAndGet(ops);
          commit.run();
        });
    ShareStore store = ShareStore.open(dir.resolve("store"),
        new StoreLimits(1L << 30, 0, 1 << 24), leases, () -> 1L << 40,
        AcceptingSlotCheck.INSTANCE);
    NodeKey serverKey = NodeKey.generate();
    ClientOptions options = ClientOptions.builder().connectTimeout(Duration.ofSeconds(5)).build();
    StorageIndex index = StorageIndex.of(filled(16, 0x72));
    try (ProtocolServer server = ProtocolServer.start(ServerConfig.builder(serverKey)
            .host("127.0.0.1").port(0).storage(new ShareStoreBackend(store)).build());
        ProtocolClient owner = ProtocolClient.connect(options, NodeKey.generate(), "127.0.0.1",
            server.port(), serverKey.nodeId()).get(10, TimeUnit.SECONDS)) {
      LeaseCommitStripeTest.heldShares(owner, index);
      long before = operations.get();
      for (int round = 0; round < 10; round++) {
        owner.request(new Request.AddLease(index, filled(32, 10 + round % 2), filled(32, 20)))
            .get(30, TimeUnit.SECONDS);
      }
      assertThat(operations.get() - before).as("records rewritten by 10 ADD_LEASEs").isZero();
    } finally {
      store.close();
      leases.close();
    }
  }
}
