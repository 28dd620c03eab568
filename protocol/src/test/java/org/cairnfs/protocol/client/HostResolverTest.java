package org.cairnfs.protocol.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.cairnfs.protocol.identity.NodeKey;
import org.cairnfs.protocol.identity.TlsEngine;
import org.cairnfs.protocol.server.MemoryStorageBackend;
import org.cairnfs.protocol.server.ProtocolServer;
import org.cairnfs.protocol.server.ServerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Names are looked up off the event loops: announcements may name hosts whose DNS never answers,
 * and a lookup on an event loop would stall every connection that loop serves.
 */
class HostResolverTest {
  private static final NodeKey SERVER_KEY = NodeKey.generate();
  private static final NodeKey CLIENT_KEY = NodeKey.generate();
  private static final String LOOP = "cairn-test-loop";

  private final CountDownLatch dnsAnswers = new CountDownLatch(1);
  private final Set<String> lookupThreads = ConcurrentHashMap.newKeySet();
  private NioEventLoopGroup oneLoop;
  private ProtocolServer server;

  @BeforeEach
  void start() throws Exception {
    oneLoop = new NioEventLoopGroup(1, new DefaultThreadFactory(LOOP, true));
    server = ProtocolServer.start(ServerConfig.builder(SERVER_KEY).tlsEngine(TlsEngine.JDK)
        .storage(new MemoryStorageBackend(1 << 20, 1 << 16)).backendThreads(1).ioThreads(1)
        .build());
  }

  @AfterEach
  void stop() {
    dnsAnswers.countDown();
    server.close();
    oneLoop.shutdownGracefully(0, 0, TimeUnit.SECONDS);
  }

  /** Names under .slow.example wait for a DNS that never answers (until the test ends). */
  private ClientOptions options() {
    return ClientOptions.builder().tlsEngine(TlsEngine.JDK).eventLoopGroup(oneLoop)
        .connectTimeout(Duration.ofSeconds(1)).requestTimeout(Duration.ofSeconds(5))
        .hostResolver(new HostResolver(host -> {
          lookupThreads.add(Thread.currentThread().getName());
          if (host.endsWith(".slow.example")) {
            try {
              dnsAnswers.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            throw new UnknownHostException(host + ": no answer");
          }
          if (host.endsWith(".invalid")) {
            throw new UnknownHostException(host + ": no such name");
          }
          return InetAddress.getByName(host);
        })).build();
  }

  private CompletableFuture<StorageClient> connect(ClientOptions o, String host) {
    return StorageClient.connect(o, CLIENT_KEY, host, server.port(), SERVER_KEY.nodeId());
  }

  @Test
  void namesWhoseDnsNeverAnswersStallNeitherLinksNorNewConnections() throws Exception {
    ClientOptions o = options();
    try (StorageClient before = connect(o, "localhost").get(10, TimeUnit.SECONDS)) {
      List<CompletableFuture<StorageClient>> slow = new ArrayList<>();
      for (int i = 0; i < 20; i++) { // more than the lookup threads
        slow.add(connect(o, "n" + i + ".slow.example"));
      }
      assertThat(before.serverInfo().get(5, TimeUnit.SECONDS)).isNotNull();
      try (StorageClient literal = connect(o, "127.0.0.1").get(5, TimeUnit.SECONDS)) {
        assertThat(literal.serverInfo().get(5, TimeUnit.SECONDS)).isNotNull();
      }
      for (CompletableFuture<StorageClient> f : slow) {
        assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS))
            .isInstanceOf(ExecutionException.class)
            .hasCauseInstanceOf(RequestTimeoutException.class);
      }
      assertThat(before.serverInfo().get(5, TimeUnit.SECONDS)).isNotNull();
    }
    assertThat(lookupThreads).isNotEmpty().allSatisfy(t -> assertThat(t).doesNotStartWith(LOOP));
  }

  @Test
  void aNameThatDoesNotResolveFailsNamingIt() {
    assertThatThrownBy(() -> connect(options(), "gone.invalid").get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(ConnectFailedException.class)
        .hasMessageContaining("cannot resolve gone.invalid");
  }
}
