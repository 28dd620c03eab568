package org.cairnfs.caps.erasure;

import com.backblaze.erasure.ReedSolomon;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * A systematic k-of-n Reed-Solomon code over GF(2^8): blocks 0..k-1 are the data itself, blocks
 * k..n-1 are parity, and any k of the n blocks rebuild the data.
 *
 * <p>Why a wrapper: the coder works in place on arrays the caller owns and reuses, so the hot
 * paths of upload and download allocate nothing per segment, and the systematic fast path (all
 * data blocks present) does no decoding work at all. Instances are immutable and thread-safe.
 *
 * <p>The Backblaze class also has overloads taking Netty {@code ByteBuf}s; Cairn's caps module
 * does not depend on Netty, so the two byte-array methods are bound once through method handles
 * (which the JIT inlines like a direct call) instead of naming the overloaded methods in source.
 */
public final class ErasureCodec {
  /** GF(2^8) Reed-Solomon allows at most 256 blocks per stripe. */
  public static final int MAX_SHARES = 256;

  private static final MethodHandle ENCODE_PARITY;
  private static final MethodHandle DECODE_MISSING;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.publicLookup();
      ENCODE_PARITY = lookup.findVirtual(ReedSolomon.class, "encodeParity",
          MethodType.methodType(void.class, byte[][].class, int.class, int.class));
      DECODE_MISSING = lookup.findVirtual(ReedSolomon.class, "decodeMissing",
          MethodType.methodType(void.class, byte[][].class, boolean[].class, int.class,
              int.class));
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final int k;
  private final int n;
  private final ReedSolomon coder;
  /**
   * The fast path of {@link #encode} when the parity rows fit {@link ParityTables}, built on the
   * first encode (a decoder never encodes, and k comes from caps anyone may write); else null.
   * Racing first encodes may each build one: the tables are the same.
   */
  private volatile ParityTables parityTables;

  private ErasureCodec(int k, int n) {
    this.k = k;
    this.n = n;
    this.coder = n > k ? ReedSolomon.create(k, n - k) : null;
  }

  /** A k-of-n codec; {@code 1 <= k <= n <= 256}. */
  public static ErasureCodec of(int k, int n) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be at least 1, got " + k);
    }
    if (n > MAX_SHARES) {
      throw new IllegalArgumentException("n must be at most " + MAX_SHARES + ", got " + n);
    }
    if (k > n) {
      throw new IllegalArgumentException("k (" + k + ") must not exceed n (" + n + ")");
    }
    return new ErasureCodec(k, n);
  }

  public int k() {
    return k;
  }

  public int n() {
    return n;
  }

  /**
   * Computes parity blocks k..n-1 from data blocks 0..k-1, in place.
   *
   * @param blocks n non-null arrays, each at least {@code offset + length} long
   * @param offset where the coded bytes start in every array
   * @param length how many bytes of every array are coded
   */
  public void encode(byte[][] blocks, int offset, int length) {
    checkBlocks(blocks, offset, length);
    if (coder == null) {
      return;
    }
    if (n - k <= ParityTables.MAX_PARITY) {
      ParityTables tables = parityTables;
      if (tables == null) {
        tables = ParityTables.of(k, n - k, unit -> coderEncode(coder, unit, 0, 1));
        parityTables = tables;
      }
      tables.encode(blocks, offset, length);
      return;
    }
    coderEncode(coder, blocks, offset, length);
  }

  /** The Backblaze coder's own parity encoding (the reference for {@link ParityTables}). */
  static void coderEncode(ReedSolomon coder, byte[][] blocks, int offset, int length) {
    try {
      ENCODE_PARITY.invokeExact(coder, blocks, offset, length);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Rebuilds missing data blocks 0..k-1 in place from any k present blocks.
   *
   * <p>When every data block is present this returns at once. Otherwise the arrays of absent
   * blocks are overwritten: absent data blocks receive the data, and the content of absent
   * parity arrays is unspecified afterwards (they may be used as scratch).
   *
   * @param blocks n non-null arrays, each at least {@code offset + length} long
   * @param present which of the n blocks hold valid bytes; not modified
   * @throws IllegalArgumentException if fewer than k blocks are present
   */
  public void decode(byte[][] blocks, boolean[] present, int offset, int length) {
    checkBlocks(blocks, offset, length);
    if (present.length != n) {
      throw new IllegalArgumentException(
          "expected " + n + " presence flags, got " + present.length);
    }
    boolean allData = true;
    int count = 0;
    int kthPresent = -1;
    for (int i = 0; i < n; i++) {
      if (present[i]) {
        count++;
        if (count == k) {
          kthPresent = i;
        }
      } else if (i < k) {
        allData = false;
      }
    }
    if (count < k) {
      throw new IllegalArgumentException(
          "need " + k + " blocks to decode, only " + count + " present");
    }
    if (allData) {
      return;
    }
    // The coder reads the first k present blocks and writes every absent one. Absent parity
    // blocks after the k-th present block are flagged present so they are neither read nor
    // recomputed: that saves their coding work, which a reader does not want.
    boolean[] flags = present.clone();
    for (int i = kthPresent + 1; i < n; i++) {
      flags[i] = true;
    }
    try {
      DECODE_MISSING.invokeExact(coder, blocks, flags, offset, length);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  private void checkBlocks(byte[][] blocks, int offset, int length) {
    if (blocks.length != n) {
      throw new IllegalArgumentException("expected " + n + " blocks, got " + blocks.length);
    }
    if (offset < 0 || length < 0) {
      throw new IllegalArgumentException("bad range offset " + offset + " length " + length);
    }
    for (int i = 0; i < n; i++) {
      if (blocks[i] == null) {
        throw new IllegalArgumentException("block " + i + " is null");
      }
      if (blocks[i].length - offset < length) {
        throw new IllegalArgumentException("block " + i + " has " + blocks[i].length
            + " bytes, fewer than offset " + offset + " + length " + length);
      }
    }
  }

  @Override
  public String toString() {
    return "ErasureCodec[" + k + "-of-" + n + "]";
  }
}
