package org.cairnfs.protocol.server;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import org.cairnfs.protocol.frame.FrameCodec;
import org.cairnfs.protocol.identity.NodeId;
import org.cairnfs.protocol.identity.NodeKey;
import org.cairnfs.protocol.identity.TlsContexts;
import org.cairnfs.protocol.identity.TlsEngine;
import org.cairnfs.protocol.message.Frame;
import org.cairnfs.protocol.message.Hello;
import org.cairnfs.protocol.message.Message;

/**
 * A real TLS client with a valid node key that sends the hello and then only what the test
 * writes by hand, from a chosen loopback address (Linux routes all of 127/8 to the loopback,
 * so each address is a distinct peer to the server). It never reads what the server sends when
 * told not to: the socket's receive buffer fills and the server's writes back up.
 */
final class HostilePeer extends ChannelInboundHandlerAdapter {
  final CompletableFuture<Void> ready = new CompletableFuture<>();
  final CompletableFuture<Void> closed = new CompletableFuture<>();
  private final boolean reads;
  Channel channel;

  private HostilePeer(boolean reads) {
    this.reads = reads;
  }

  /**
   * Connects from {@code localHost}; {@code ready} completes once TLS is up and the hello is
   * sent, or fails if the server refused the connection.
   */
  static HostilePeer connect(EventLoopGroup loops, String localHost, int port, NodeId server,
      TlsEngine engine, boolean reads) throws Exception {
    HostilePeer peer = new HostilePeer(reads);
    TlsContexts.ClientTls tls = TlsContexts.client(NodeKey.generate(), server, engine);
    ChannelFuture f = new Bootstrap().group(loops).channel(NioSocketChannel.class)
        .localAddress(new InetSocketAddress(localHost, 0))
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.config().setAutoRead(reads);
            ch.pipeline().addLast(tls.newHandler(ch.alloc(), "127.0.0.1", port), peer);
          }
        })
        .connect("127.0.0.1", port);
    peer.channel = f.channel();
    f.addListener(c -> {
      if (!c.isSuccess()) {
        peer.ready.completeExceptionally(c.cause());
      } else if (!reads) {
        peer.channel.read(); // enough reads to finish the TLS handshake
      }
    });
    peer.channel.closeFuture().addListener(c -> {
      peer.ready.completeExceptionally(new IllegalStateException("closed by the server"));
      peer.closed.complete(null);
    });
    return peer;
  }

  static ByteBuf wire(long id, Message m) {
    ByteBuf body = Unpooled.buffer();
    FrameCodec.encode(new Frame(id, m), body);
    ByteBuf out = Unpooled.buffer().writeInt(body.readableBytes()).writeBytes(body);
    body.release();
    return out;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof SslHandshakeCompletionEvent e && !ready.isDone()) {
      if (e.isSuccess()) { // the first handshake; later ones are key updates
        ctx.writeAndFlush(wire(0, Hello.current(Hello.ROLE_CLIENT)))
            .addListener(f -> ready.complete(null));
      } else {
        ready.completeExceptionally(e.cause());
      }
    }
    super.userEventTriggered(ctx, evt);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ReferenceCountUtil.release(msg);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (!reads && !ready.isDone()) {
      ctx.read(); // still in the handshake
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
