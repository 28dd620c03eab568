package org.cairnfs.caps.immutable;

import org.cairnfs.caps.erasure.ErasureCodec;

/**
 * How an immutable file is cut and spread: k of n shares rebuild it, an upload needs shares on
 * at least {@code happy} distinct servers, and the ciphertext is coded one segment at a time.
 *
 * <p>Why a segment size: it bounds the memory of upload and download (about one segment times
 * n/k) and is the unit of random reads; it is also part of the convergent key, so changing it
 * changes the shares of every file.
 */
public record EncodingParams(int k, int happy, int n, int segmentSize) {
  /** Largest segment size: bounds what a reader of an untrusted extension block allocates. */
  public static final int MAX_SEGMENT_SIZE = 64 << 20;
  /**
   * Largest stripe, {@code n * blockSize()}: the n blocks of one segment, which a reader that
   * must rebuild data holds at once. The extension block is pinned by the cap but chosen by the
   * uploader, so without this bound one file (k=1, n=256, 64 MiB segments) would ask every
   * reader for 16 GiB.
   */
  public static final int MAX_STRIPE = 64 << 20;
  public static final EncodingParams DEFAULTS = builder().build();

  public EncodingParams {
    if (k < 1) {
      throw new IllegalArgumentException("k must be at least 1, got " + k);
    }
    if (n > ErasureCodec.MAX_SHARES) {
      throw new IllegalArgumentException(
          "n must be at most " + ErasureCodec.MAX_SHARES + ", got " + n);
    }
    if (k > n) {
      throw new IllegalArgumentException("k (" + k + ") must not exceed n (" + n + ")");
    }
    if (happy < k || happy > n) {
      throw new IllegalArgumentException(
          "happy must be between k (" + k + ") and n (" + n + "), got " + happy);
    }
    if (segmentSize < 1 || segmentSize > MAX_SEGMENT_SIZE) {
      throw new IllegalArgumentException("segment size must be in [1, " + MAX_SEGMENT_SIZE
          + "], got " + segmentSize);
    }
    if ((long) n * ((segmentSize + (long) k - 1) / k) > MAX_STRIPE) {
      throw new IllegalArgumentException("n (" + n + ") blocks of segment size " + segmentSize
          + " / k (" + k + ") make a stripe of more than " + MAX_STRIPE
          + " bytes; use a smaller segment size");
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Size of one block of a full segment: the segment zero-padded to a multiple of k, over k. */
  public int blockSize() {
    return (int) ((segmentSize + (long) k - 1) / k);
  }

  /** A builder whose setters refuse bad values at once, naming them. */
  public static final class Builder {
    private int k = 3;
    private int happy = 7;
    private int n = 10;
    /** 128 KiB: chosen by measurement, see docs/segment-size.md. */
    private int segmentSize = 128 * 1024;

    private Builder() {}

    public Builder k(int k) {
      if (k < 1 || k > ErasureCodec.MAX_SHARES) {
        throw new IllegalArgumentException(
            "k must be in [1, " + ErasureCodec.MAX_SHARES + "], got " + k);
      }
      this.k = k;
      return this;
    }

    public Builder happy(int happy) {
      if (happy < 1 || happy > ErasureCodec.MAX_SHARES) {
        throw new IllegalArgumentException(
            "happy must be in [1, " + ErasureCodec.MAX_SHARES + "], got " + happy);
      }
      this.happy = happy;
      return this;
    }

    public Builder n(int n) {
      if (n < 1 || n > ErasureCodec.MAX_SHARES) {
        throw new IllegalArgumentException(
            "n must be in [1, " + ErasureCodec.MAX_SHARES + "], got " + n);
      }
      this.n = n;
      return this;
    }

    public Builder segmentSize(int segmentSize) {
      if (segmentSize < 1 || segmentSize > MAX_SEGMENT_SIZE) {
        throw new IllegalArgumentException("segment size must be in [1, " + MAX_SEGMENT_SIZE
            + "], got " + segmentSize);
      }
      this.segmentSize = segmentSize;
      return this;
    }

    /** Checks the combination (k <= happy <= n). */
    public EncodingParams build() {
      return new EncodingParams(k, happy, n, segmentSize);
    }
  }
}
