package org.cairnfs.caps.manifest;

import java.util.OptionalLong;
import org.cairnfs.caps.ChunkedReadCap;

/**
 * The shape of a chunked file: chunk i covers bytes {@code [i*C, min((i+1)*C, size))}, and the
 * manifest tree over the chunks is fixed by chunk count alone.
 *
 * <p>Why fixed: a chunk's offset and length follow from its index, so entries need not store
 * them and cannot disagree; and every node covers an aligned run of {@code F^(level+1)} chunks
 * (F = {@link #FANOUT}), so the path to any chunk is known before a node is fetched, and the
 * same content always makes the same tree (convergence).
 */
public final class ManifestGeometry {
  /** Entries per manifest node; fixed by format version 1. */
  public static final int FANOUT = 1024;

  private final int chunkSize;
  private final long fileSize;
  private final int fanout;

  ManifestGeometry(int fanout, int chunkSize, long fileSize) {
    if (chunkSize < ChunkedReadCap.MIN_CHUNK_SIZE || chunkSize > ChunkedReadCap.MAX_CHUNK_SIZE) {
      throw new IllegalArgumentException("chunk size must be in [" + ChunkedReadCap.MIN_CHUNK_SIZE
          + ", " + ChunkedReadCap.MAX_CHUNK_SIZE + "], got " + chunkSize);
    }
    if (fileSize < 0) {
      throw new IllegalArgumentException("file size must not be negative, got " + fileSize);
    }
    if (fanout < 2) {
      throw new IllegalArgumentException("fanout must be at least 2, got " + fanout);
    }
    this.chunkSize = chunkSize;
    this.fileSize = fileSize;
    this.fanout = fanout;
  }

  /** The geometry of a file of {@code fileSize} bytes cut into {@code chunkSize} chunks. */
  public static ManifestGeometry of(int chunkSize, long fileSize) {
    return new ManifestGeometry(FANOUT, chunkSize, fileSize);
  }

  /** The geometry a chunked cap names. */
  public static ManifestGeometry of(ChunkedReadCap cap) {
    return of(cap.chunkSize(), cap.size());
  }

  public int chunkSize() {
    return chunkSize;
  }

  public long fileSize() {
    return fileSize;
  }

  int fanout() {
    return fanout;
  }

  /** The same chunk size over another file size. */
  public ManifestGeometry resized(long newSize) {
    return new ManifestGeometry(fanout, chunkSize, newSize);
  }

  public long chunkCount() {
    return ceilDiv(fileSize, chunkSize);
  }

  public long chunkOffset(long index) {
    checkIndex(index);
    return index * chunkSize;
  }

  /** Bytes of chunk {@code index}: the chunk size, or less for the last chunk. */
  public long chunkLength(long index) {
    checkIndex(index);
    return Math.min(chunkSize, fileSize - index * chunkSize);
  }

  /** The level of the root node: the least L with chunk count <= F^(L+1). */
  public int rootLevel() {
    long chunks = chunkCount();
    int level = 0;
    while (pow(fanout, level + 1) < chunks) {
      level++;
    }
    return level;
  }

  /** The root node's position; the file must not be empty. */
  public NodePosition root() {
    if (fileSize == 0) {
      throw new IllegalStateException("an empty file has no manifest");
    }
    return new NodePosition(rootLevel(), 0, fileSize, chunkSize, fanout);
  }

  /**
   * The chunks that bytes {@code [offset, offset + length)} of the file touch, clipped to the
   * file; empty when the range lies past the end or is empty.
   */
  public ChunkRange touching(long offset, long length) {
    if (offset < 0 || length < 0) {
      throw new IllegalArgumentException("negative range " + offset + "+" + length);
    }
    long end = length > Long.MAX_VALUE - offset ? Long.MAX_VALUE : offset + length;
    end = Math.min(end, fileSize);
    if (offset >= end) {
      long at = Math.min(ceilDiv(offset, chunkSize), chunkCount());
      return new ChunkRange(this, at, at, offset, offset);
    }
    return new ChunkRange(this, offset / chunkSize, ceilDiv(end, chunkSize), offset, end);
  }

  /**
   * The one chunk whose length changes when the file is resized to {@code newSize} at this
   * chunk size, and so needs new content: the old last chunk when the file grows past it, or
   * the chunk the new end cuts into. Empty when no chunk present in both sizes changes length
   * (a hole chunk may simply change length).
   */
  public OptionalLong resizedChunk(long newSize) {
    ManifestGeometry other = resized(newSize);
    long both = Math.min(chunkCount(), other.chunkCount());
    if (both == 0) {
      return OptionalLong.empty();
    }
    long last = both - 1;
    return chunkLength(last) == other.chunkLength(last) ? OptionalLong.empty()
        : OptionalLong.of(last);
  }

  private void checkIndex(long index) {
    if (index < 0 || index >= chunkCount()) {
      throw new IndexOutOfBoundsException(
          "chunk " + index + " of a file of " + chunkCount() + " chunks");
    }
  }

  static long ceilDiv(long a, long b) {
    return a / b + (a % b == 0 ? 0 : 1);
  }

  /** base^exp, saturating at Long.MAX_VALUE. */
  static long pow(int base, int exp) {
    long r = 1;
    for (int i = 0; i < exp; i++) {
      if (r > Long.MAX_VALUE / base) {
        return Long.MAX_VALUE;
      }
      r *= base;
    }
    return r;
  }

  /** a*b, saturating at Long.MAX_VALUE (both non-negative). */
  static long mulSat(long a, long b) {
    return a != 0 && b > Long.MAX_VALUE / a ? Long.MAX_VALUE : a * b;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ManifestGeometry g && g.chunkSize == chunkSize && g.fileSize == fileSize
        && g.fanout == fanout;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(fileSize) * 31 + chunkSize * 7 + fanout;
  }

  @Override
  public String toString() {
    return "ManifestGeometry[chunk size " + chunkSize + ", file size " + fileSize + "]";
  }
}
