package org.cairnfs.protocol.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** {@link WriteChunk}: a copy when built with {@code new}, the array itself when wrapping. */
class WriteChunkTest {
  @Test
  void newCopiesTheBytes() {
    byte[] bytes = {1, 2, 3};
    WriteChunk w = new WriteChunk(SampleMessages.index(1), 0, 0, bytes);
    bytes[0] = 9;
    assertThat(w.data()).containsExactly(1, 2, 3);
    w.data()[1] = 9;
    assertThat(w.data()).containsExactly(1, 2, 3);
    assertThat(w.view().isReadOnly()).isTrue();
  }

  @Test
  void wrappingSendsTheArrayItselfWithoutACopy() {
    byte[] bytes = {1, 2, 3};
    WriteChunk w = WriteChunk.wrapping(SampleMessages.index(1), 4, 10, bytes, 0, 3);
    bytes[0] = 9; // what a caller that keeps the array must not do: the message shows it
    assertThat(w.view().get(0)).isEqualTo((byte) 9);
    assertThat(w).isEqualTo(new WriteChunk(SampleMessages.index(1), 4, 10,
        new byte[] {9, 2, 3}));
    assertThat(w).hasSameHashCodeAs(new WriteChunk(SampleMessages.index(1), 4, 10,
        new byte[] {9, 2, 3}));
    assertThat(w.length()).isEqualTo(3);
    byte[] framed = {7, 7, 5, 6, 7};
    assertThat(WriteChunk.wrapping(SampleMessages.index(1), 4, 10, framed, 2, 3).data())
        .containsExactly(5, 6, 7);
  }

  @Test
  void everyFormStillChecksItsFields() {
    assertThatThrownBy(() -> WriteChunk.wrapping(SampleMessages.index(1), 0, 0,
        new byte[WireLimits.MAX_CHUNK + 1], 0, WireLimits.MAX_CHUNK + 1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at most");
    assertThatThrownBy(() -> WriteChunk.wrapping(SampleMessages.index(1), 0, -1,
        new byte[1], 0, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> WriteChunk.wrapping(SampleMessages.index(1), 256, 0,
        new byte[1], 0, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> WriteChunk.wrapping(null, 0, 0, new byte[1], 0, 1))
        .isInstanceOf(NullPointerException.class);
  }
}
