package org.cairnfs.storage.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.cairnfs.storage.store.StoreFixture.pattern;
import static org.cairnfs.storage.store.StoreFixture.si;

import io.netty.channel.nio.NioEventLoopGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.cairnfs.protocol.client.ClientOptions;
import org.cairnfs.protocol.client.StorageClient;
import org.cairnfs.protocol.client.RemoteException;
import org.cairnfs.protocol.message.ErrorCode;
import org.cairnfs.protocol.identity.NodeKey;
import org.cairnfs.protocol.identity.TlsEngine;
import org.cairnfs.protocol.server.ProtocolServer;
import org.cairnfs.protocol.server.ServerConfig;
import org.cairnfs.storage.net.ShareStoreBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The closes of many small uploads pipelined on ONE connection reach the store together and
 * share its group commit: a real protocol server over TLS on loopback in front of the store's
 * backend. While the test holds the commit lock no close can finish, so seeing all of them
 * submitted proves the server ran them at once (one at a time, only the first would be), and,
 * with fewer running places per connection than closes, that a close waiting for its commit
 * holds no running place (else only {@code RUNNING} would be).
 */
class ConnectionGroupCloseTest {
  private static final int FILES = 8;
  private static final int RUNNING = 2;
  private static final long WAIT_S = 10;

  @TempDir java.nio.file.Path dbDir;
  private StoreFixture f;
  private ProtocolServer server;
  private final NioEventLoopGroup loops = new NioEventLoopGroup(1);
  private StorageClient client;

  @BeforeEach
  void start() throws Exception {
    // A connection may hold FILES open writes: the closes below fill its cap.
    f = new StoreFixture(dbDir, StoreLimits.unlimited().withOpenWriteCaps(1000, FILES));
    NodeKey serverKey = NodeKey.generate();
    TlsEngine engine = TlsEngine.defaultEngine();
    server = ProtocolServer.start(ServerConfig.builder(serverKey).tlsEngine(engine)
        .storage(new ShareStoreBackend(f.store)).backendThreads(RUNNING).ioThreads(1)
        .maxRunningPerConnection(RUNNING).build());
    client = StorageClient.connect(ClientOptions.builder().tlsEngine(engine)
            .connectTimeout(Duration.ofSeconds(5)).requestTimeout(Duration.ofSeconds(30))
            .eventLoopGroup(loops).build(), NodeKey.generate(), "127.0.0.1", server.port(),
        serverKey.nodeId()).get(WAIT_S, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    client.close();
    server.close();
    loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    f.close();
  }

  @Test
  void closesPipelinedOnOneConnectionShareACommit() throws Exception {
    for (int v = 1; v <= FILES; v++) {
      client.allocate(si(v), new byte[32], new byte[32], 4096, Set.of(0))
          .get(WAIT_S, TimeUnit.SECONDS);
    }
    List<CompletableFuture<Void>> all = new ArrayList<>();
    f.store.commitLock().lock();
    try {
      for (int v = 1; v <= FILES; v++) {
        all.add(client.writeChunk(si(v), 0, 0, pattern(4096, v)));
        all.add(client.closeShare(si(v), 0)); // pipelined behind its write, same index
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
      while (f.store.closesSubmitted() < FILES && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(f.store.closesSubmitted()).as("closes in the store at once").isEqualTo(FILES);
      assertThat(all).noneMatch(c -> c.isDone() && all.indexOf(c) % 2 == 1);
      assertThat(client.shareNumbers(si(FILES + 1)).get(WAIT_S, TimeUnit.SECONDS))
          .as("another request of the connection is answered while the closes wait").isEmpty();
      assertThat(all).noneMatch(c -> c.isDone() && all.indexOf(c) % 2 == 1);
    } finally {
      f.store.commitLock().unlock();
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(WAIT_S, TimeUnit.SECONDS);
    long[] counts = f.store.commitCounts();
    assertThat(counts[1]).isEqualTo(FILES);
    assertThat(counts[0]).as("batches for %d closes", FILES).isLessThanOrEqualTo(2);
    for (int v = 1; v <= FILES; v++) {
      assertThat(client.readRange(si(v), 0, 0, 4096).get(WAIT_S, TimeUnit.SECONDS))
          .isEqualTo(pattern(4096, v));
    }
  }

  /**
   * What bounds the closes a connection can have waiting for their commit: each still counts
   * as one of its open writes until it is answered, so past the cap a new upload is refused,
   * and the answered closes give their places back.
   */
  @Test
  void closesWaitingForTheirCommitStillCountAsOpenWrites() throws Exception {
    List<CompletableFuture<Void>> closes = new ArrayList<>();
    for (int v = 1; v <= FILES; v++) {
      client.allocate(si(v), new byte[32], new byte[32], 16, Set.of(0))
          .get(WAIT_S, TimeUnit.SECONDS);
      client.writeChunk(si(v), 0, 0, pattern(16, v)).get(WAIT_S, TimeUnit.SECONDS);
    }
    f.store.commitLock().lock();
    try {
      for (int v = 1; v <= FILES; v++) {
        closes.add(client.closeShare(si(v), 0));
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
      while (f.store.closesSubmitted() < FILES && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(f.store.closesSubmitted()).isEqualTo(FILES);
      CompletableFuture<?> more = client.allocate(si(FILES + 1), new byte[32], new byte[32], 16,
          Set.of(0));
      assertThat(org.assertj.core.api.Assertions.catchThrowable(
          () -> more.get(WAIT_S, TimeUnit.SECONDS)))
          .isInstanceOf(ExecutionException.class)
          .cause().isInstanceOfSatisfying(RemoteException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCode.BUSY));
    } finally {
      f.store.commitLock().unlock();
    }
    CompletableFuture.allOf(closes.toArray(CompletableFuture[]::new)).get(WAIT_S, TimeUnit.SECONDS);
    assertThat(client.allocate(si(FILES + 1), new byte[32], new byte[32], 16, Set.of(0))
        .get(WAIT_S, TimeUnit.SECONDS).allocated()).containsExactly(0);
  }
}
