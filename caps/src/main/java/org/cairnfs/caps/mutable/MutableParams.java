package org.cairnfs.caps.mutable;

/**
 * How a mutable version is cut and spread: any {@code k} of {@code n} shares rebuild it, and it
 * is processed {@code segmentSize} plaintext bytes at a time (a multiple of k). The segment size
 * bounds the memory of writer and reader: about {@code segmentSize * (1 + n/k)} bytes, and the
 * stripe {@code n * segmentSize / k} may not exceed {@link SignedHeader#MAX_STRIPE}.
 */
public record MutableParams(int k, int n, int segmentSize) {
  /** 3-of-10 with 128 KiB segments (rounded down to a multiple of 3). */
  public static final MutableParams DEFAULT = new MutableParams(3, 10, 131_070);

  public MutableParams {
    if (k < 1 || k > SignedHeader.MAX_SHARES) {
      throw new IllegalArgumentException("k must be in 1..256, got " + k);
    }
    if (n < k || n > SignedHeader.MAX_SHARES) {
      throw new IllegalArgumentException("n must be in k(" + k + ")..256, got " + n);
    }
    if (segmentSize < k || segmentSize > SignedHeader.MAX_SEGMENT_SIZE
        || segmentSize % k != 0) {
      throw new IllegalArgumentException("segment size must be a multiple of k (" + k
          + ") in " + k + ".." + SignedHeader.MAX_SEGMENT_SIZE + ", got " + segmentSize);
    }
    if ((long) n * (segmentSize / k) > SignedHeader.MAX_STRIPE) {
      throw new IllegalArgumentException("n (" + n + ") blocks of segment size " + segmentSize
          + " / k (" + k + ") exceed the " + SignedHeader.MAX_STRIPE + "-byte stripe readers "
          + "accept; use a smaller segment size");
    }
  }

  /**
   * The segment size actually used for {@code dataLength} bytes: small files get one segment
   * just big enough (rounded up to a multiple of k) instead of a mostly-padding full one.
   */
  int effectiveSegmentSize(long dataLength) {
    long needed = Math.max(1, dataLength);
    long rounded = (needed + k - 1) / k * k;
    return (int) Math.min(segmentSize, rounded);
  }
}
