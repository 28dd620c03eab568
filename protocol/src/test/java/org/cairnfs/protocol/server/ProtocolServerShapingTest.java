package org.cairnfs.protocol.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.protocol.client.ClientOptions;
import org.cairnfs.protocol.client.StorageClient;
import org.cairnfs.protocol.identity.NodeKey;
import org.cairnfs.protocol.identity.TlsEngine;
import org.cairnfs.protocol.message.SampleMessages;
import org.cairnfs.protocol.message.WireLimits;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Traffic shaping over real sockets: uploads to a server with a read limit take at least as long
 * as the limit implies (with a generous margin for Netty's one-second accounting windows),
 * and the global limit is shared by all connections. Lower bounds only for the limited cases,
 * so a slow machine cannot fail them; the unlimited baseline has a loose upper bound.
 */
class ProtocolServerShapingTest {
  private static final long MIB = 1 << 20;
  private static final long LIMIT = 2 * MIB;
  private static final int CHUNK = WireLimits.MAX_CHUNK;
  private static final NodeKey SERVER_KEY = NodeKey.generate();
  private static final TlsEngine ENGINE = TlsEngine.defaultEngine();

  private static EventLoopGroup clientLoops;

  @BeforeAll
  static void start() {
    clientLoops = new NioEventLoopGroup(2);
  }

  @AfterAll
  static void stop() {
    clientLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  @Test
  void perConnectionReadLimitSlowsOneUpload() throws Exception {
    long unlimited = uploadMillis(b -> b, 1, 6);
    long limited = uploadMillis(b -> b.channelBandwidth(LIMIT, 0), 1, 6);
    // 6 MiB at 2 MiB/s is 3 s; the first window may pass a burst unthrottled.
    assertThat(limited).as("6 MiB through a 2 MiB/s connection limit").isGreaterThanOrEqualTo(1_500);
    assertThat(unlimited).as("6 MiB without a limit").isLessThan(limited / 2);
  }

  @Test
  void globalReadLimitIsSharedByConnections() throws Exception {
    // Two connections of 3 MiB each: a shared 2 MiB/s limit needs about 3 s for the 6 MiB,
    // a limit applied per connection would need only about 1.5 s.
    long limited = uploadMillis(b -> b.globalBandwidth(LIMIT, 0), 2, 3);
    assertThat(limited).as("2 x 3 MiB through a 2 MiB/s global limit").isGreaterThanOrEqualTo(2_200);
  }

  /** Starts a server, uploads {@code mibEach} MiB over each of {@code connections} connections at once. */
  private static long uploadMillis(UnaryOperator<ServerConfig.Builder> limits, int connections,
      int mibEach) throws Exception {
    long shareSize = mibEach * MIB;
    ServerConfig.Builder builder = ServerConfig.builder(SERVER_KEY).tlsEngine(ENGINE)
        .storage(new MemoryStorageBackend(connections * shareSize, shareSize))
        .backendThreads(2).ioThreads(1);
    try (ProtocolServer server = ProtocolServer.start(limits.apply(builder).build())) {
      ClientOptions options = ClientOptions.builder().tlsEngine(ENGINE)
          .connectTimeout(Duration.ofSeconds(5)).requestTimeout(Duration.ofSeconds(30))
          .eventLoopGroup(clientLoops).build();
      List<StorageClient> clients = new ArrayList<>();
      try {
        for (int c = 0; c < connections; c++) {
          clients.add(StorageClient.connect(options, NodeKey.generate(), "127.0.0.1", server.port(),
              SERVER_KEY.nodeId()).get(5, TimeUnit.SECONDS));
        }
        byte[] chunk = SampleMessages.bytes(CHUNK, 7);
        long start = System.nanoTime();
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
          StorageIndex si = SampleMessages.index(c + 1);
          StorageClient client = clients.get(c);
          client.allocate(si, new byte[32], new byte[32], shareSize, Set.of(0)).get(5, TimeUnit.SECONDS);
          for (long offset = 0; offset < shareSize; offset += CHUNK) {
            writes.add(client.writeChunk(si, 0, offset, chunk));
          }
        }
        CompletableFuture.allOf(writes.toArray(new CompletableFuture<?>[0])).get(30, TimeUnit.SECONDS);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        for (int c = 0; c < connections; c++) {
          StorageIndex si = SampleMessages.index(c + 1);
          clients.get(c).closeShare(si, 0).get(5, TimeUnit.SECONDS);
          assertThat(clients.get(c).readRange(si, 0, shareSize - CHUNK, CHUNK).get(5, TimeUnit.SECONDS))
              .isEqualTo(chunk);
        }
        return millis;
      } finally {
        clients.forEach(StorageClient::close);
      }
    }
  }
}
