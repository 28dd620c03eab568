package org.cairnfs.caps.share;

import java.io.EOFException;
import java.io.IOException;
import org.cairnfs.caps.crypto.TaggedHash;

/**
 * Reads one range of a {@link ShareSource} front to back through a bounded buffer.
 *
 * <p>Why: a check over a whole share (every block, every tree node) would otherwise cost one
 * source read per 32-byte node; this turns it into one read per buffer and holds no more than
 * the buffer whatever the share's size. Not thread-safe.
 */
public final class ShareStream {
  /** Buffer size of {@link #of(ShareSource, long, long)}. */
  public static final int DEFAULT_BUFFER = 64 * 1024;

  private final ShareSource source;
  private final long end;
  private final byte[] buffer;
  private long fetched;
  private int position;
  private int limit;

  /**
   * A stream over {@code [from, from + length)} of {@code source}.
   *
   * @param bufferSize bytes held at once, at least 1 (fewer when the range is shorter)
   */
  public ShareStream(ShareSource source, long from, long length, int bufferSize) {
    if (from < 0 || length < 0 || from > Long.MAX_VALUE - length || bufferSize < 1) {
      throw new IllegalArgumentException("bad range " + from + " +" + length
          + " or buffer " + bufferSize);
    }
    this.source = source;
    this.fetched = from;
    this.end = from + length;
    this.buffer = new byte[(int) Math.min(bufferSize, Math.max(1, length))];
  }

  /** A stream over {@code [from, from + length)} with a {@link #DEFAULT_BUFFER} buffer. */
  public static ShareStream of(ShareSource source, long from, long length) {
    return new ShareStream(source, from, length, DEFAULT_BUFFER);
  }

  /** Bytes of the range not yet consumed. */
  public long remaining() {
    return end - fetched + (limit - position);
  }

  /**
   * Fills {@code dst[off, off + len)} with the next bytes.
   *
   * @throws EOFException if the range (or the source) ends first
   */
  public void readFully(byte[] dst, int off, int len) throws IOException {
    while (len > 0) {
      fill();
      int take = Math.min(len, limit - position);
      System.arraycopy(buffer, position, dst, off, take);
      position += take;
      off += take;
      len -= take;
    }
  }

  /**
   * Feeds the next {@code length} bytes to {@code hash} without copying them out.
   *
   * @throws EOFException if the range (or the source) ends first
   */
  public void feed(TaggedHash hash, long length) throws IOException {
    while (length > 0) {
      fill();
      int take = (int) Math.min(length, limit - position);
      hash.update(buffer, position, take);
      position += take;
      length -= take;
    }
  }

  private void fill() throws IOException {
    if (position < limit) {
      return;
    }
    if (fetched >= end) {
      throw new EOFException("read past the end of the range at " + end);
    }
    int n = (int) Math.min(buffer.length, end - fetched);
    source.read(fetched, buffer, 0, n);
    fetched += n;
    position = 0;
    limit = n;
  }
}
