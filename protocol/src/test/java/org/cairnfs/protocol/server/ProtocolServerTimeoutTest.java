package org.cairnfs.protocol.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.protocol.client.ClientOptions;
import org.cairnfs.protocol.client.ProtocolClient;
import org.cairnfs.protocol.client.StorageClient;
import org.cairnfs.protocol.frame.FrameCodec;
import org.cairnfs.protocol.identity.NodeKey;
import org.cairnfs.protocol.identity.TlsContexts;
import org.cairnfs.protocol.identity.TlsEngine;
import org.cairnfs.protocol.message.Frame;
import org.cairnfs.protocol.message.Hello;
import org.cairnfs.protocol.message.Request;
import org.cairnfs.protocol.message.SampleMessages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Slow-loris defence over real sockets on loopback: connections that stall before TLS, before
 * the hello, or inside a frame are dropped after the configured timeout, while well-behaved
 * clients (including ones that only ping) stay connected and served. Lower bounds are a little
 * under the configured timeout, upper bounds several seconds above it, so a busy machine passes.
 */
class ProtocolServerTimeoutTest {
  private static final Duration HELLO_TIMEOUT = Duration.ofMillis(300);
  private static final Duration IDLE_TIMEOUT = Duration.ofMillis(500);
  /** The server checks timeouts on a timer, so it may close a little after the deadline, never before it. */
  private static final long EARLY_SLACK_MS = 50;
  private static final long CLOSE_DEADLINE_MS = 5_000;
  private static final NodeKey SERVER_KEY = NodeKey.generate();
  private static final TlsEngine ENGINE = TlsEngine.defaultEngine();

  private static EventLoopGroup clientLoops;
  private static ProtocolServer server;

  @BeforeAll
  static void start() throws Exception {
    clientLoops = new NioEventLoopGroup(1);
    server = ProtocolServer.start(ServerConfig.builder(SERVER_KEY).tlsEngine(ENGINE)
        .storage(new MemoryStorageBackend(1 << 20, 1 << 16)).helloTimeout(HELLO_TIMEOUT)
        .idleTimeout(IDLE_TIMEOUT).backendThreads(2).ioThreads(1).build());
  }

