package org.cairnfs.caps.manifest;

/**
 * The chunks {@code [first, end)} a byte range {@code [offset, rangeEnd)} of a file touches
 * (already clipped to the file). Iterate {@code first..end-1} and ask {@link #slice} for the
 * part of each chunk; nothing is allocated per chunk up front, so a range over a huge file
 * costs nothing until it is walked.
 */
public record ChunkRange(ManifestGeometry geometry, long first, long end, long offset,
    long rangeEnd) {
  /** The part of one chunk inside the range. */
  public record Slice(long chunk, long offsetInChunk, int length, long fileOffset) {}

  public boolean isEmpty() {
    return first == end;
  }

  public long count() {
    return end - first;
  }

  public Slice slice(long chunk) {
    if (chunk < first || chunk >= end) {
      throw new IndexOutOfBoundsException("chunk " + chunk + " outside [" + first + ", " + end
          + ")");
    }
    long start = geometry.chunkOffset(chunk);
    long from = Math.max(start, offset);
    long to = Math.min(start + geometry.chunkLength(chunk), rangeEnd);
    return new Slice(chunk, from - start, (int) (to - from), from);
  }

  /** Whether the range covers chunk {@code chunk} whole (no read-modify-write needed). */
  public boolean coversWhole(long chunk) {
    Slice s = slice(chunk);
    return s.offsetInChunk() == 0 && s.length() == geometry.chunkLength(chunk);
  }
}
