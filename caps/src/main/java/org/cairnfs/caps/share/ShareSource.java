package org.cairnfs.caps.share;

import java.io.IOException;

/**
 * Positional read access to one share someone else stores, immutable or mutable. Everything it
 * returns is untrusted: the decoder or reader verifies it and drops the share on any failure,
 * including an exception from here. This is the shape of a storage server's read-at-offset.
 */
@FunctionalInterface
public interface ShareSource {
  /**
   * Fills {@code dst[off, off + len)} from {@code offset} of the share.
   *
   * @throws java.io.EOFException if the share ends before {@code offset + len}
   */
  void read(long offset, byte[] dst, int off, int len) throws IOException;

  /** Reads {@code length} bytes at {@code offset} into a new array. */
  default byte[] read(long offset, int length) throws IOException {
    byte[] out = new byte[length];
    read(offset, out, 0, length);
    return out;
  }
}
