package org.cairnfs.caps.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AesCtrTest {
  private static final byte[] KEY = new byte[32];

  static {
    for (int i = 0; i < KEY.length; i++) {
      KEY[i] = (byte) (7 * i + 3);
    }
  }

  private static byte[] keyStream(long offset, int length) {
    byte[] out = new byte[length];
    AesCtr.apply(KEY, offset, out, 0, length);
    return out;
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 15, 16, 17, 33, 100, 4095, 65_537})
  void streamStartedAtAnOffsetIsTheSliceOfTheStreamFromZero(long offset) {
    byte[] whole = keyStream(0, (int) offset + 200);

    byte[] fromOffset = keyStream(offset, 200);

    assertThat(fromOffset).isEqualTo(Arrays.copyOfRange(whole, (int) offset, (int) offset + 200));
  }

  @Test
  void counterCarriesIntoHigherBytesFarIntoTheStream() {
    long offset = (1L << 36) - 5; // crosses a 2^32-block boundary of the counter
    byte[] a = keyStream(offset, 40);
    byte[] b = keyStream(offset + 13, 27);

    assertThat(b).isEqualTo(Arrays.copyOfRange(a, 13, 40));
  }

  @Test
  void isItsOwnInverseAndNotTheIdentity() {
    byte[] plain = "attack at dawn, or at noon".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    byte[] data = plain.clone();

    AesCtr.apply(KEY, 21, data, 0, data.length);
    assertThat(data).isNotEqualTo(plain);
    AesCtr.apply(KEY, 21, data, 0, data.length);

    assertThat(data).isEqualTo(plain);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 16, 24, 31, 33})
  void rejectsWrongKeyLength(int length) {
    assertThatThrownBy(() -> AesCtr.at(new byte[length], 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("AES-256 key must be 32 bytes, got " + length);
  }

  @Test
  void rejectsNegativeOffset() {
    assertThatThrownBy(() -> AesCtr.at(KEY, -1)).hasMessageContaining("negative");
  }
}
