package org.cairnfs.fs.gateway;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Caps the open connections: one past the limit gets a plain 503 and is closed before any of
 * its bytes are read, so a flood of sockets costs a file descriptor each only briefly.
 */
@ChannelHandler.Sharable
final class ConnectionLimit extends ChannelInboundHandlerAdapter {
  private static final byte[] BUSY = ("HTTP/1.1 503 Service Unavailable\r\n"
      + "Content-Type: text/plain; charset=utf-8\r\nConnection: close\r\n"
      + "Referrer-Policy: no-referrer\r\nX-Content-Type-Options: nosniff\r\n"
      + "Content-Length: 42\r\n\r\ntoo many connections to this gateway now\r\n")
      .getBytes(StandardCharsets.US_ASCII);

  private final int max;
  private final AtomicInteger open = new AtomicInteger();
  private final GatewayMetrics metrics;

  ConnectionLimit(int max, GatewayMetrics metrics) {
    this.max = max;
    this.metrics = metrics;
    metrics.connectionGauge(open);
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    if (open.incrementAndGet() > max) {
      metrics.refusedConnection();
      ctx.channel().config().setAutoRead(false);
      ctx.writeAndFlush(Unpooled.wrappedBuffer(BUSY)).addListener(ChannelFutureListener.CLOSE);
      return;
    }
    super.channelActive(ctx);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    open.decrementAndGet();
    super.channelInactive(ctx);
  }
}
