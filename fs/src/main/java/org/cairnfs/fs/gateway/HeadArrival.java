package org.cairnfs.fs.gateway;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;

/**
 * Marks, before the HTTP codec, that bytes arrived on a connection; {@link RequestHandler}
 * clears the mark when it waits for the next request head. Tells a slow head (408) from an
 * idle keep-alive connection (closed silently).
 */
@ChannelHandler.Sharable
final class HeadArrival extends ChannelInboundHandlerAdapter {
  static final AttributeKey<Boolean> STARTED = AttributeKey.valueOf("cairn.head.started");
  static final HeadArrival INSTANCE = new HeadArrival();

  private HeadArrival() {}

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    ctx.channel().attr(STARTED).set(true);
    super.channelRead(ctx, msg);
  }
}
