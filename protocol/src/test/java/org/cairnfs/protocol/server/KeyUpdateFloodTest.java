package org.cairnfs.protocol.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.protocol.client.ClientOptions;
import org.cairnfs.protocol.client.StorageClient;
import org.cairnfs.protocol.identity.NodeKey;
import org.cairnfs.protocol.identity.TlsEngine;
import org.cairnfs.protocol.message.SampleMessages;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A peer that floods TLS 1.3 KeyUpdate messages, each asking the server to update its own keys
 * too (what the JDK's engine sends when a handshake is begun again), over real TLS on
 * loopback: the server keeps serving another client meanwhile, and BoringSSL (the default
 * engine) closes the flooding connection after a few dozen updates with no data between them.
 */
class KeyUpdateFloodTest {
  private static final NodeKey SERVER_KEY = NodeKey.generate();
  private static final int UPDATES = 2_000;

  @ParameterizedTest
  @EnumSource(TlsEngine.class)
  void aKeyUpdateFloodNeitherStopsTheServerNorHoldsUpOthers(TlsEngine serverEngine)
      throws Exception {
    if (!serverEngine.isAvailable()) {
      assertThat(System.getenv("CI")).as("BoringSSL must load in CI").isNotEqualTo("true");
      return;
    }
    EventLoopGroup loops = new NioEventLoopGroup(2);
    ProtocolServer server = ProtocolServer.start(ServerConfig.builder(SERVER_KEY)
        .tlsEngine(serverEngine).storage(new MemoryStorageBackend(1L << 30, 1 << 24))
        .backendThreads(2).ioThreads(2).loopbackExempt(false).build());
    try {
      HostilePeer flooder = HostilePeer.connect(loops, "127.0.0.9", server.port(),
          SERVER_KEY.nodeId(), TlsEngine.JDK, true);
      flooder.ready.get(20, TimeUnit.SECONDS);
      SslHandler tls = flooder.channel.pipeline().get(SslHandler.class);
      int sent = 0;
      for (; sent < UPDATES && flooder.channel.isActive(); sent++) {
        Future<?> update = tls.renegotiate();
        if (!update.await(5, TimeUnit.SECONDS) || !update.isSuccess()) {
          break;
        }
      }
      try (StorageClient good = StorageClient.connect(ClientOptions.builder()
          .tlsEngine(serverEngine).connectTimeout(Duration.ofSeconds(10))
          .requestTimeout(Duration.ofSeconds(20)).eventLoopGroup(loops).build(),
          NodeKey.generate(), "127.0.0.1", server.port(), SERVER_KEY.nodeId())
          .get(20, TimeUnit.SECONDS)) {
        StorageIndex si = SampleMessages.index(9);
        byte[] data = new byte[1 << 20];
        Arrays.fill(data, (byte) 9);
        good.allocate(si, new byte[32], new byte[32], data.length, Set.of(0))
            .get(20, TimeUnit.SECONDS);
        good.writeChunk(si, 0, 0, data).get(20, TimeUnit.SECONDS);
        good.closeShare(si, 0).get(20, TimeUnit.SECONDS);
        assertThat(good.readRange(si, 0, 0, data.length).get(20, TimeUnit.SECONDS))
            .isEqualTo(data);
      }
      if (serverEngine == TlsEngine.OPENSSL) {
        flooder.closed.get(10, TimeUnit.SECONDS);
        assertThat(sent).as("BoringSSL allows a few dozen updates in a row").isLessThan(100);
      } else {
        assertThat(sent).as("the JDK's engine takes them all, one update per message")
            .isEqualTo(UPDATES);
      }
    } finally {
      server.close();
      loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }
}
