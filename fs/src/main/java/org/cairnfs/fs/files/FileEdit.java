package org.cairnfs.fs.files;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import org.cairnfs.caps.Cap;

/**
 * A new version of a file described against its base, what {@link ChunkedFiles#write} stores.
 * Byte {@code i < size} of the new version is the source's byte if {@code i} lies in a dirty
 * range, else the base's byte if {@code i < baseLength}, else zero. The same meaning as the
 * mount's {@code FileWrite}, in this package's terms (the facade converts).
 *
 * @param base the cap of the version this one edits; empty for a new file
 * @param baseLength leading bytes of the base still valid (a truncate shortens it); at most
 *     the base's size, 0 without a base
 * @param size the new version's length
 * @param dirty sorted, disjoint ranges inside {@code [0, size)} whose bytes come from the source
 * @param source reads bytes of the new version (dirty ranges at least); called from several
 *     threads at once
 */
public record FileEdit(Optional<Cap> base, long baseLength, long size, List<Range> dirty,
    Source source) {

  public FileEdit {
    if (base == null || dirty == null || source == null) {
      throw new IllegalArgumentException("a file edit needs base, ranges and source");
    }
    if (size < 0 || baseLength < 0 || (base.isEmpty() && baseLength != 0)) {
      throw new IllegalArgumentException("bad lengths: size " + size + ", base length "
          + baseLength + (base.isEmpty() ? " without a base" : ""));
    }
    long end = 0;
    for (Range r : dirty) {
      if (r.offset() < end || r.end() > size) {
        throw new IllegalArgumentException("dirty ranges must be sorted, disjoint and inside "
            + "the file: " + r + " after " + end + ", size " + size);
      }
      end = r.end();
    }
    dirty = List.copyOf(dirty);
  }

  /** A whole new file read from {@code source}. */
  public static FileEdit newFile(long size, Source source) {
    return new FileEdit(Optional.empty(), 0, size,
        size == 0 ? List.of() : List.of(new Range(0, size)), source);
  }

  /** Bytes the source supplies. */
  public long dirtyBytes() {
    return dirty.stream().mapToLong(Range::length).sum();
  }

  /** A byte range {@code [offset, offset + length)}, not empty. */
  public record Range(long offset, long length) {
    public Range {
      if (offset < 0 || length <= 0 || length > Long.MAX_VALUE - offset) {
        throw new IllegalArgumentException("bad range " + offset + "+" + length);
      }
    }

    public long end() {
      return offset + length;
    }
  }

  /** Where the new version's bytes are read from (the mount's spool, a buffer). */
  @FunctionalInterface
  public interface Source {
    /** Fills {@code dst} (all its remaining bytes) with the bytes at {@code offset}. */
    void read(long offset, ByteBuffer dst) throws IOException;
  }
}
