package org.cairnfs.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.caps.mutable.MutableKeys;
import org.cairnfs.caps.mutable.SignedHeader;
import org.cairnfs.protocol.client.ClientOptions;
import org.cairnfs.protocol.client.RemoteException;
import org.cairnfs.protocol.client.StorageClient;
import org.cairnfs.protocol.identity.NodeKey;
import org.cairnfs.protocol.message.ErrorCode;
import org.cairnfs.protocol.message.Response;
import org.cairnfs.storage.config.StorageConfig;
import org.cairnfs.storage.lease.LeaseOwner;
import org.cairnfs.storage.share.ShareKey;
import org.cairnfs.storage.store.SlotWriteCheck;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** One real server on loopback and one real client from the protocol module. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StorageServerTest {
  final NodeKey serverKey = NodeKey.generate();
  final NodeKey clientKey = NodeKey.generate();
  StorageServer server;
  StorageClient client;

  static byte[] filled(int n, int v) {
    byte[] b = new byte[n];
    Arrays.fill(b, (byte) v);
    return b;
  }

  static <T> T await(java.util.concurrent.CompletableFuture<T> f) throws Exception {
    return f.get(20, TimeUnit.SECONDS);
  }

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    StorageConfig config = StorageConfig.builder(dir).host("127.0.0.1").port(0)
        .maxSpace("64M").reservedSpace(0).maxShareSize("1M").build();
    server = StorageServer.start(config, serverKey, java.time.InstantSource.system(),
        () -> 1L << 40, SlotWriteCheck.KEYLESS);
    client = await(StorageClient.connect(ClientOptions.defaults(), clientKey, "127.0.0.1",
        server.port(), server.nodeId()));
  }

  @AfterAll
  void stop() throws Exception {
    if (client != null) {
      client.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void uploadsAndReadsAnImmutableShare() throws Exception {
    StorageIndex si = StorageIndex.of(filled(16, 1));
    byte[] data = new byte[3000];
    new SecureRandom().nextBytes(data);
    Response.Allocated allocated = await(client.allocate(si, filled(32, 1), filled(32, 2),
        data.length, Set.of(0, 1)));
    assertThat(allocated.allocated()).containsExactlyInAnyOrder(0, 1);
    await(client.writeChunk(si, 0, 0, Arrays.copyOf(data, 1000)));
    await(client.writeChunk(si, 0, 1000, Arrays.copyOfRange(data, 1000, 3000)));
    await(client.closeShare(si, 0));
    await(client.abortShare(si, 1));
    assertThat(await(client.readRange(si, 0, 500, 1000)))
        .isEqualTo(Arrays.copyOfRange(data, 500, 1500));
    assertThat(await(client.shareNumbers(si))).containsExactly(0);
    assertThat(await(client.listShares(si))).containsExactly(new Response.ShareSize(0, 3000));
    assertThat(server.store().leases().find(ShareKey.immutable(si, 0)).orElseThrow().owners())
        .containsExactly(LeaseOwner.of(clientKey.nodeId().toBytes()));
  }

  @Test
  void refusalsArriveWithTheirCodes() throws Exception {
    StorageIndex si = StorageIndex.of(filled(16, 2));
    assertThatThrownBy(() -> await(client.readRange(si, 0, 0, 10)))
        .isInstanceOf(ExecutionException.class).cause()
        .isInstanceOf(RemoteException.class)
        .satisfies(e -> assertThat(((RemoteException) e).code()).isEqualTo(ErrorCode.NOT_FOUND));
    assertThatThrownBy(() -> await(client.allocate(si, filled(32, 1), filled(32, 2),
        2L << 20, Set.of(0))))
        .cause().satisfies(e -> assertThat(((RemoteException) e).code())
            .isEqualTo(ErrorCode.SHARE_TOO_BIG));
  }

  @Test
  void storesAMutableShareCheckedByTheKeylessCheck() throws Exception {
    MutableKeys keys = MutableKeys.generate(new SecureRandom());
    StorageIndex si = keys.storageIndex();
    byte[] v1 = slotShare(keys, 1, 400);
    await(client.writeSlotShare(si, 3, filled(32, 5), filled(32, 6), v1.length, 0,
        Arrays.copyOf(v1, 100)));
    await(client.writeSlotShare(si, 3, filled(32, 5), filled(32, 6), v1.length, 100,
        Arrays.copyOfRange(v1, 100, 400)));
    List<Response.SlotShare> read = await(client.readSlot(si, Set.of(), 0, 1000));
    assertThat(read).singleElement().satisfies(s -> {
      assertThat(s.share()).isEqualTo(3);
      assertThat(s.seqnum()).isEqualTo(1);
      assertThat(s.data()).isEqualTo(v1);
    });
    byte[] stale = slotShare(keys, 1, 300);
    assertThatThrownBy(() -> await(client.writeSlotShare(si, 3, filled(32, 5), filled(32, 6),
        stale.length, 0, stale)))
        .cause().satisfies(e -> assertThat(((RemoteException) e).code())
            .isEqualTo(ErrorCode.REJECTED));
    assertThat(await(client.readSlot(si, Set.of(3), 0, 1000)).get(0).data()).isEqualTo(v1);
  }

  static byte[] slotShare(MutableKeys keys, long seqnum, int length) {
    SignedHeader h = new SignedHeader(seqnum, new byte[32], new byte[16], 3, 10, 3 * 1024, 100);
    byte[] header = h.encode();
    byte[] sig = keys.sign(h.signedDigest());
    byte[] out = new byte[length];
    Arrays.fill(out, (byte) seqnum);
    System.arraycopy(header, 0, out, 0, header.length);
    System.arraycopy(keys.publicKey(), 0, out, SignedHeader.LENGTH, 32);
    System.arraycopy(sig, 0, out, SignedHeader.LENGTH + 32, 64);
    return out;
  }
}
