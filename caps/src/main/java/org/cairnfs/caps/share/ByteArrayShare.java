package org.cairnfs.caps.share;

import java.io.EOFException;
import java.util.Arrays;

/**
 * A share held in memory, both as a sink (encoder output) and as a source (decoder input).
 * For tests, benchmarks, and small files; writes and reads are single array copies.
 */
public final class ByteArrayShare implements ShareSink, ShareSource {
  private final byte[] bytes;

  /** An empty share of {@code length} bytes to be written. */
  public ByteArrayShare(long length) {
    if (length < 0 || length > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("in-memory share cannot hold " + length + " bytes");
    }
    this.bytes = new byte[(int) length];
  }

  private ByteArrayShare(byte[] bytes) {
    this.bytes = bytes;
  }

  /** A share over existing bytes (not copied), to read from or write into. */
  public static ByteArrayShare wrap(byte[] bytes) {
    return new ByteArrayShare(bytes);
  }

  @Override
  public void write(long offset, byte[] data, int off, int len) {
    if (offset < 0 || offset > bytes.length - len) {
      throw new IndexOutOfBoundsException(
          "write of " + len + " bytes at " + offset + " outside a share of " + bytes.length);
    }
    System.arraycopy(data, off, bytes, (int) offset, len);
  }

  @Override
  public void read(long offset, byte[] dst, int off, int len) throws EOFException {
    if (offset < 0 || len < 0 || offset > bytes.length - (long) len) {
      throw new EOFException(
          "read of " + len + " bytes at " + offset + " past the end " + bytes.length);
    }
    System.arraycopy(bytes, (int) offset, dst, off, len);
  }

  /** The share bytes (not copied: the share's own array). */
  public byte[] bytes() {
    return bytes;
  }

  public byte[] toByteArray() {
    return Arrays.copyOf(bytes, bytes.length);
  }

  @Override
  public void close() {}
}
