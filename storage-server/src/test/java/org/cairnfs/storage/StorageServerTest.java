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
import org.cairnfs.caps.mutable.MutableFileWriter;
import org.cairnfs.caps.mutable.MutableParams;
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
    byte[] v1 = slotShares(keys, 1, 700)[3];
    await(client.writeSlotShare(si, 3, filled(32, 5), filled(32, 6), v1.length, 0, Arrays.copyOf(v1, 100)));
    await(client.writeSlotShare(si, 3, filled(32, 5), filled(32, 6), v1.length, 100, Arrays.copyOfRange(v1, 100, v1.length)));
    List<Response.SlotShare> read = await(client.readSlot(si, Set.of(), 0, 4000));
    assertThat(read).singleElement().satisfies(s -> {
      assertThat(s.share()).isEqualTo(3);
      assertThat(s.seqnum()).isEqualTo(1);
      assertThat(s.data()).isEqualTo(v1);
    });
    byte[] stale = slotShares(keys, 1, 500)[3];
    assertRejected(() -> await(client.writeSlotShare(si, 3, filled(32, 5), filled(32, 6), stale.length, 0, stale)));
    assertThat(await(client.readSlot(si, Set.of(3), 0, 4000)).get(0).data()).isEqualTo(v1);
  }

  /**
   * Issue 10, finding 1, over the wire: a stranger (another node) who saw the signed prefix of
   * version 2 plants it in front of garbage, in one chunk or several; the server refuses, keeps
   * version 1, and then accepts the writer's real version 2.
   */
  @Test
  void aStrangersPlantedPrefixIsRefusedAndTheWritersVersionStillLands() throws Exception {
    MutableKeys keys = MutableKeys.generate(new SecureRandom());
    StorageIndex si = keys.storageIndex();
    byte[] v1 = slotShares(keys, 1, 5000)[0];
    byte[] v2 = slotShares(keys, 2, 5000)[0];
    await(client.writeSlotShare(si, 0, filled(32, 5), filled(32, 6), v1.length, 0, v1));
    byte[] planted = new byte[v2.length];
    new SecureRandom().nextBytes(planted);
    System.arraycopy(v2, 0, planted, 0,
        org.cairnfs.caps.mutable.SlotWriteCheck.PREFIX_LENGTH); // public: in every slot read
    try (StorageClient stranger = await(StorageClient.connect(ClientOptions.defaults(),
        NodeKey.generate(), "127.0.0.1", server.port(), server.nodeId()))) {
      assertRejected(() -> await(stranger.writeSlotShare(si, 0, filled(32, 5), filled(32, 6), planted.length, 0, planted)));
      assertRejected(() -> {
        await(stranger.writeSlotShare(si, 0, filled(32, 5), filled(32, 6), planted.length, 0, Arrays.copyOf(planted, 1000)));
        return await(stranger.writeSlotShare(si, 0, filled(32, 5), filled(32, 6), planted.length, 1000,
            Arrays.copyOfRange(planted, 1000, planted.length)));
      });
    }
    Response.SlotShare held = await(client.readSlot(si, Set.of(0), 0, 1 << 16)).get(0);
    assertThat(held.seqnum()).isEqualTo(1);
    assertThat(held.data()).isEqualTo(v1);
    await(client.writeSlotShare(si, 0, filled(32, 5), filled(32, 6), v2.length, 0, v2));
    held = await(client.readSlot(si, Set.of(0), 0, 1 << 16)).get(0);
    assertThat(held.seqnum()).isEqualTo(2);
    assertThat(held.data()).isEqualTo(v2);
  }

  static void assertRejected(java.util.concurrent.Callable<?> call) {
    assertThatThrownBy(call::call).cause().satisfies(e ->
        assertThat(((RemoteException) e).code()).isEqualTo(ErrorCode.REJECTED));
  }

  /** The shares of one real version of {@code size} plaintext bytes, 3-of-5. */
  static byte[][] slotShares(MutableKeys keys, long seqnum, int size) {
    byte[] plain = new byte[size];
    new SecureRandom().nextBytes(plain);
    return MutableFileWriter.write(keys, seqnum, plain, new MutableParams(3, 5, 999),
        new SecureRandom());
  }
}
