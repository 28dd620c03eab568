package org.cairnfs.protocol.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * {@link Response.Data}: a copy when built with {@code new}, the array itself when wrapping, a
 * pooled buffer it owns and gives back once.
 */
class ResponseDataTest {
  @Test
  void newCopiesTheBytes() {
    byte[] bytes = {1, 2, 3};
    Response.Data d = new Response.Data(bytes);
    bytes[0] = 9;
    assertThat(d.data()).containsExactly(1, 2, 3);
    d.data()[1] = 9;
    assertThat(d.data()).containsExactly(1, 2, 3);
  }

  @Test
  void wrappingSendsTheArrayItselfWithoutACopy() {
    byte[] bytes = {1, 2, 3};
    Response.Data d = Response.Data.wrapping(bytes);
    bytes[0] = 9; // what a caller that keeps the array must not do: the message shows it
    assertThat(d.view().get(0)).isEqualTo((byte) 9);
    assertThat(d).isEqualTo(new Response.Data(new byte[] {9, 2, 3}));
    assertThat(d.length()).isEqualTo(3);
  }

  @Test
  void wrappingStillRefusesMoreThanOneChunk() {
    assertThatThrownBy(() -> Response.Data.wrapping(new byte[WireLimits.MAX_CHUNK + 1]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most");
  }

  @Test
  void owningReadsTheBufferAndReleasesItOnce() {
    io.netty.buffer.ByteBuf b = io.netty.buffer.Unpooled.directBuffer(8).writeBytes(
        new byte[] {0, 1, 2, 3});
    b.readByte();
    Response.Data d = Response.Data.owning(b);
    assertThat(d.data()).containsExactly(1, 2, 3);
    assertThat(d.pooled()).containsSame(b);
    assertThat(d).isEqualTo(new Response.Data(new byte[] {1, 2, 3}));
    d.release();
    d.release();
    assertThat(b.refCnt()).isZero();
    Response.Data.wrapping(new byte[1]).release(); // nothing to give back
  }

  @Test
  void owningReleasesABufferItRefuses() {
    io.netty.buffer.ByteBuf b = io.netty.buffer.Unpooled.directBuffer(WireLimits.MAX_CHUNK + 1)
        .writeZero(WireLimits.MAX_CHUNK + 1);
    assertThatThrownBy(() -> Response.Data.owning(b))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most");
    assertThat(b.refCnt()).isZero();
  }
}
