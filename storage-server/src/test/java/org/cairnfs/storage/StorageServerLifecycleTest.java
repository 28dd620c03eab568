package org.cairnfs.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.protocol.client.ClientOptions;
import org.cairnfs.protocol.client.StorageClient;
import org.cairnfs.protocol.identity.NodeKey;
import org.cairnfs.protocol.message.Response;
import org.cairnfs.storage.config.StorageConfig;
import org.cairnfs.storage.store.SlotWriteCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server's start and stop on a real disk and loopback: what it leaves behind (no port, no
 * thread, a database the next start can open) and the collector it runs when asked to.
 */
class StorageServerLifecycleTest {
  final NodeKey serverKey = NodeKey.generate();
  final NodeKey clientKey = NodeKey.generate();
  @TempDir Path dir;

  static byte[] filled(int n, int v) {
    byte[] b = new byte[n];
    Arrays.fill(b, (byte) v);
    return b;
  }

  static <T> T await(java.util.concurrent.CompletableFuture<T> f) throws Exception {
    return f.get(20, TimeUnit.SECONDS);
  }

  StorageConfig.Builder config() {
    return StorageConfig.builder(dir).host("127.0.0.1").port(0).maxSpace("1G").reservedSpace(0)
        .maxShareSize("1M");
  }

  StorageClient connect(StorageServer server) throws Exception {
    return await(StorageClient.connect(ClientOptions.defaults(), clientKey, "127.0.0.1",
        server.port(), server.nodeId()));
  }

  /** Alive server-side threads (cairn-*, not the test's client) that were not in {@code before}. */
  static List<Thread> newCairnThreads(Set<Thread> before) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && !before.contains(t) && t.getName().startsWith("cairn-")
            && !t.getName().startsWith("cairn-client"))
        .toList();
  }

  static void awaitNoNewCairnThreads(Set<Thread> before) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!newCairnThreads(before).isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(newCairnThreads(before)).isEmpty();
  }

  @Test
  void onTheRealDiskItAnnouncesFreeSpaceAndItsShareLimit() throws Exception {
    try (StorageServer server = StorageServer.start(config().build(), serverKey)) {
      StorageClient client = connect(server);
      try {
        Response.ServerInfo info = await(client.serverInfo());
        assertThat(info.freeSpace()).isPositive().isLessThanOrEqualTo(1L << 30);
        assertThat(info.maxShareSize()).isEqualTo(1L << 20);
      } finally {
        client.close();
      }
    }
  }

  @Test
  void closingFreesThePortTheThreadsAndTheDatabase() throws Exception {
    Set<Thread> before = new HashSet<>(Thread.getAllStackTraces().keySet());
    StorageServer server = StorageServer.start(config().gcEnabled(true)
        .gcPause(Duration.ofMillis(10)).build(), serverKey);
    int port = server.port();
    StorageClient client = connect(server);
    StorageIndex si = StorageIndex.of(filled(16, 1));
    await(client.allocate(si, filled(32, 1), filled(32, 2), 100, Set.of(0)));
    await(client.writeChunk(si, 0, 0, new byte[50]));
    client.close();
    assertThat(newCairnThreads(before)).extracting(Thread::getName).contains("cairn-gc-crawler");
    server.close();

    assertThatThrownBy(() -> new Socket().connect(new InetSocketAddress("127.0.0.1", port), 2000))
        .isInstanceOf(java.io.IOException.class);
    awaitNoNewCairnThreads(before);
    // The lease database is closed: the next start on the same directory opens it.
    try (StorageServer again = StorageServer.start(config().build(), serverKey)) {
      assertThat(again.store().usedBytes()).isZero();
    }
  }

  @Test
  void aCloseInterruptedWhileStoppingTheCollectorKeepsTheInterrupt() throws Exception {
    StorageServer server = StorageServer.start(config().gcEnabled(true)
        .gcPause(Duration.ofMillis(10)).build(), serverKey);
    Thread.currentThread().interrupt();
    try {
      server.close();
    } finally {
      assertThat(Thread.interrupted()).isTrue();
    }
    try (StorageServer again = StorageServer.start(config().build(), serverKey)) {
      assertThat(again.port()).isPositive();
    }
  }

  @Test
  void aStartThatCannotBindReleasesTheDirectoryAndItsThreads() throws Exception {
    Set<Thread> before = new HashSet<>(Thread.getAllStackTraces().keySet());
    try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      assertThatThrownBy(() -> StorageServer.start(config().port(taken.getLocalPort()).build(),
          serverKey)).isInstanceOf(Exception.class);
    }
    awaitNoNewCairnThreads(before);
    try (StorageServer server = StorageServer.start(config().build(), serverKey)) {
      assertThat(server.port()).isPositive();
    }
  }

  @Test
  void withCollectionOnASharePastItsLeaseIsDeleted() throws Exception {
    FakeClock clock = new FakeClock();
    StorageConfig config = config().gcEnabled(true).gcSharesPerSecond(1000)
        .gcPause(Duration.ofMillis(10)).leaseDuration(Duration.ofDays(1)).build();
    try (StorageServer server = StorageServer.start(config, serverKey, clock, () -> 1L << 40,
        SlotWriteCheck.KEYLESS)) {
      StorageClient client = connect(server);
      try {
        StorageIndex si = StorageIndex.of(filled(16, 2));
        await(client.allocate(si, filled(32, 1), filled(32, 2), 10, Set.of(0)));
        await(client.writeChunk(si, 0, 0, new byte[10]));
        await(client.closeShare(si, 0));
        Thread.sleep(100);
        assertThat(await(client.shareNumbers(si))).containsExactly(0);
        clock.advance(Duration.ofDays(2));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!await(client.shareNumbers(si)).isEmpty() && System.nanoTime() < deadline) {
          Thread.sleep(20);
        }
        assertThat(await(client.shareNumbers(si))).isEmpty();
        assertThat(Files.exists(server.store().layout().sharesDir())).isTrue();
      } finally {
        client.close();
      }
    }
  }
}
