package org.cairnfs.storage.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.cairnfs.storage.net.ShareStoreBackendTest.filled;

import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.caps.share.ShareSource;
import org.cairnfs.protocol.client.ClientOptions;
import org.cairnfs.protocol.client.ProtocolClient;
import org.cairnfs.protocol.identity.NodeKey;
import org.cairnfs.protocol.message.Request;
import org.cairnfs.protocol.message.Response;
import org.cairnfs.protocol.server.ProtocolServer;
import org.cairnfs.protocol.server.ServerConfig;
import org.cairnfs.storage.FakeClock;
import org.cairnfs.storage.lease.LeaseDb;
import org.cairnfs.storage.store.AcceptingSlotCheck;
import org.cairnfs.storage.store.ShareStore;
import org.cairnfs.storage.store.SlotWriteCheck;
import org.cairnfs.storage.store.StoreLimits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The last chunk of a slot write runs the whole-share check (about 0.9 ms per MiB read and
 * hashed, after an fsync of the staged share; a slot share may be as large as the max share
 * size, and anyone can sign a slot of their own). That check must not hold a lock that other
 * clients' requests for other storage indexes need: it held the claims stripe of its index (one
 * of 64, shared by every index with the same hash), so an ALLOCATE, CLOSE_SHARE or ABORT_SHARE
 * of any index in that stripe, from anyone, waited for a stranger's check; and each such waiter
 * held one of the server's 16 backend threads, so a few of them stopped every request.
 *
 * <p>Real TLS on loopback. The check is a stand-in that blocks until released, in place of a
 * multi-GiB check; the honest client's ALLOCATE names a different storage index in the same
 * stripe.
 */
class SlotCheckStripeTest {
  @TempDir Path dir;

  /** Accepts every share, but the whole-share check of {@code slow} waits for the latch. */
  static final class GatedCheck implements SlotWriteCheck {
    final StorageIndex slow;
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);

    GatedCheck(StorageIndex slow) {
      this.slow = slow;
    }

    @Override
    public int frontLength() {
      return AcceptingSlotCheck.INSTANCE.frontLength();
    }

    @Override
    public void checkFront(StorageIndex index, int shareNumber, long size, byte[] front,
        OptionalLong heldSeqnum) throws Rejected {
      AcceptingSlotCheck.INSTANCE.checkFront(index, shareNumber, size, front, heldSeqnum);
    }

    @Override
    public long check(StorageIndex index, int shareNumber, long size, ShareSource share,
        OptionalLong heldSeqnum) throws Rejected, java.io.IOException {
      if (index.equals(slow)) {
        entered.countDown();
        try {
          release.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return AcceptingSlotCheck.INSTANCE.check(index, shareNumber, size, share, heldSeqnum);
    }

    @Override
    public long signedSeqnum(StorageIndex index, byte[] prefix) throws Rejected {
      return AcceptingSlotCheck.INSTANCE.signedSeqnum(index, prefix);
    }
  }

  static int stripeOf(StorageIndex index) {
    return Math.floorMod(index.hashCode(), 64); // OpenWriteClaims' stripes
  }

  @Test
  void aSlotCheckDoesNotHoldUpOtherIndexesOfItsStripe() throws Exception {
    StorageIndex slot = StorageIndex.of(filled(16, 0x51));
    StorageIndex neighbour = null;
    for (int v = 0; neighbour == null; v++) {
      byte[] b = filled(16, 0x33);
      b[0] = (byte) v;
      b[1] = (byte) (v >> 8);
      StorageIndex candidate = StorageIndex.of(b);
      if (!candidate.equals(slot) && stripeOf(candidate) == stripeOf(slot)) {
        neighbour = candidate;
      }
    }
    GatedCheck check = new GatedCheck(slot);
    FakeClock clock = new FakeClock();
    LeaseDb leases = LeaseDb.open(dir.resolve("leases.db"), clock, Duration.ofDays(31));
    ShareStore store = ShareStore.open(dir.resolve("store"), new StoreLimits(1L << 30, 0, 1 << 24),
        leases, () -> 1L << 40, check);
    NodeKey key = NodeKey.generate();
    ClientOptions options = ClientOptions.builder().connectTimeout(Duration.ofSeconds(5)).build();
    try (ProtocolServer server = ProtocolServer.start(ServerConfig.builder(key)
            .host("127.0.0.1").port(0).storage(new ShareStoreBackend(store)).build());
        ProtocolClient stranger = ProtocolClient.connect(options, NodeKey.generate(),
            "127.0.0.1", server.port(), key.nodeId()).get(10, TimeUnit.SECONDS);
        ProtocolClient honest = ProtocolClient.connect(options, NodeKey.generate(),
            "127.0.0.1", server.port(), key.nodeId()).get(10, TimeUnit.SECONDS)) {
      // The stranger's own slot: first chunk, then the last one, whose check runs long.
      stranger.request(new Request.WriteSlotShare(slot, 0, filled(32, 3), filled(32, 4), 2, 0,
          new byte[] {1})).get(10, TimeUnit.SECONDS);
      CompletableFuture<Response> last = stranger.request(new Request.WriteSlotShare(slot, 0,
          filled(32, 3), filled(32, 4), 2, 1, new byte[] {2}));
      assertThat(check.entered.await(10, TimeUnit.SECONDS)).isTrue();
      try {
        // Another client, another storage index that happens to share the stripe.
        CompletableFuture<Response> allocated = honest.request(new Request.Allocate(neighbour,
            filled(32, 1), filled(32, 2), 100, Set.of(0)));
        Response r = allocated.handle((ok, failed) -> ok).get(5, TimeUnit.SECONDS);
        assertThat(r).as("an ALLOCATE of another index, while a stranger's slot check runs")
            .isInstanceOf(Response.Allocated.class);
      } catch (java.util.concurrent.TimeoutException e) {
        throw new AssertionError("an ALLOCATE of another storage index waited for a stranger's"
            + " slot-share check (same claims stripe)", e);
      } finally {
        check.release.countDown();
      }
      last.get(10, TimeUnit.SECONDS);
    } finally {
      check.release.countDown();
      store.close();
      leases.close();
    }
  }
}
