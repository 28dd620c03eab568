package org.cairnfs.fs.gateway;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.cairnfs.protocol.server.PeerAddresses;

/**
 * Caps the open connections, in all and per client address (an IPv6 /64 counts as one; loopback
 * is not limited: it is the node's own user, or a reverse proxy that must limit its clients
 * itself). One past a limit gets a plain 503 and is closed before any of its bytes are read, so
 * a flood of sockets costs a file descriptor each only briefly, and one address cannot take
 * every place of a public gateway.
 */
@ChannelHandler.Sharable
final class ConnectionLimit extends ChannelInboundHandlerAdapter {
  /** The address a connection was counted for, read back when it closes. */
  private static final AttributeKey<Object> COUNTED = AttributeKey.valueOf("cairn.limit.address");
  private static final byte[] BUSY = busy("too many connections to this gateway now");
  private static final byte[] BUSY_ADDRESS = busy("too many connections from your address to"
      + " this gateway now");

  private final int max;
  private final int maxPerAddress;
  private final AtomicInteger open = new AtomicInteger();
  private final ConcurrentHashMap<Object, Integer> byAddress = new ConcurrentHashMap<>();
  private final GatewayMetrics metrics;

  ConnectionLimit(int max, int maxPerAddress, GatewayMetrics metrics) {
    this.max = max;
    this.maxPerAddress = maxPerAddress;
    this.metrics = metrics;
    metrics.connectionGauge(open);
  }

  private static byte[] busy(String message) {
    String body = message + "\r\n";
    return ("HTTP/1.1 503 Service Unavailable\r\n"
        + "Content-Type: text/plain; charset=utf-8\r\nConnection: close\r\n"
        + "Referrer-Policy: no-referrer\r\nX-Content-Type-Options: nosniff\r\n"
        + "Content-Length: " + body.length() + "\r\n\r\n" + body)
        .getBytes(StandardCharsets.US_ASCII);
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    boolean tooMany = open.incrementAndGet() > max;
    Object key = addressKey(ctx.channel().remoteAddress());
    if (key != null) {
      ctx.channel().attr(COUNTED).set(key);
    }
    boolean tooManyThere = key != null && byAddress.merge(key, 1, Integer::sum) > maxPerAddress;
    if (tooMany || tooManyThere) {
      metrics.refusedConnection();
      ctx.channel().config().setAutoRead(false);
      ctx.writeAndFlush(Unpooled.wrappedBuffer(tooMany ? BUSY : BUSY_ADDRESS))
          .addListener(ChannelFutureListener.CLOSE);
      return;
    }
    super.channelActive(ctx);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    open.decrementAndGet();
    Object key = ctx.channel().attr(COUNTED).getAndSet(null);
    if (key != null) {
      byAddress.computeIfPresent(key, (k, n) -> n > 1 ? n - 1 : null);
    }
    super.channelInactive(ctx);
  }

  /** What the per-address limit counts: the IP address, an IPv6 /64; null for loopback. */
  static Object addressKey(SocketAddress remote) {
    if (!(remote instanceof InetSocketAddress inet) || inet.getAddress() == null) {
      return null;
    }
    return inet.getAddress().isLoopbackAddress() ? null : PeerAddresses.key(remote);
  }
}
