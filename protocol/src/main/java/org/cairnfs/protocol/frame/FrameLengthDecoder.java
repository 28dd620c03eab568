package org.cairnfs.protocol.frame;

import io.netty.handler.codec.LengthFieldBasedFrameDecoder;

/**
 * Splits the byte stream at 4-byte big-endian length prefixes (unsigned, excluding the prefix,
 * which is stripped). A prefix above the maximum fails fast with a TooLongFrameException before
 * anything is allocated; the handler then closes the connection.
 */
public final class FrameLengthDecoder extends LengthFieldBasedFrameDecoder {
  public FrameLengthDecoder(int maxFrameLength) {
    // Netty counts the prefix itself in its maximum.
    super(maxFrameLength + 4, 0, 4, 0, 4, true);
  }
}
