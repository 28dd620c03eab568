package org.cairnfs.protocol.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
 * loopback: another client is served while it floods; BoringSSL (the default engine) closes
 * the flooding connection (it allows a few dozen updates with no data between them), the JDK's
 * engine answers every one.
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
    try (StorageClient good = StorageClient.connect(ClientOptions.builder()
        .tlsEngine(serverEngine).connectTimeout(Duration.ofSeconds(10))
        .requestTimeout(Duration.ofSeconds(20)).eventLoopGroup(loops).build(),
        NodeKey.generate(), "127.0.0.1", server.port(), SERVER_KEY.nodeId())
        .get(20, TimeUnit.SECONDS)) {
      HostilePeer flooder = HostilePeer.connect(loops, "127.0.0.9", server.port(),
          SERVER_KEY.nodeId(), TlsEngine.JDK, true);
      flooder.ready.get(20, TimeUnit.SECONDS);
      AtomicLong received = new AtomicLong(); // raw TLS bytes from the server, after the hello
      flooder.channel.pipeline().addFirst(new ChannelInboundHandlerAdapter() {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
          received.addAndGet(((ByteBuf) msg).readableBytes());
          ctx.fireChannelRead(msg);
        }
      });
      SslHandler tls = flooder.channel.pipeline().get(SslHandler.class);
      CompletableFuture<Integer> flood = CompletableFuture.supplyAsync(() -> {
        int sent = 0;
        try {
          for (; sent < UPDATES && flooder.channel.isActive(); sent++) {
            Future<?> update = tls.renegotiate();
            if (!update.await(5, TimeUnit.SECONDS) || !update.isSuccess()) {
              break;
            }
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return sent;
      });

      StorageIndex si = SampleMessages.index(9);
      byte[] data = new byte[1 << 20];
      Arrays.fill(data, (byte) 9);
      good.allocate(si, new byte[32], new byte[32], data.length, Set.of(0))
          .get(20, TimeUnit.SECONDS);
      good.writeChunk(si, 0, 0, data).get(20, TimeUnit.SECONDS);
      good.closeShare(si, 0).get(20, TimeUnit.SECONDS);
      assertThat(good.readRange(si, 0, 0, data.length).get(20, TimeUnit.SECONDS))
          .as("served while the flood runs").isEqualTo(data);

      int sent = flood.get(60, TimeUnit.SECONDS);
      if (serverEngine == TlsEngine.OPENSSL) {
        flooder.closed.get(10, TimeUnit.SECONDS);
        assertThat(sent).as("cut short").isLessThan(UPDATES);
      } else {
        assertThat(sent).isEqualTo(UPDATES);
        assertThat(flooder.channel.isActive()).as("the JDK's engine keeps it").isTrue();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (received.get() < 30L * UPDATES && System.nanoTime() < deadline) {
          Thread.sleep(20); // the last answers may still be on their way
        }
        assertThat(received.get()).as("a KeyUpdate back for each (a record of 40-odd bytes)")
            .isGreaterThanOrEqualTo(30L * UPDATES);
      }
    } finally {
      server.close();
      loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }
}
