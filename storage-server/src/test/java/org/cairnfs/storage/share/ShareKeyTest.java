package org.cairnfs.storage.share;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.cairnfs.caps.StorageIndex;
import org.junit.jupiter.api.Test;

class ShareKeyTest {
  private static final StorageIndex SI = StorageIndex.of(filled(16, 7));

  static byte[] filled(int n, int v) {
    byte[] b = new byte[n];
    Arrays.fill(b, (byte) v);
    return b;
  }

  @Test
  void fileNamesDistinguishKinds() {
    assertThat(ShareKey.immutable(SI, 7).fileName()).isEqualTo("7");
    assertThat(ShareKey.mutable(SI, 255).fileName()).isEqualTo("m255");
  }

  @Test
  void fileNameRoundTrips() {
    for (int n : new int[] {0, 9, 10, 255}) {
      for (ShareKind kind : ShareKind.values()) {
        ShareKey key = new ShareKey(SI, kind, n);
        assertThat(ShareKey.fromFileName(SI, key.fileName())).contains(key);
      }
    }
  }

  @Test
  void strayFileNamesAreNotShares() {
    for (String name : new String[] {"", "m", "07", "256", "m1.new", "..", "1a", "-1", "1000"}) {
      assertThat(ShareKey.fromFileName(SI, name)).as(name).isEmpty();
    }
  }

  @Test
  void shareNumbersOutsideAByteAreRefused() {
    assertThatThrownBy(() -> ShareKey.immutable(SI, 256))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("256");
    assertThatThrownBy(() -> ShareKey.mutable(SI, -1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
  }

  @Test
  void bytesRoundTrip() {
    ShareKey key = ShareKey.mutable(SI, 200);
    byte[] bytes = key.toBytes();
    assertThat(bytes).hasSize(18);
    assertThat(bytes[16]).isEqualTo((byte) 1);
    assertThat(bytes[17]).isEqualTo((byte) 200);
    assertThat(ShareKey.fromBytes(bytes)).isEqualTo(key);
  }

  @Test
  void aKeyNeedsAnIndexAndAKind() {
    assertThatThrownBy(() -> new ShareKey(SI, null, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("kind");
    assertThatThrownBy(() -> new ShareKey(null, ShareKind.MUTABLE, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("storage index");
  }

  @Test
  void bytesOfAnotherLengthAreRefused() {
    assertThatThrownBy(() -> ShareKey.fromBytes(new byte[17]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 17");
    assertThatThrownBy(() -> ShareKey.fromBytes(new byte[19]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 19");
  }

  @Test
  void toStringNamesIndexAndFile() {
    assertThat(ShareKey.mutable(SI, 3)).hasToString(SI + "/m3");
  }
}
