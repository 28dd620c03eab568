package org.cairnfs.protocol.frame;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.EncoderException;
import io.netty.handler.codec.MessageToByteEncoder;
import org.cairnfs.protocol.message.Frame;

/**
 * Writes a {@link Frame} with its 4-byte big-endian length prefix. A frame longer than the
 * configured maximum fails its write promise (with an {@link EncoderException}) instead of being
 * sent, because the peer would drop the connection on it.
 */
@ChannelHandler.Sharable
public final class FrameEncoder extends MessageToByteEncoder<Frame> {
  private final int maxFrameLength;

  public FrameEncoder(int maxFrameLength) {
    super(Frame.class);
    this.maxFrameLength = maxFrameLength;
  }

  @Override
  protected void encode(ChannelHandlerContext ctx, Frame frame, ByteBuf out) {
    int start = out.writerIndex();
    out.writeInt(0);
    FrameCodec.encode(frame, out);
    int length = out.writerIndex() - start - 4;
    if (length > maxFrameLength) {
      out.writerIndex(start);
      throw new EncoderException("frame of " + length + " bytes exceeds the maximum "
          + maxFrameLength + " (" + frame.message().type() + ")");
    }
    out.setInt(start, length);
  }
}
