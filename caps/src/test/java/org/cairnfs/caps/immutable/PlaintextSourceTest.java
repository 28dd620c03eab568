package org.cairnfs.caps.immutable;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A file on disk as a plaintext source: its size, and every stream from its first byte. */
class PlaintextSourceTest {
  @Test
  void aFileIsReadFromItsFirstByteEachTimeAndEncodesLikeItsBytes(@TempDir Path dir)
      throws IOException {
    byte[] data = Shares.random(5000, 1);
    Path file = Files.write(dir.resolve("plain"), data);
    PlaintextSource source = PlaintextSource.of(file);
    assertThat(source.size()).isEqualTo(5000);
    for (int pass = 0; pass < 2; pass++) {
      try (InputStream in = source.open()) {
        assertThat(in.readAllBytes()).isEqualTo(data);
      }
    }
    EncodingParams params = Shares.params(3, 10, 1000);
    org.cairnfs.caps.share.ByteArrayShare[] out = new org.cairnfs.caps.share.ByteArrayShare[10];
    org.cairnfs.caps.Cap cap = ImmutableEncoder.convergent(params, Shares.SECRET)
        .encode(source, (i, length) -> out[i] = new org.cairnfs.caps.share.ByteArrayShare(length));
    assertThat(cap).isEqualTo(Shares.encode(params, data).cap());
  }
}
