package org.cairnfs.caps;

/** Validation shared by the cap records; messages name the field and the fault. */
final class Fields {
  static final int KEY_LENGTH = 32;
  static final int HASH_LENGTH = 32;
  /** Reed-Solomon over GF(2^8) allows at most 256 shares. */
  static final int MAX_SHARES = 256;

  private Fields() {}

  static byte[] exact(String field, byte[] value, int length) {
    if (value == null) {
      throw new CapFormatException(field + " is missing");
    }
    if (value.length != length) {
      throw new CapFormatException(
          field + " must be " + length + " bytes, got " + value.length);
    }
    return value.clone();
  }

  static void params(int k, int n, long size) {
    if (k < 1) {
      throw new CapFormatException("k must be at least 1, got " + k);
    }
    if (n > MAX_SHARES) {
      throw new CapFormatException("n must be at most " + MAX_SHARES + ", got " + n);
    }
    if (k > n) {
      throw new CapFormatException("k (" + k + ") must not exceed n (" + n + ")");
    }
    if (size < 0) {
      throw new CapFormatException("size must not be negative, got " + size);
    }
  }

  static void chunked(int chunkSize, long size) {
    if (chunkSize < ChunkedReadCap.MIN_CHUNK_SIZE || chunkSize > ChunkedReadCap.MAX_CHUNK_SIZE) {
      throw new CapFormatException("chunk size must be in [" + ChunkedReadCap.MIN_CHUNK_SIZE
          + ", " + ChunkedReadCap.MAX_CHUNK_SIZE + "], got " + chunkSize);
    }
    if (size < 1) {
      throw new CapFormatException("size of a chunked file must be at least 1, got " + size);
    }
  }
}