  @AfterAll
  static void stop() {
    server.close();
    clientLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private static ClientOptions options(Duration pingInterval) {
    return ClientOptions.builder().tlsEngine(ENGINE).connectTimeout(Duration.ofSeconds(5))
        .requestTimeout(Duration.ofSeconds(5)).pingInterval(pingInterval)
        .eventLoopGroup(clientLoops).build();
  }

  @Test
  void silentTcpConnectionIsDroppedAfterTheHelloTimeout() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      long start = System.nanoTime();
      socket.setSoTimeout((int) CLOSE_DEADLINE_MS);
      assertThat(readsEndOfStream(socket.getInputStream()))
          .as("server closes a connection that never starts TLS").isTrue();
      assertThat(millisSince(start)).isBetween(HELLO_TIMEOUT.toMillis() - EARLY_SLACK_MS,
          CLOSE_DEADLINE_MS);
    }
  }

  @Test
  void tlsWithoutHelloIsDroppedAfterTheHelloTimeout() throws Exception {
    RawTlsClient client = RawTlsClient.connect(false);
    client.handshake.get(5, TimeUnit.SECONDS);
    long closedAfter = client.millisUntilClosed();
    assertThat(closedAfter).isBetween(HELLO_TIMEOUT.toMillis() - EARLY_SLACK_MS, CLOSE_DEADLINE_MS);
  }

  @Test
  void halfAFrameAfterTheHelloIsDroppedAfterTheIdleTimeout() throws Exception {
    RawTlsClient client = RawTlsClient.connect(true);
    client.serverHello.get(5, TimeUnit.SECONDS);
    long helloAt = System.nanoTime();
    // A frame announcing 100 body bytes, of which 10 arrive, then nothing.
    client.channel.writeAndFlush(Unpooled.buffer().writeInt(100).writeZero(10)).sync();
    long closedAt = client.closedAtNanos.get(CLOSE_DEADLINE_MS, TimeUnit.MILLISECONDS);
    assertThat(TimeUnit.NANOSECONDS.toMillis(closedAt - helloAt))
        .isBetween(IDLE_TIMEOUT.toMillis() - EARLY_SLACK_MS, CLOSE_DEADLINE_MS);
  }

  @Test
  void trickledBytesDoNotKeepAConnectionAlive() throws Exception {
    RawTlsClient client = RawTlsClient.connect(true);
    client.serverHello.get(5, TimeUnit.SECONDS);
    long helloAt = System.nanoTime();
    client.channel.writeAndFlush(Unpooled.buffer().writeInt(1000)).sync();
    long deadline = helloAt + TimeUnit.MILLISECONDS.toNanos(CLOSE_DEADLINE_MS);
    while (client.channel.isActive() && System.nanoTime() < deadline) {
      client.channel.writeAndFlush(Unpooled.buffer().writeByte(0)); // one byte every 50 ms
      Thread.sleep(50);
    }
    assertThat(client.channel.isActive()).as("trickling connection still open").isFalse();
    assertThat(millisSince(helloAt)).isGreaterThanOrEqualTo(IDLE_TIMEOUT.toMillis() - EARLY_SLACK_MS);
  }

  @Test
  void idleClientWithoutPingsIsDroppedButAPingingClientStays() throws Exception {
    // Start the clock before connecting: the quiet client's idle time runs from its hello, so
    // a start taken after the second connect (slow on a loaded machine) would come too late.
    long start = System.nanoTime();
    try (ProtocolClient quiet = connect(Duration.ofMinutes(1));
         ProtocolClient pinging = connect(IDLE_TIMEOUT.dividedBy(4))) {
      waitUntil(() -> !quiet.isOpen(), CLOSE_DEADLINE_MS);
      assertThat(millisSince(start)).isGreaterThanOrEqualTo(IDLE_TIMEOUT.toMillis() - EARLY_SLACK_MS);
      // Keep watching the pinging client for three idle timeouts in all.
      long until = start + IDLE_TIMEOUT.multipliedBy(3).toNanos();
      while (System.nanoTime() < until) {
        assertThat(pinging.isOpen()).as("pinging client dropped after %d ms", millisSince(start))
            .isTrue();
        Thread.sleep(25);
      }
      assertThat(pinging.request(new Request.Ping())
          .get(5, TimeUnit.SECONDS)).isNotNull();
    }
  }

  @Test
  void goodClientIsServedWhileOthersStall() throws Exception {
    try (Socket silent = new Socket("127.0.0.1", server.port())) {
      RawTlsClient noHello = RawTlsClient.connect(false);
      RawTlsClient halfFrame = RawTlsClient.connect(true);
      halfFrame.serverHello.get(5, TimeUnit.SECONDS);
      halfFrame.channel.writeAndFlush(Unpooled.buffer().writeInt(100).writeZero(10)).sync();
      // Requests spaced at half the idle timeout, no pings: traffic alone keeps it open.
      try (StorageClient good = new StorageClient(connect(Duration.ofMinutes(1)))) {
        long start = System.nanoTime();
        long until = start + IDLE_TIMEOUT.multipliedBy(3).toNanos();
        int served = 0;
        while (System.nanoTime() < until) {
          assertThat(good.serverInfo().get(5, TimeUnit.SECONDS).freeSpace()).isEqualTo(1 << 20);
          served++;
          Thread.sleep(IDLE_TIMEOUT.toMillis() / 2);
        }
        assertThat(good.connection().isOpen()).isTrue();
        assertThat(served).isGreaterThanOrEqualTo(4);
      }
      noHello.closedAtNanos.get(CLOSE_DEADLINE_MS, TimeUnit.MILLISECONDS);
      halfFrame.closedAtNanos.get(CLOSE_DEADLINE_MS, TimeUnit.MILLISECONDS);
      silent.setSoTimeout((int) CLOSE_DEADLINE_MS);
      assertThat(readsEndOfStream(silent.getInputStream())).isTrue();
    }
  }

  @Test
  void clientThatStopsReadingItsResponsesIsDropped() throws Exception {
    MemoryStorageBackend backend = new MemoryStorageBackend(2 << 20, 1 << 20);
    try (ProtocolServer big = ProtocolServer.start(ServerConfig.builder(SERVER_KEY).tlsEngine(ENGINE)
        .storage(backend).helloTimeout(HELLO_TIMEOUT).idleTimeout(IDLE_TIMEOUT).backendThreads(2)
        .ioThreads(1).build())) {
      StorageIndex si = SampleMessages.index(9);
      try (StorageClient uploader = StorageClient.connect(options(Duration.ofMinutes(1)),
          NodeKey.generate(), "127.0.0.1", big.port(), SERVER_KEY.nodeId()).get(5, TimeUnit.SECONDS)) {
        uploader.allocate(si, new byte[32], new byte[32], 1 << 20, Set.of(0)).get(5, TimeUnit.SECONDS);
        uploader.writeChunk(si, 0, 0, new byte[1 << 20]).get(5, TimeUnit.SECONDS);
        uploader.closeShare(si, 0).get(5, TimeUnit.SECONDS);
      }
      waitUntil(() -> backend.closedConnections == 1, CLOSE_DEADLINE_MS);
      RawTlsClient reader = RawTlsClient.connect(true, big.port());
      reader.serverHello.get(5, TimeUnit.SECONDS);
      reader.channel.config().setAutoRead(false);
      // 64 MiB of answers asked for, none read: far more than the socket buffers hold, so
      // requests stay in flight until the server gives up on this peer.
      ByteBuf requests = Unpooled.buffer();
      for (int id = 1; id <= 64; id++) {
        ByteBuf body = Unpooled.buffer();
        FrameCodec.encode(new Frame(id, new Request.ReadRange(si, 0, 0, 1 << 20)), body);
        requests.writeInt(body.readableBytes()).writeBytes(body);
        body.release();
      }
      long sentAt = System.nanoTime();
      reader.channel.writeAndFlush(requests).sync();
      waitUntil(() -> backend.closedConnections == 2, CLOSE_DEADLINE_MS);
      assertThat(millisSince(sentAt)).isGreaterThanOrEqualTo(IDLE_TIMEOUT.toMillis() - EARLY_SLACK_MS);
      reader.channel.close();
    }
  }

  private static ProtocolClient connect(Duration pingInterval) throws Exception {
    return ProtocolClient.connect(options(pingInterval), NodeKey.generate(), "127.0.0.1",
        server.port(), SERVER_KEY.nodeId()).get(5, TimeUnit.SECONDS);
  }

  /** True when the peer closed (EOF or reset), false on a read timeout. */
  private static boolean readsEndOfStream(InputStream in) throws Exception {
    try {
      while (in.read() >= 0) {
        // the server sends nothing before TLS; skip whatever it might send
      }
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (SocketException reset) {
      return true;
    }
  }

  private static long millisSince(long startNanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
  }

  private static void waitUntil(BooleanSupplier condition, long timeoutMs) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition not met within %d ms", timeoutMs)
          .isLessThan(deadline);
      Thread.sleep(10);
    }
  }

  /**
   * A client that speaks TLS (with a valid node key) and, optionally, sends the Cairn hello,
   * then only what the test writes by hand.
   */
  private static final class RawTlsClient extends ChannelInboundHandlerAdapter {
    final CompletableFuture<Long> handshake = new CompletableFuture<>();
    final CompletableFuture<Hello> serverHello = new CompletableFuture<>();
    final CompletableFuture<Long> closedAtNanos = new CompletableFuture<>();
    private final boolean sendHello;
    private final long startNanos = System.nanoTime();
    Channel channel;

    private RawTlsClient(boolean sendHello) {
      this.sendHello = sendHello;
    }

    static RawTlsClient connect(boolean sendHello) throws Exception {
      return connect(sendHello, server.port());
    }

    static RawTlsClient connect(boolean sendHello, int port) throws Exception {
      RawTlsClient client = new RawTlsClient(sendHello);
      TlsContexts.ClientTls tls = TlsContexts.client(NodeKey.generate(), SERVER_KEY.nodeId(), ENGINE);
      client.channel = new Bootstrap().group(clientLoops).channel(NioSocketChannel.class)
          .handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              ch.pipeline().addLast(tls.newHandler(ch.alloc(), "127.0.0.1", port), client);
            }
          })
          .connect("127.0.0.1", port).sync().channel();
      client.channel.closeFuture().addListener(f -> client.closedAtNanos.complete(System.nanoTime()));
      return client;
    }

    /** Milliseconds from connecting until the server closed the connection. */
    long millisUntilClosed() throws Exception {
      return TimeUnit.NANOSECONDS.toMillis(
          closedAtNanos.get(CLOSE_DEADLINE_MS, TimeUnit.MILLISECONDS) - startNanos);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt instanceof SslHandshakeCompletionEvent e && e.isSuccess()) {
        handshake.complete(System.nanoTime());
        if (sendHello) {
          ByteBuf body = Unpooled.buffer();
          FrameCodec.encode(new Frame(0, Hello.current(Hello.ROLE_CLIENT)), body);
          ctx.writeAndFlush(Unpooled.buffer().writeInt(body.readableBytes()).writeBytes(body));
          body.release();
        }
      }
      super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        ByteBuf in = (ByteBuf) msg;
        if (!serverHello.isDone() && in.readableBytes() >= 4) {
          int length = in.readInt();
          if (in.readableBytes() >= length
              && FrameCodec.decode(in.readSlice(length)).message() instanceof Hello h) {
            serverHello.complete(h);
          }
        }
      } catch (Exception e) {
        serverHello.completeExceptionally(e);
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
