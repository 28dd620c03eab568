package org.cairnfs.protocol.frame;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.cairnfs.protocol.message.Frame;

/**
 * Feeds arbitrary bytes to the frame decoder. Only {@link FrameFormatException} may escape
 * decoding; whatever decodes must re-encode to a frame that decodes to the same value.
 * Regression mode replays {@code FrameDecodeFuzzTestInputs/decode/} under plain {@code mvn verify}.
 */
class FrameDecodeFuzzTest {

  @FuzzTest(maxDuration = "60s")
  void decode(byte[] input) {
    ByteBuf buf = Unpooled.wrappedBuffer(input);
    Frame frame;
    try {
      frame = FrameCodec.decode(buf);
    } catch (FrameFormatException expected) {
      return;
    } finally {
      buf.release();
    }
    ByteBuf again = Unpooled.buffer();
    try {
      FrameCodec.encode(frame, again);
      assertThat(FrameCodec.decode(again)).isEqualTo(frame);
    } catch (FrameFormatException e) {
      throw new AssertionError("re-encoded " + frame + " does not decode: " + e.getMessage(), e);
    } finally {
      again.release();
    }
  }
}
