package org.cairnfs.caps.manifest;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import org.cairnfs.caps.crypto.Tag;
import org.cairnfs.caps.crypto.TaggedHash;
import org.cairnfs.caps.immutable.EncodingParams;

/**
 * How a manifest node's read key is chosen. Convergent (the default): {@code
 * H(MANIFEST_READ_KEY, netstring(secret) || k u16 || n u16 || segment size u32 || content
 * hash)}, so the same chunks under the same secret and node parameters give the same nodes and
 * the same file cap; random: a fresh key per node, no deduplication. The codec derives the key
 * itself from the node's content, so a key is never reused for other content.
 */
public abstract sealed class NodeKeyPolicy {
  private NodeKeyPolicy() {}

  /** Convergent read keys under {@code secret} (the node's convergence secret). */
  public static NodeKeyPolicy convergent(byte[] secret) {
    return new Convergent(secret.clone());
  }

  /** A random read key for every node. */
  public static NodeKeyPolicy random(SecureRandom random) {
    return new Random(random);
  }

  /** The read key of a node whose clear form hashes to {@code contentHash}. */
  abstract byte[] readKey(EncodingParams params, byte[] contentHash);

  private static final class Convergent extends NodeKeyPolicy {
    private final byte[] secret;

    Convergent(byte[] secret) {
      this.secret = secret;
    }

    @Override
    byte[] readKey(EncodingParams params, byte[] contentHash) {
      byte[] encodedParams = ByteBuffer.allocate(8).putShort((short) params.k())
          .putShort((short) params.n()).putInt(params.segmentSize()).array();
      return TaggedHash.of(Tag.MANIFEST_READ_KEY, TaggedHash.netstring(secret), encodedParams,
          contentHash);
    }
  }

  private static final class Random extends NodeKeyPolicy {
    private final SecureRandom random;

    Random(SecureRandom random) {
      this.random = random;
    }

    @Override
    byte[] readKey(EncodingParams params, byte[] contentHash) {
      byte[] key = new byte[32];
      random.nextBytes(key);
      return key;
    }
  }
}
