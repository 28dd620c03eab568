package org.cairnfs.storage.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.cairnfs.storage.net.ShareStoreBackendTest.filled;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
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
import org.cairnfs.storage.store.AcceptingSlotCheck;
import org.cairnfs.storage.store.ShareStore;
import org.cairnfs.storage.store.StoreLimits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hostile review's lock-out over real TLS: one ALLOCATE, or a slot write's 1-byte first
 * chunk, declaring nearly all the free space reserved it all, keyless, and every other client
 * was SERVER_FULL. Now the server counts reservations per address: both are refused, while an
 * upload within the address's share is taken.
 */
class ReservationPerAddressTest {
  static final long MIB = 1L << 20;
  @TempDir Path dir;

  static void refusedFull(java.util.concurrent.CompletableFuture<?> f) {
    assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
        .cause().isInstanceOfSatisfying(RemoteException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.SERVER_FULL);
          assertThat(e.getMessage()).contains("for this address");
        });
  }

  @Test
  void oneAddressCannotReserveTheWholeDisk() throws Exception {
    LeaseDb leases = LeaseDb.open(dir.resolve("leases.db"), new FakeClock(), Duration.ofDays(31));
    ShareStore store = ShareStore.open(dir.resolve("store"),
        new StoreLimits(Long.MAX_VALUE, 0, Long.MAX_VALUE), leases, () -> 1024 * MIB,
        AcceptingSlotCheck.INSTANCE);
    NodeKey serverKey = NodeKey.generate();
    ClientOptions options = ClientOptions.builder().connectTimeout(Duration.ofSeconds(5)).build();
    try (ProtocolServer server = ProtocolServer.start(ServerConfig.builder(serverKey)
            .host("127.0.0.1").port(0).storage(new ShareStoreBackend(store)).build());
        ProtocolClient client = ProtocolClient.connect(options, NodeKey.generate(), "127.0.0.1",
            server.port(), serverKey.nodeId()).get(10, TimeUnit.SECONDS)) {
      refusedFull(client.request(new Request.Allocate(StorageIndex.of(filled(16, 1)),
          filled(32, 2), filled(32, 3), 1000 * MIB, Set.of(0))));
      refusedFull(client.request(new Request.WriteSlotShare(StorageIndex.of(filled(16, 4)), 0,
          filled(32, 2), filled(32, 3), 1000 * MIB, 0, new byte[1])));
      assertThat(store.freeBytes()).as("nothing reserved by the refusals").isEqualTo(1024 * MIB);
      client.request(new Request.Allocate(StorageIndex.of(filled(16, 5)), filled(32, 2),
          filled(32, 3), 200 * MIB, Set.of(0))).get(10, TimeUnit.SECONDS);
      assertThat(store.freeBytes()).isEqualTo(824 * MIB);
    } finally {
      store.close();
      leases.close();
    }
  }
}
