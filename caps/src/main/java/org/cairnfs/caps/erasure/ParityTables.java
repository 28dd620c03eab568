package org.cairnfs.caps.erasure;

import com.backblaze.erasure.Galois;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
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
  /** Little-endian longs over a byte array: byte i of the long is the array's byte at + i. */
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long BYTES = 0x00FF00FF00FF00FFL;
  private static final long PAIRS = 0x0000FFFF0000FFFFL;
  private static final long QUADS = 0x00000000FFFFFFFFL;

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
      // Eight positions at a time: their 8x8 byte matrix (position, parity row) transposed by
      // three rounds of swaps (bytes, pairs, quads), so byte i of row p is position i's byte p,
      // stored as one long per parity block. Inline and unrolled: as a method, or with the eight
      // in an array, it ran at half the gain (1.8x the byte loop; docs/benchmarks/codec.md).
      int whole = width & ~7;
      for (int j = 0; j < whole; j += 8) {
        long a0 = acc[j];
        long a1 = acc[j + 1];
        long a2 = acc[j + 2];
        long a3 = acc[j + 3];
        long a4 = acc[j + 4];
        long a5 = acc[j + 5];
        long a6 = acc[j + 6];
        long a7 = acc[j + 7];
        long t;
        t = ((a0 >>> 8) ^ a1) & BYTES;
        a1 ^= t;
        a0 ^= t << 8;
        t = ((a2 >>> 8) ^ a3) & BYTES;
        a3 ^= t;
        a2 ^= t << 8;
        t = ((a4 >>> 8) ^ a5) & BYTES;
        a5 ^= t;
        a4 ^= t << 8;
        t = ((a6 >>> 8) ^ a7) & BYTES;
        a7 ^= t;
        a6 ^= t << 8;
        t = ((a0 >>> 16) ^ a2) & PAIRS;
        a2 ^= t;
        a0 ^= t << 16;
        t = ((a1 >>> 16) ^ a3) & PAIRS;
        a3 ^= t;
        a1 ^= t << 16;
        t = ((a4 >>> 16) ^ a6) & PAIRS;
        a6 ^= t;
        a4 ^= t << 16;
        t = ((a5 >>> 16) ^ a7) & PAIRS;
        a7 ^= t;
        a5 ^= t << 16;
        t = ((a0 >>> 32) ^ a4) & QUADS;
        a4 ^= t;
        a0 ^= t << 32;
        t = ((a1 >>> 32) ^ a5) & QUADS;
        a5 ^= t;
        a1 ^= t << 32;
        t = ((a2 >>> 32) ^ a6) & QUADS;
        a6 ^= t;
        a2 ^= t << 32;
        t = ((a3 >>> 32) ^ a7) & QUADS;
        a7 ^= t;
        a3 ^= t << 32;
        LONGS.set(blocks[k], base + j, a0);
        if (parity > 1) {
          LONGS.set(blocks[k + 1], base + j, a1);
        }
        if (parity > 2) {
          LONGS.set(blocks[k + 2], base + j, a2);
        }
        if (parity > 3) {
          LONGS.set(blocks[k + 3], base + j, a3);
        }
        if (parity > 4) {
          LONGS.set(blocks[k + 4], base + j, a4);
        }
        if (parity > 5) {
          LONGS.set(blocks[k + 5], base + j, a5);
        }
        if (parity > 6) {
          LONGS.set(blocks[k + 6], base + j, a6);
        }
        if (parity > 7) {
          LONGS.set(blocks[k + 7], base + j, a7);
        }
      }
      for (int p = 0; p < parity; p++) {
        byte[] out = blocks[k + p];
        int shift = 8 * p;
        for (int j = whole; j < width; j++) {
          out[base + j] = (byte) (acc[j] >>> shift);
        }
      }
    }
  }


}
