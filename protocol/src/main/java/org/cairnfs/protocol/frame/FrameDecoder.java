package org.cairnfs.protocol.frame;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;
import java.util.List;

/**
 * Turns each length-stripped frame into a {@link org.cairnfs.protocol.message.Frame}, or, when
 * it is malformed, into the {@link FrameFormatException} itself, passed on as a message so the
 * handler can answer with an error frame. Nothing is thrown into the pipeline; the input buffer
 * is always released (by the superclass).
 */
@ChannelHandler.Sharable
public final class FrameDecoder extends MessageToMessageDecoder<ByteBuf> {
  public static final FrameDecoder INSTANCE = new FrameDecoder();

  private FrameDecoder() {}

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out) {
    try {
      out.add(FrameCodec.decode(frame));
    } catch (FrameFormatException e) {
      out.add(e);
    }
  }
}
