package org.cairnfs.bench.net;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ChunkPatternTest {
  private final byte[] source = random();

  private static byte[] random() {
    byte[] b = new byte[ChunkPump.CHUNK];
    new Random(3).nextBytes(b);
    return b;
  }

  private byte[] stamped(int share, long chunk) {
    byte[] b = source.clone();
    ChunkPattern.stamp(b, share, chunk);
    return b;
  }

  @Test
  void acceptsTheChunkThatWasWritten() {
    assertThatCode(() -> ChunkPattern.check(stamped(3, 32), source, 3, 32)).doesNotThrowAnyException();
  }

  @Test
  void rejectsAnotherChunkOrShare() {
    assertThatThrownBy(() -> ChunkPattern.check(stamped(3, 33), source, 3, 32))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("chunk 32");
    assertThatThrownBy(() -> ChunkPattern.check(stamped(4, 32), source, 3, 32))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("share 3");
  }

  @Test
  void rejectsShortData() {
    assertThatThrownBy(() -> ChunkPattern.check(new byte[100], source, 0, 0))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("100 bytes");
  }

  @Test
  void fullCheckCatchesCorruptionBehindTheStamp() {
    byte[] data = stamped(1, 16);
    data[data.length - 1] ^= 1;
    assertThatThrownBy(() -> ChunkPattern.check(data, source, 1, 16))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("corrupt");
  }
}
