package org.cairnfs.caps.mutable;

import java.io.EOFException;
import java.io.IOException;

/**
 * Positional read access to one mutable share a server holds. Everything read is untrusted;
 * the reader verifies it and drops the share on any failure, including an exception from here.
 */
public interface ShareSource {
  /**
   * Fills {@code dst[off, off + len)} from {@code position} of the share.
   *
   * @throws EOFException if the share ends first
   */
  void read(long position, byte[] dst, int off, int len) throws IOException;

  /** Reads {@code length} bytes at {@code position} into a new array. */
  default byte[] read(long position, int length) throws IOException {
    byte[] out = new byte[length];
    read(position, out, 0, length);
    return out;
  }

  /** A source over a share held in memory (not copied). */
  static ShareSource of(byte[] share) {
    return (position, dst, off, len) -> {
      if (position < 0 || position > share.length - (long) len) {
        throw new EOFException("share has " + share.length + " bytes, wanted " + len + " at "
            + position);
      }
      System.arraycopy(share, (int) position, dst, off, len);
    };
  }
}
