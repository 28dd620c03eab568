package org.cairnfs.caps.manifest;

import java.util.Random;
import org.cairnfs.caps.ImmutableReadCap;
import org.cairnfs.caps.LiteralCap;

/** Chunk refs for tests: caps with key material drawn from a seed (no chunk data behind them). */
final class Chunks {
  static final byte[] SECRET = "manifest test secret".getBytes();

  private Chunks() {}

  static ChunkRef.Stored stored(long seed, long length) {
    Random r = new Random(seed);
    byte[] key = new byte[32];
    byte[] ext = new byte[32];
    r.nextBytes(key);
    r.nextBytes(ext);
    int n = 1 + r.nextInt(256);
    int k = 1 + r.nextInt(n);
    return new ChunkRef.Stored(new ImmutableReadCap(key, ext, k, n, length));
  }

  static ChunkRef literal(long seed, int length) {
    byte[] data = new byte[length];
    new Random(seed).nextBytes(data);
    return new ChunkRef.Literal(new LiteralCap(data));
  }

  /** A hole, or else the stored or literal chunk its length calls for. */
  static ChunkRef holeOrData(boolean hole, long seed, long length) {
    if (hole) {
      return new ChunkRef.Hole(length);
    }
    return length <= LiteralCap.MAX_SIZE ? literal(seed, (int) length) : stored(seed, length);
  }
}
