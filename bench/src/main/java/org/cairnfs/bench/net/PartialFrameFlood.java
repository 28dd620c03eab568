package org.cairnfs.bench.net;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.cairnfs.protocol.client.ClientOptions;
import org.cairnfs.protocol.client.StorageClient;
import org.cairnfs.protocol.frame.FrameCodec;
import org.cairnfs.protocol.identity.NodeId;
import org.cairnfs.protocol.identity.NodeKey;
import org.cairnfs.protocol.identity.TlsContexts;
import org.cairnfs.protocol.identity.TlsEngine;
import org.cairnfs.protocol.message.Frame;
import org.cairnfs.protocol.message.Hello;
import org.cairnfs.protocol.message.WireLimits;

/**
 * The hostile client of issue 10, finding 7: opens many TLS connections to a running node,
 * each with its own node key, sends the hello and then a maximum-size frame short by 100 bytes,
 * holds them, then closes them all. Used by {@code bench/run-frame-flood.sh}, which watches the
 * node's resident memory before, during and after.
 *
 * <p>Connections come from {@code addresses} loopback addresses (127.0.0.2 upwards; Linux
 * routes all of 127/8 to the loopback) so the per-address connection limit does not simply
 * refuse most of them: the flood then tests the buffer budgets, not only the door.
 *
 * <pre>
 * java -cp 'bench/target/classes:bench/target/lib/*' org.cairnfs.bench.net.PartialFrameFlood \
 *     NODE_DIR PORT CONNECTIONS ADDRESSES HOLD_SECONDS
 * </pre>
 */
public final class PartialFrameFlood {
  private PartialFrameFlood() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 5) {
      System.err.println("usage: PartialFrameFlood NODE_DIR PORT CONNECTIONS ADDRESSES HOLD_SECONDS");
      System.exit(64);
    }
    NodeId server = NodeKey.load(Path.of(args[0], "node.key")).nodeId();
    int port = Integer.parseInt(args[1]);
    int connections = Integer.parseInt(args[2]);
    int addresses = Integer.parseInt(args[3]);
    int holdSeconds = Integer.parseInt(args[4]);
    int frame = WireLimits.DEFAULT_MAX_FRAME;
    TlsEngine engine = TlsEngine.defaultEngine();

    EventLoopGroup loops = new NioEventLoopGroup(2);
    AtomicInteger sent = new AtomicInteger();
    CountDownLatch settled = new CountDownLatch(connections);
    List<Channel> channels = new ArrayList<>();
    long start = System.nanoTime();
    try {
      for (int i = 0; i < connections; i++) {
        String from = "127.0.0." + (2 + i % addresses);
        TlsContexts.ClientTls tls = TlsContexts.client(NodeKey.generate(), server, engine);
        Attacker attacker = new Attacker(frame, sent, settled);
        ChannelFuture f = new Bootstrap().group(loops).channel(NioSocketChannel.class)
            .localAddress(new InetSocketAddress(from, 0))
            .handler(new ChannelInitializer<SocketChannel>() {
              @Override
              protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(tls.newHandler(ch.alloc(), "127.0.0.1", port), attacker);
              }
            })
            .connect("127.0.0.1", port);
        // Refused at the door (or failed): settled when closed before its frame went out.
        f.channel().closeFuture().addListener(c -> attacker.settle());
        channels.add(f.channel());
        if (i % 100 == 99) {
          Thread.sleep(20); // keep the accept backlog from overflowing
        }
      }
      settled.await(120, TimeUnit.SECONDS);
      System.out.printf("flood: %d connections, %d sent hello + %d of %d frame bytes, %d refused"
          + " or closed early (%.1f s)%n", connections, sent.get(), frame - 100, frame,
          connections - sent.get(), (System.nanoTime() - start) / 1e9);
      System.out.println("FLOOD-SENT");
      goodClient(server, port, engine);
      Thread.sleep(TimeUnit.SECONDS.toMillis(holdSeconds));
      long open = channels.stream().filter(Channel::isActive).count();
      System.out.printf("flood: after %d s, %d of the connections still open (the server drops"
          + " stalled frames on its own)%n", holdSeconds, open);
    } finally {
      for (Channel c : channels) {
        c.close();
      }
      loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
    System.out.println("FLOOD-CLOSED");
  }

  /** A well-behaved client from 127.0.0.1 during the flood: connect and ask for server info. */
  private static void goodClient(NodeId server, int port, TlsEngine engine) {
    long start = System.nanoTime();
    ClientOptions options = ClientOptions.builder().tlsEngine(engine)
        .connectTimeout(java.time.Duration.ofSeconds(30))
        .requestTimeout(java.time.Duration.ofSeconds(30)).build();
    try (StorageClient good = StorageClient.connect(options, NodeKey.generate(), "127.0.0.1",
        port, server).get(60, TimeUnit.SECONDS)) {
      long free = good.serverInfo().get(60, TimeUnit.SECONDS).freeSpace();
      System.out.printf("flood: good client connected and served in %d ms (free space %d)%n",
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), free);
    } catch (Exception e) {
      System.out.println("flood: good client NOT served: " + e);
    }
  }

  /** Sends the hello and the partial frame once TLS is up; reads and drops the answers. */
  private static final class Attacker extends ChannelInboundHandlerAdapter {
    private final int frame;
    private final AtomicInteger sent;
    private final CountDownLatch settled;
    private final java.util.concurrent.atomic.AtomicBoolean done =
        new java.util.concurrent.atomic.AtomicBoolean();

    Attacker(int frame, AtomicInteger sent, CountDownLatch settled) {
      this.frame = frame;
      this.sent = sent;
      this.settled = settled;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt instanceof SslHandshakeCompletionEvent e) {
        if (e.isSuccess()) {
          ByteBuf body = Unpooled.buffer();
          FrameCodec.encode(new Frame(0, Hello.current(Hello.ROLE_CLIENT)), body);
          ByteBuf head = Unpooled.buffer().writeInt(body.readableBytes()).writeBytes(body)
              .writeInt(frame);
          body.release();
          // The zeros are one shared array: a thousand connections need not a GiB here.
          ByteBuf out = Unpooled.wrappedBuffer(head, Unpooled.wrappedBuffer(zeros(frame - 100)));
          ctx.writeAndFlush(out).addListener(f -> {
            if (f.isSuccess()) {
              sent.incrementAndGet();
            }
            settle();
          });
        } else {
          ctx.close();
        }
      }
      super.userEventTriggered(ctx, evt);
    }

    private static byte[] shared = new byte[0];

    private static synchronized byte[] zeros(int n) {
      if (shared.length != n) {
        shared = new byte[n];
      }
      return shared;
    }

    void settle() {
      if (done.compareAndSet(false, true)) {
        settled.countDown();
      }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ReferenceCountUtil.release(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
