package org.cairnfs.fs.grid;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.cairnfs.caps.immutable.ShareLayout;

/**
 * A byte range of an {@link ImmutableFile} as a stream: a worker decodes segment after segment
 * into a small bounded queue while the caller consumes, so verifying and decrypting overlap
 * with whatever the caller does with the bytes (writing a file, a socket). Memory: the queue
 * (a few segments) plus the file's read-ahead.
 */
final class FileStream extends InputStream {
  private static final int QUEUED_SEGMENTS = 3;
  private static final Object END = new Object();
  /** Largest {@code readNBytes} answered with one array of the length asked. */
  static final int EXACT_LIMIT = 4 << 20;

  private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(QUEUED_SEGMENTS);
  private volatile boolean closed;
  private byte[] current;
  private int position;
  private boolean ended;

  FileStream(ImmutableFile file, long offset, long end, Executor executor) {
    if (offset >= end) {
      queue.add(END);
      return;
    }
    executor.execute(() -> produce(file, offset, end));
  }

  private void produce(ImmutableFile file, long offset, long end) {
    try {
      ShareLayout layout = file.layout();
      int segmentSize = layout.params().segmentSize();
      int first = (int) (offset / segmentSize);
      int last = (int) ((end - 1) / segmentSize);
      for (int s = first; s <= last && !closed; s++) {
        byte[] segment = file.streamSegment(s, last);
        long segStart = (long) s * segmentSize;
        int from = (int) (Math.max(offset, segStart) - segStart);
        int to = (int) (Math.min(end, segStart + segment.length) - segStart);
        byte[] slice = from == 0 && to == segment.length ? segment
            : java.util.Arrays.copyOfRange(segment, from, to);
        if (!offer(slice)) {
          return;
        }
      }
      offer(END);
    } catch (IOException | RuntimeException e) {
      offer(e);
    }
  }

  /**
   * Queues an item unless the stream was closed meanwhile. An interrupted worker (the client's
   * workers stopping) queues a failure in place of what is still queued, so that the reader
   * fails instead of waiting for segments nobody will queue.
   */
  private boolean offer(Object item) {
    try {
      while (!closed) {
        if (queue.offer(item, 100, TimeUnit.MILLISECONDS)) {
          return true;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      queue.clear();
      queue.offer(item instanceof IOException ? item
          : new InterruptedIOException("the stream's worker was stopped"));
    }
    return false;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] dst, int off, int len) throws IOException {
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
   * As {@link InputStream#readNBytes(int)}; a request for exactly the next segment, untouched,
   * gets that segment itself (the decoder made it for this stream, which lets go of it), so a
   * reader asking segment by segment takes every byte without a copy.
   */
  @Override
  public byte[] readNBytes(int len) throws IOException {
    if (len < 0) {
      throw new IllegalArgumentException("len < 0");
    }
    if (len > 0 && advance() && position == 0 && current.length == len) {
      byte[] whole = current;
      current = null;
      return whole;
    }
    if (len > EXACT_LIMIT) {
      return super.readNBytes(len); // readAllBytes asks for Integer.MAX_VALUE
    }
    byte[] out = new byte[len];
    int n = readNBytes(out, 0, len);
    return n == len ? out : java.util.Arrays.copyOf(out, n);
  }

  /** Makes {@code current} hold unread bytes; false at the end. */
  private boolean advance() throws IOException {
    while (current == null || position == current.length) {
      if (ended) {
        return false;
      }
      if (closed) {
        throw new IOException("stream closed");
      }
      Object next;
      try {
        next = queue.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while reading");
      }
      if (next == END) {
        ended = true;
        return false;
      }
      if (next instanceof IOException e) {
        ended = true;
        throw e;
      }
      if (next instanceof RuntimeException e) {
        ended = true;
        throw new IOException(e.toString(), e);
      }
      current = (byte[]) next;
      position = 0;
    }
    return true;
  }

  @Override
  public void close() {
    closed = true;
    queue.clear();
  }
}
