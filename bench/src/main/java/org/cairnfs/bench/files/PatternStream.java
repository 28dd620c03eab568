package org.cairnfs.bench.files;

import java.io.InputStream;
import java.util.SplittableRandom;

/**
 * {@code length} pseudo-random bytes that never repeat a chunk (every 64 KiB block has its own
 * seed), generated as they are read, so a benchmark streams a file of any size without holding
 * it and convergent encryption finds nothing to deduplicate across seeds.
 */
final class PatternStream extends InputStream {
  private static final int BLOCK = 64 * 1024;
  private final long length;
  private final long seed;
  private final byte[] block = new byte[BLOCK];
  private long position;
  private long blockIndex = -1;

  PatternStream(long length, long seed) {
    this.length = length;
    this.seed = seed;
  }

  @Override
  public int read() {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] dst, int off, int len) {
    if (position >= length) {
      return -1;
    }
    long index = position / BLOCK;
    if (index != blockIndex) {
      new SplittableRandom(seed * 0x9E3779B97F4A7C15L + index).nextBytes(block);
      blockIndex = index;
    }
    int at = (int) (position % BLOCK);
    int n = (int) Math.min(Math.min(len, BLOCK - at), length - position);
    System.arraycopy(block, at, dst, off, n);
    position += n;
    return n;
  }
}
