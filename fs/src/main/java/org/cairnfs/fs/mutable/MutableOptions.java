package org.cairnfs.fs.mutable;

import org.cairnfs.caps.immutable.EncodingParams;
import org.cairnfs.caps.mutable.MutableParams;

/**
 * How mutable files are encoded and how hard a writer tries.
 *
 * @param params k, n and segment size of new versions
 * @param happy distinct servers a publish must reach
 * @param maxSize largest contents read or written (versions are encoded in memory, and a
 *     reader refuses versions that claim more, so a small planted version cannot make it
 *     allocate much)
 * @param maxAttempts read-modify-publish rounds before a collision is reported
 */
public record MutableOptions(MutableParams params, int happy, long maxSize, int maxAttempts) {
  public static final long DEFAULT_MAX_SIZE = 16 << 20;
  public static final int DEFAULT_MAX_ATTEMPTS = 10;

  public MutableOptions {
    if (happy < params.k() || happy > params.n()) {
      throw new IllegalArgumentException("happy must be between k (" + params.k() + ") and n ("
          + params.n() + "), got " + happy);
    }
    if (maxSize < 1 || maxSize > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("max size must be 1.." + (Integer.MAX_VALUE - 8)
          + ", got " + maxSize);
    }
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("max attempts must be >= 1, got " + maxAttempts);
    }
  }

  /** The grid's k, happy and n, its segment size rounded down to a multiple of k. */
  public static MutableOptions from(EncodingParams grid) {
    int segment = Math.max(grid.k(), grid.segmentSize() / grid.k() * grid.k());
    return new MutableOptions(new MutableParams(grid.k(), grid.n(), segment), grid.happy(),
        DEFAULT_MAX_SIZE, DEFAULT_MAX_ATTEMPTS);
  }

  public MutableOptions withMaxAttempts(int attempts) {
    return new MutableOptions(params, happy, maxSize, attempts);
  }

  public MutableOptions withMaxSize(long bytes) {
    return new MutableOptions(params, happy, bytes, maxAttempts);
  }
}
