package org.cairnfs.caps.erasure;

import com.backblaze.erasure.Galois;
import java.util.function.Consumer;

/**
 * Parity encoding with one table lookup per data byte instead of one per (data, parity) pair.
 *
 * <p>For data block s, entry {@code x} of its table packs the products {@code c[p][s] * x} of
 * every parity row p (at most {@link #MAX_PARITY}) into one long, byte p. The parity bytes at a
 * position are then the XOR of k lookups, unpacked into the parity blocks. For 3-of-10 that is
 * 3 lookups where the byte-table loop makes 21: about 2.6 times its throughput (docs/benchmarks/
 * codec.md). The coefficients are read off the Backblaze coder itself (encoding unit vectors),
 * so the parity is byte for byte the coder's, which {@code ParityTablesTest} checks.
 */
final class ParityTables {
  /** Parity rows that fit one long. */
  static final int MAX_PARITY = 8;
  /** Positions coded per pass over the accumulator (4 KiB of longs: in L1 with the tables). */
  private static final int TILE = 512;

  private final int parity;
  /** One table per data block. */
  private final long[][] tables;

  private ParityTables(int parity, long[][] tables) {
    this.parity = parity;
    this.tables = tables;
  }

  /**
   * The tables of a k-of-(k + parity) coder's parity rows, at most {@link #MAX_PARITY};
   * {@code coder} encodes the parity of n one-byte blocks in place.
   */
  static ParityTables of(int k, int parity, Consumer<byte[][]> coder) {
    if (parity < 1 || parity > MAX_PARITY) {
      throw new IllegalArgumentException("1 to " + MAX_PARITY + " parity rows, got " + parity);
    }
    long[][] tables = new long[k][256];
    for (int s = 0; s < k; s++) {
      byte[][] unit = new byte[k + parity][1];
      unit[s][0] = 1;
      coder.accept(unit); // column s of the parity rows
      for (int x = 0; x < 256; x++) {
        long packed = 0;
        for (int p = 0; p < parity; p++) {
          long product = Galois.multiply(unit[k + p][0], (byte) x) & 0xFF;
          packed |= product << (8 * p);
        }
        tables[s][x] = packed;
      }
    }
    return new ParityTables(parity, tables);
  }

  /** Writes parity blocks k.. from data blocks 0..k-1 over {@code [offset, offset + length)}. */
  void encode(byte[][] blocks, int offset, int length) {
    int k = tables.length;
    long[] acc = new long[Math.min(TILE, Math.max(length, 1))];
    for (int done = 0; done < length; done += TILE) {
      int width = Math.min(TILE, length - done);
      int base = offset + done;
      long[] first = tables[0];
      byte[] data = blocks[0];
      for (int j = 0; j < width; j++) {
        acc[j] = first[data[base + j] & 0xFF];
      }
      for (int s = 1; s < k; s++) {
        long[] table = tables[s];
        byte[] d = blocks[s];
        for (int j = 0; j < width; j++) {
          acc[j] ^= table[d[base + j] & 0xFF];
        }
      }
      for (int p = 0; p < parity; p++) {
        byte[] out = blocks[k + p];
        int shift = 8 * p;
        for (int j = 0; j < width; j++) {
          out[base + j] = (byte) (acc[j] >>> shift);
        }
      }
    }
  }
}
