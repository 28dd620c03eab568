package org.cairnfs.fs.mount;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * A byte range of a file as a stream over {@link GridBackend#read}, one request of
 * {@link #STEP} bytes ahead of the reader: the fallback for grids without a streaming reader of
 * their own. Memory: two steps.
 */
final class SequentialReads extends InputStream {
  static final int STEP = 1 << 20;

  private final GridBackend grid;
  private final String cap;
  private final long end;
  private long next;
  private CompletableFuture<byte[]> ahead;
  private byte[] current = new byte[0];
  private int pos;

  SequentialReads(GridBackend grid, String cap, long offset, long length) {
    if (offset < 0 || length < 0) {
      throw new IllegalArgumentException("bad range " + offset + "+" + length);
    }
    this.grid = grid;
    this.cap = cap;
    this.next = offset;
    this.end = length > Long.MAX_VALUE - offset ? Long.MAX_VALUE : offset + length;
    this.ahead = fetch();
  }

  private CompletableFuture<byte[]> fetch() {
    if (next >= end) {
      return null;
    }
    int n = (int) Math.min(STEP, end - next);
    CompletableFuture<byte[]> f = grid.read(cap, next, n);
    next += n;
    return f;
  }

  private boolean fill() throws IOException {
    while (pos == current.length) {
      if (ahead == null) {
        return false;
      }
      try {
        current = ahead.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new java.io.InterruptedIOException("interrupted reading " + cap);
      } catch (ExecutionException e) {
        throw new IOException("reading from the grid failed: " + e.getCause().getMessage(),
            e.getCause());
      }
      pos = 0;
      ahead = current.length < STEP ? null : fetch();
      if (current.length == 0) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int read() throws IOException {
    return fill() ? current[pos++] & 0xff : -1;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    if (!fill()) {
      return -1;
    }
    int n = Math.min(len, current.length - pos);
    System.arraycopy(current, pos, b, off, n);
    pos += n;
    return n;
  }

  @Override
  public void close() {
    if (ahead != null) {
      ahead.cancel(false);
      ahead = null;
    }
  }
}
