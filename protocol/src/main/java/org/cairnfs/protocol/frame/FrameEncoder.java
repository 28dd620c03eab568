package org.cairnfs.protocol.frame;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.EncoderException;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.util.List;
import java.util.Optional;
import org.cairnfs.protocol.message.Frame;
import org.cairnfs.protocol.message.Response;

/**
 * Writes a {@link Frame} with its 4-byte big-endian length prefix. A frame longer than the
 * configured maximum fails its write promise (with an {@link EncoderException}) instead of being
 * sent, because the peer would drop the connection on it. A {@link Response.Data} that owns a
 * pooled buffer (the server's read) goes out as its head and that buffer, not copied; the
 * message keeps its own reference, which its writer releases.
 */
@ChannelHandler.Sharable
public final class FrameEncoder extends MessageToMessageEncoder<Frame> {
  private final int maxFrameLength;

  public FrameEncoder(int maxFrameLength) {
    super(Frame.class);
    this.maxFrameLength = maxFrameLength;
  }

  @Override
  protected void encode(ChannelHandlerContext ctx, Frame frame, List<Object> out) {
    Optional<ByteBuf> body = frame.message() instanceof Response.Data d ? d.pooled()
        : Optional.empty();
    ByteBuf head = ctx.alloc().ioBuffer();
    try {
      head.writeInt(0);
      FrameCodec.encode(frame, head, body.isEmpty());
      long length = head.readableBytes() - 4L + body.map(ByteBuf::readableBytes).orElse(0);
      if (length > maxFrameLength) {
        throw new EncoderException("frame of " + length + " bytes exceeds the maximum "
            + maxFrameLength + " (" + frame.message().type() + ")");
      }
      head.setInt(0, (int) length);
      out.add(head);
      head = null;
      body.ifPresent(b -> out.add(b.retainedDuplicate()));
    } finally {
      if (head != null) {
        head.release();
      }
    }
  }
}
