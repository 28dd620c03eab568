package org.cairnfs.fs.grid;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Objects;

/**
 * An InputStream over a sequence of arrays made for it (decoded segments, pieces of zeros),
 * which a subclass hands out one by one. Why a base: {@link #readNBytes(int)} of exactly the
 * next whole piece hands over that piece itself, so a reader asking piece by piece (the mount's
 * read-ahead) takes every byte without a copy; the file stream and the chunked stream share it.
 */
public abstract class PieceStream extends InputStream {
  /** Largest {@code readNBytes} answered with one array of the length asked. */
  static final int EXACT_LIMIT = 4 << 20;
  private static final byte[] NONE = new byte[0];

  private byte[] current = NONE;
  private int position;

  protected PieceStream() {}

  /**
   * The next piece, which the stream then owns (it may be handed to a reader whole), or null
   * at the end, then and on every later call. An empty piece is skipped.
   */
  protected abstract byte[] nextPiece() throws IOException;

  /** Called before each read: a subclass that refuses reads once closed throws here. */
  protected void checkReadable() throws IOException {}

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] dst, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, dst.length);
    checkReadable();
    if (len == 0) {
      return 0;
    }
    if (!advance()) {
      return -1;
    }
    int take = Math.min(len, current.length - position);
    System.arraycopy(current, position, dst, off, take);
    position += take;
    return take;
  }

  /**
   * As {@link InputStream#readNBytes(int)}; a request for exactly the next piece, untouched,
   * gets that piece itself, and the stream lets go of it.
   */
  @Override
  public byte[] readNBytes(int len) throws IOException {
    if (len < 0) {
      throw new IllegalArgumentException("len < 0");
    }
    checkReadable();
    if (len > 0 && advance() && position == 0 && current.length == len) {
      byte[] whole = current;
      current = NONE;
      return whole;
    }
    if (len > EXACT_LIMIT) {
      return super.readNBytes(len); // readAllBytes asks for Integer.MAX_VALUE
    }
    byte[] out = new byte[len];
    int n = readNBytes(out, 0, len);
    return n == len ? out : Arrays.copyOf(out, n);
  }

  /** Lets go of the piece being read (for a close that frees memory at once). */
  protected final void dropCurrent() {
    current = NONE;
    position = 0;
  }

  /** Makes the current piece hold unread bytes; false at the end. */
  private boolean advance() throws IOException {
    while (position == current.length) {
      byte[] next = nextPiece();
      if (next == null) {
        return false;
      }
      current = next;
      position = 0;
    }
    return true;
  }
}
