package org.cairnfs.fs.mutable;

import org.cairnfs.caps.StorageIndex;
import org.cairnfs.caps.immutable.EncodingParams;
import org.cairnfs.caps.mutable.MutableParams;
import org.cairnfs.caps.mutable.SignedHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
  private static final Logger log = LoggerFactory.getLogger(MutableOptions.class);
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

  /**
   * The options a change of a file whose newest version has {@code file}'s header publishes
   * with: its k and n; segments this client's size, a multiple of k; happy the same share of n
   * as this client's. So a change keeps its file's encoding, and this client's own applies to
   * the files it creates. Why: writers of one encoding write the same share numbers to the same
   * holders, so of two that collide the one that got there first holds every slot the other
   * aimed at. A narrower writer left the wider one's other holders at the old seqnum, where the
   * wider one's refused version then landed, recoverable and with more shares than the change
   * that had won.
   */
  MutableOptions forChange(SignedHeader file, long size, StorageIndex index) {
    if (file.k() == params.k() && file.n() == params.n()) {
      return this;
    }
    // publishing holds every share in memory: a file made 1-of-256 would take 256 times its
    // size (4 GiB for 16 MiB); past this client's own expansion and 256 MiB, its own encoding
    if ((long) file.n() * params.k() > (long) params.n() * file.k()
        && size * file.n() / file.k() > 1L << 28) {
      log.warn("mutable file {}: its encoding {}-of-{} would hold {} bytes while publishing; "
          + "publishing this version {}-of-{}", index, file.k(), file.n(),
          size * file.n() / file.k(), params.k(), params.n());
      return this;
    }
    try {
      // a small version's header holds a segment as small as its contents: not that one
      int segment = Math.max(file.k(), params.segmentSize() / file.k() * file.k());
      int scaled = (int) Math.min(file.n(), Math.max(file.k(),
          -Math.floorDiv(-(long) happy * file.n(), params.n())));
      return new MutableOptions(new MutableParams(file.k(), file.n(), segment), scaled, maxSize,
          maxAttempts);
    } catch (IllegalArgumentException e) {
      log.warn("mutable file {}: its encoding {}-of-{} is outside this client's limits ({}); "
          + "publishing this version {}-of-{}", index, file.k(), file.n(), e.getMessage(),
          params.k(), params.n());
      return this;
    }
  }
}
