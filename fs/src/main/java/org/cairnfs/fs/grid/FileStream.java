package org.cairnfs.fs.grid;

import java.io.IOException;
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
final class FileStream extends PieceStream {
  private static final int QUEUED_SEGMENTS = 3;
  private static final Object END = new Object();

  private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(QUEUED_SEGMENTS);
  private volatile boolean closed;
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
  protected byte[] nextPiece() throws IOException {
    if (ended) {
      return null;
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
      return null;
    }
    if (next instanceof IOException e) {
      ended = true;
      throw e;
    }
    if (next instanceof RuntimeException e) {
      ended = true;
      throw new IOException(e.toString(), e);
    }
    return (byte[]) next;
  }

  @Override
  public void close() {
    closed = true;
    queue.clear();
  }
}
