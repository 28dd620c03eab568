package org.cairnfs.caps.immutable;

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
}
