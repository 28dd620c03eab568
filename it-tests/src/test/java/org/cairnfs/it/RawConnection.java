package org.cairnfs.it;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.cairnfs.protocol.frame.FrameDecoder;
import org.cairnfs.protocol.frame.FrameFormatException;
import org.cairnfs.protocol.frame.FrameReader;
import org.cairnfs.protocol.identity.NodeId;
import org.cairnfs.protocol.identity.NodeKey;
import org.cairnfs.protocol.identity.TlsContexts;
import org.cairnfs.protocol.identity.TlsEngine;
import org.cairnfs.protocol.message.Frame;
import org.cairnfs.protocol.message.Hello;
import org.cairnfs.protocol.message.MessageType;
import org.cairnfs.protocol.message.WireLimits;

/**
 * A hostile client: writes arbitrary bytes to a server, over pinned TLS or plain TCP, and
 * decodes whatever frames come back. The protocol's own client cannot send malformed frames,
 * which is the point of this one.
 */
final class RawConnection implements AutoCloseable {
  private final Channel channel;
  private final BlockingQueue<Object> received = new LinkedBlockingQueue<>();
  private final CompletableFuture<Void> closed = new CompletableFuture<>();

  private RawConnection(Bootstrap bootstrap, int port, SslSetup tls) throws Exception {
    bootstrap.handler(new ChannelInitializer<SocketChannel>() {
      @Override
      protected void initChannel(SocketChannel ch) throws Exception {
        if (tls != null) {
          ch.pipeline().addLast(tls.handler(ch));
          ch.pipeline().addLast(new FrameReader(WireLimits.DEFAULT_MAX_FRAME));
          ch.pipeline().addLast(FrameDecoder.INSTANCE);
        }
        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
          @Override
          public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf) {
              ReferenceCountUtil.release(msg); // plain TCP: whatever the server says is noise
            } else {
              received.add(msg);
            }
          }

          @Override
          public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
          }

          @Override
          public void channelInactive(ChannelHandlerContext ctx) {
            closed.complete(null);
          }
        });
      }
    });
    channel = bootstrap.connect("127.0.0.1", port).sync().channel();
    if (tls != null) {
      channel.pipeline().get(SslHandler.class).handshakeFuture().get(20, TimeUnit.SECONDS);
    }
  }

  private interface SslSetup {
    SslHandler handler(SocketChannel ch) throws Exception;
  }

  /** TLS pinned to {@code server}, handshake done; no hello sent yet. */
  static RawConnection tls(EventLoopGroup group, NodeKey key, NodeId server, int port)
      throws Exception {
    TlsContexts.ClientTls tls = TlsContexts.client(key, server, TlsEngine.defaultEngine());
    return new RawConnection(bootstrap(group), port,
        ch -> tls.newHandler(ch.alloc(), "127.0.0.1", port));
  }

  /** TLS and a successful hello exchange: ready for (bad) requests. */
  static RawConnection afterHello(EventLoopGroup group, NodeKey key, NodeId server, int port)
      throws Exception {
    RawConnection c = tls(group, key, server, port);
    c.send(helloFrame(Hello.MAGIC, Hello.CURRENT_VERSION));
    Object reply = c.next(Duration.ofSeconds(20));
    if (!(reply instanceof Frame f && f.message() instanceof Hello)) {
      c.close();
      throw new AssertionError("server answered the hello with " + reply);
    }
    return c;
  }

  /** Plain TCP, no TLS at all. */
  static RawConnection plain(EventLoopGroup group, int port) throws Exception {
    return new RawConnection(bootstrap(group), port, null);
  }

  private static Bootstrap bootstrap(EventLoopGroup group) {
    return new Bootstrap().group(group).channel(NioSocketChannel.class);
  }

  /** Writes {@code bytes} as they are (inside TLS when this is a TLS connection). */
  void send(byte[] bytes) throws Exception {
    channel.writeAndFlush(Unpooled.wrappedBuffer(bytes)).await(20, TimeUnit.SECONDS);
  }

  /** Length prefix, type, request id and {@code body} as given. */
  static byte[] frame(int type, long id, byte[] body) {
    ByteBuf b = Unpooled.buffer();
    b.writeInt(9 + body.length).writeByte(type).writeLong(id).writeBytes(body);
    byte[] out = new byte[b.readableBytes()];
    b.readBytes(out);
    return out;
  }

  static byte[] frame(MessageType type, long id, byte[] body) {
    return frame(type.wire(), id, body);
  }

  static byte[] helloFrame(byte[] magic, int version) {
    ByteBuf b = Unpooled.buffer();
    b.writeBytes(magic).writeShort(version).writeByte(Hello.ROLE_CLIENT);
    byte[] body = new byte[b.readableBytes()];
    b.readBytes(body);
    return frame(MessageType.HELLO, 0, body);
  }

  /**
   * The next frame the server sent ({@link Frame} or {@link FrameFormatException}), or null if
   * the connection closed or nothing came within {@code timeout}.
   */
  Object next(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      Object o = received.poll(50, TimeUnit.MILLISECONDS);
      if (o != null) {
        return o;
      }
      if (closed.isDone() && received.isEmpty()) {
        return null;
      }
    }
    return null;
  }

  /** True once the server has closed the connection (waiting up to {@code timeout}). */
  boolean awaitClosed(Duration timeout) {
    try {
      closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  boolean isOpen() {
    return channel.isActive();
  }

  @Override
  public void close() {
    channel.close().awaitUninterruptibly(10, TimeUnit.SECONDS);
  }
}
