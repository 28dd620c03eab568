package org.cairnfs.caps.immutable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.cairnfs.caps.ImmutableReadCap;
import org.cairnfs.caps.LiteralCap;
import org.cairnfs.caps.share.ByteArrayShare;
import org.cairnfs.caps.share.ShareSource;
import org.junit.jupiter.api.Test;

/**
 * {@link ImmutableEncoder#encodeUnderKey}'s own checks: a plaintext small enough to be a literal
 * has no shares, and the key must be an AES-256 key. Both refuse before any share is opened.
 */
class EncodeUnderKeyTest {
  private static final EncodingParams PARAMS = Shares.params(3, 10, 100);

  private final List<Integer> opened = new ArrayList<>();
  private final ByteArrayShare[] shares = new ByteArrayShare[PARAMS.n()];

  private ImmutableReadCap encode(byte[] data, byte[] key) throws IOException {
    return ImmutableEncoder.randomKey(PARAMS, new SecureRandom()).encodeUnderKey(
        PlaintextSource.of(data), key, (i, length) -> {
          opened.add(i);
          return shares[i] = new ByteArrayShare(length);
        });
  }

  private static byte[] key(int length) {
    byte[] key = new byte[length];
    for (int i = 0; i < length; i++) {
      key[i] = (byte) (i + 1);
    }
    return key;
  }

  @Test
  void theLargestLiteralIsRefusedAndOneByteMoreIsEncoded() throws IOException {
    byte[] data = Shares.random(LiteralCap.MAX_SIZE + 1, 1);
    assertThatThrownBy(() -> encode(java.util.Arrays.copyOf(data, LiteralCap.MAX_SIZE), key(32)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(LiteralCap.MAX_SIZE + " bytes make a literal, not shares");
    assertThat(opened).isEmpty();

    ImmutableReadCap cap = encode(data, key(32));
    assertThat(cap.key()).isEqualTo(key(32));
    assertThat(cap.size()).isEqualTo(LiteralCap.MAX_SIZE + 1);
    Map<Integer, ShareSource> sources = new TreeMap<>();
    for (int i = 0; i < shares.length; i++) {
      sources.put(i, ByteArrayShare.wrap(shares[i].bytes()));
    }
    assertThat(Shares.decode(cap, sources)).isEqualTo(data);
  }

  @Test
  void aKeyOfOtherThan32BytesIsRefusedBeforeAnyShareIsOpened() {
    byte[] data = Shares.random(1000, 2);
    for (int length : new int[] {0, 16, 31, 33, 64}) {
      assertThatThrownBy(() -> encode(data, key(length)))
          .as("key of %d bytes", length)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("key must be 32 bytes, got " + length);
    }
    assertThat(opened).isEmpty();
  }
}
