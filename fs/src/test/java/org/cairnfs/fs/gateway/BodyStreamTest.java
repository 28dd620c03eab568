package org.cairnfs.fs.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.io.InterruptedIOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The body between event loop and worker, on an {@link EmbeddedChannel}: reading paused at the
 * limit and resumed at half of it, the end and a failure as the reader sees them (a failure
 * after the end, or a second one, changes nothing), buffers released when nobody will read
 * them, single bytes unsigned, an interrupted reader.
 */
@Timeout(20) // a reader left waiting is a failure, not a hung build
class BodyStreamTest {
  private static final int LIMIT = 4096;
  private final EmbeddedChannel channel = new EmbeddedChannel();
  private final BodyStream body = new BodyStream(channel, LIMIT);

  private static ByteBuf bytes(int n, int value) {
    ByteBuf b = Unpooled.buffer(n);
    for (int i = 0; i < n; i++) {
      b.writeByte(value);
    }
    return b;
  }

  @Test
  void readingPausesAtTheLimitAndResumesAtHalf() throws IOException {
    body.offer(bytes(LIMIT - 1, 1));
    assertThat(body.paused()).isFalse();
    assertThat(channel.config().isAutoRead()).isTrue();
    body.offer(bytes(1, 2));
    assertThat(body.paused()).isTrue();
    assertThat(channel.config().isAutoRead()).isFalse();
    byte[] into = new byte[LIMIT];
    assertThat(body.read(into, 0, LIMIT / 2 - 1)).isEqualTo(LIMIT / 2 - 1);
    assertThat(body.paused()).as("still more than half waiting").isTrue();
    assertThat(body.read(into, 0, 1)).isEqualTo(1);
    assertThat(body.paused()).isFalse();
    assertThat(channel.config().isAutoRead()).isTrue();
    assertThat(body.bytesRead()).isEqualTo(LIMIT / 2);
  }

  @Test
  void theEndAndAFailureAsTheReaderSeesThem() throws IOException {
    body.offer(bytes(3, 0xff));
    body.end();
    body.fail(new IOException("too late"));
    assertThat(body.ended()).isTrue();
    assertThat(body.read()).isEqualTo(255);
    assertThat(body.read(new byte[10], 0, 10)).isEqualTo(2);
    assertThat(body.read()).isEqualTo(-1);
    assertThat(body.read(new byte[0], 0, 0)).isZero();

    BodyStream failing = new BodyStream(channel, LIMIT);
    failing.fail(new IOException("first"));
    failing.fail(new IOException("second"));
    assertThat(failing.ended()).isFalse();
    assertThatThrownBy(failing::read).hasMessage("first");
  }

  @Test
  void buffersNobodyWillReadAreReleased() throws IOException {
    ByteBuf queued = bytes(10, 1);
    body.offer(queued);
    body.close();
    assertThat(queued.refCnt()).isZero();
    ByteBuf late = bytes(10, 1);
    body.offer(late);
    assertThat(late.refCnt()).isZero();
    assertThatThrownBy(() -> body.read(new byte[1], 0, 1)).hasMessageContaining("closed");

    BodyStream ended = new BodyStream(channel, LIMIT);
    ended.end();
    ByteBuf afterEnd = bytes(10, 1);
    ended.offer(afterEnd);
    assertThat(afterEnd.refCnt()).isZero();
    assertThat(ended.read()).isEqualTo(-1);
  }

  @Test
  void anInterruptedReaderGetsAnInterruptedIoExceptionAndKeepsTheFlag() {
    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> body.read(new byte[1], 0, 1))
          .isInstanceOf(InterruptedIOException.class);
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
  }
}
