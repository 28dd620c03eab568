package org.cairnfs.caps.immutable;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Plaintext an encoder may read more than once: convergent encryption hashes the whole file
 * before the first byte can be encrypted, so a one-shot stream is not enough. Every stream must
 * yield the same bytes; a source that changes between reads makes the encoder fail with {@link
 * PlaintextChangedException} rather than encrypt other content under this content's key.
 */
public interface PlaintextSource {
  /** Length in bytes; every stream from {@link #open()} yields exactly this many. */
  long size() throws IOException;

  /** A fresh stream from the first byte. */
  InputStream open() throws IOException;

  /**
   * True when every stream yields the same bytes by construction (memory the caller owns and
   * leaves alone), so the encoder need not hash them again to find out: a source that may
   * change under the encoder (a file) must keep the default.
   */
  default boolean fixed() {
    return false;
  }

  /**
   * A source over a byte array (not copied; the caller must not change it meanwhile: it is
   * {@link #fixed}, so a change would not be detected).
   */
  static PlaintextSource of(byte[] data) {
    return new PlaintextSource() {
      @Override
      public long size() {
        return data.length;
      }

      @Override
      public boolean fixed() {
        return true;
      }

      @Override
      public InputStream open() {
        return new ByteArrayInputStream(data);
      }
    };
  }

  /**
   * A source over a file, which must not change while it is encoded (a change is detected, and
   * fails the encode: encode a snapshot of a file that may change).
   */
  static PlaintextSource of(Path file) {
    return new PlaintextSource() {
      @Override
      public long size() throws IOException {
        return Files.size(file);
      }

      @Override
      public InputStream open() throws IOException {
        return Files.newInputStream(file);
      }
    };
  }
}
