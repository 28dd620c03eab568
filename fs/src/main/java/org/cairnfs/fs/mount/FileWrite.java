package org.cairnfs.fs.mount;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;

/**
 * A new version of a file, described against its base: what {@link GridBackend#writeFile}
 * stores. Byte {@code i < size} of the new version is: the source's byte if {@code i} lies in a
 * dirty range, else the base's byte if {@code i < baseLength}, else zero.
 *
 * @param base the cap of the version this one edits; empty for a new file
 * @param baseLength how many leading bytes of the base are still valid (a truncate shortens it);
 *     0 without a base
 * @param size the new version's length
 * @param dirty sorted, disjoint ranges inside {@code [0, size)} whose bytes come from the source
 * @param source reads bytes of the new version (dirty ranges at least); safe to call from any
 *     thread while the write runs
 */
public record FileWrite(Optional<String> base, long baseLength, long size, List<Range> dirty,
    Source source) {

  public FileWrite {
    if (base == null || dirty == null || source == null) {
      throw new IllegalArgumentException("a file write needs base, ranges and source");
    }
    if (size < 0 || baseLength < 0 || (base.isEmpty() && baseLength != 0)) {
      throw new IllegalArgumentException("bad lengths: size " + size + ", base length "
          + baseLength);
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

  /** Bytes that must be uploaded from the source. */
  public long dirtyBytes() {
    return dirty.stream().mapToLong(Range::length).sum();
  }

  /** A byte range {@code [offset, offset + length)}. */
  public record Range(long offset, long length) {
    public Range {
      if (offset < 0 || length <= 0) {
        throw new IllegalArgumentException("bad range " + offset + "+" + length);
      }
    }

    public long end() {
      return offset + length;
    }
  }

  /** Where the new version's bytes are read from (the mount's spool). */
  @FunctionalInterface
  public interface Source {
    /** Fills {@code dst} with the bytes at {@code offset}; {@code dst} stays inside the file. */
    void read(long offset, ByteBuffer dst) throws IOException;
  }
}
