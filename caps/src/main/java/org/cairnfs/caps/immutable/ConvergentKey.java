package org.cairnfs.caps.immutable;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import org.cairnfs.caps.crypto.Tag;
import org.cairnfs.caps.crypto.TaggedHash;

/**
 * The convergent key of an immutable file:
 * {@code H(CONVERGENT_KEY, netstring(secret) || k u16 || n u16 || segmentSize u32 ||
 * H(PLAINTEXT, plaintext))}.
 *
 * <p>Why: the same file uploaded twice under the same secret and parameters yields the same
 * shares, so it is stored once. The secret limits who can confirm that a guessed file is stored
 * (see the spec for the trade-off).
 */
final class ConvergentKey {
  private ConvergentKey() {}

  static byte[] derive(byte[] secret, EncodingParams params, byte[] plaintextHash) {
    byte[] encodedParams = ByteBuffer.allocate(8).putShort((short) params.k())
        .putShort((short) params.n()).putInt(params.segmentSize()).array();
    return TaggedHash.of(Tag.CONVERGENT_KEY, TaggedHash.netstring(secret), encodedParams,
        plaintextHash);
  }

  /** H(PLAINTEXT, plaintext) in one pass, reading through {@code buffer}. */
  static byte[] plaintextHash(PlaintextSource source, long size, byte[] buffer)
      throws IOException {
    TaggedHash hash = TaggedHash.start(Tag.PLAINTEXT);
    long total = 0;
    try (InputStream in = source.open()) {
      int got;
      while ((got = in.read(buffer, 0, buffer.length)) >= 0) {
        hash.update(buffer, 0, got);
        total += got;
      }
    }
    if (total != size) {
      throw new IOException("plaintext changed while encoding: size " + size + ", read " + total);
    }
    return hash.finish();
  }
}
