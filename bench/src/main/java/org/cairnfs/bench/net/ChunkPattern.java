package org.cairnfs.bench.net;

import java.util.Arrays;

/**
 * The bytes the benchmarks write: one random 1 MiB block whose first 16 bytes are replaced by the
 * share and chunk number, so a read of the wrong chunk or share is caught cheaply.
 */
final class ChunkPattern {
  private static final int STAMP = 16;
  /** Every this many chunks a read is compared in full, not only by its stamp. */
  private static final long FULL_CHECK_EVERY = 16;

  private ChunkPattern() {}

  static void stamp(byte[] buffer, int share, long chunk) {
    putLong(buffer, 0, share);
    putLong(buffer, 8, chunk);
  }

  /** Throws IllegalStateException naming the chunk when {@code data} is not what was written. */
  static void check(byte[] data, byte[] source, int share, long chunk) {
    if (data.length != source.length || getLong(data, 0) != share || getLong(data, 8) != chunk) {
      throw new IllegalStateException("read back wrong data for share " + share + " chunk " + chunk
          + " (" + data.length + " bytes)");
    }
    if (chunk % FULL_CHECK_EVERY == 0
        && !Arrays.equals(data, STAMP, data.length, source, STAMP, source.length)) {
      throw new IllegalStateException("read back corrupt data for share " + share + " chunk " + chunk);
    }
  }

  private static void putLong(byte[] b, int at, long v) {
    for (int i = 0; i < 8; i++) {
      b[at + i] = (byte) (v >>> (56 - 8 * i));
    }
  }

  private static long getLong(byte[] b, int at) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (b[at + i] & 0xFF);
    }
    return v;
  }
}
