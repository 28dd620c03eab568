package org.cairnfs.fs.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;

/**
 * A request body as an {@link InputStream} for the worker that uploads it: the event loop offers
 * the body's buffers, the worker reads them. At most {@code limit} bytes wait between the two;
 * past that the socket is not read (TCP pushes back on the client) until the worker has taken
 * half of them. A closed connection fails the reader.
 */
final class BodyStream extends InputStream {
  private final Channel channel;
  private final int limit;
  private final ArrayDeque<ByteBuf> queue = new ArrayDeque<>();
  private long buffered;
  private long total;
  private boolean ended;
  private boolean paused;
  private IOException failure;
  private boolean closed;
  private SlotPace pace;
  private long paceStart;

  BodyStream(Channel channel, int limit) {
    this.channel = channel;
    this.limit = limit;
  }

  /** From the event loop: the next piece of the body (this stream takes ownership). */
  synchronized void offer(ByteBuf buf) {
    if (closed || ended) {
      buf.release();
      return;
    }
    queue.add(buf);
    buffered += buf.readableBytes();
    if (buffered >= limit && !paused) {
      paused = true;
      channel.config().setAutoRead(false);
    }
    notifyAll();
  }

  /** From the event loop: the body is complete. */
  synchronized void end() {
    ended = true;
    notifyAll();
  }

  /** The connection closed or failed before the body ended. */
  synchronized void fail(IOException e) {
    if (failure == null) { // after the end, read answers -1 before it looks here
      failure = e;
    }
    notifyAll();
  }

  /** From now on (until called with null) the body must keep {@code p}, from {@code start}. */
  synchronized void paceWith(SlotPace p, long start) {
    pace = p;
    paceStart = start;
  }

  /** Whether this side stopped reading the socket because the worker is behind. */
  synchronized boolean paused() {
    return paused;
  }

  synchronized long bytesRead() {
    return total;
  }

  synchronized boolean ended() {
    return ended;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public synchronized int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    while (queue.isEmpty()) {
      if (closed) {
        throw new IOException("body stream closed");
      }
      if (ended) {
        return -1;
      }
      if (failure != null) {
        throw failure;
      }
      long wait = 1000;
      if (pace != null) {
        long left = pace.deadline(paceStart, total) - System.nanoTime();
        if (left <= 0) {
          throw pace.bodyTooSlow();
        }
        wait = Math.max(1, Math.min(wait, left / 1_000_000));
      }
      try {
        wait(wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted reading a request body");
      }
    }
    ByteBuf head = queue.peek();
    int n = Math.min(len, head.readableBytes());
    head.readBytes(b, off, n);
    if (!head.isReadable()) {
      queue.poll().release();
    }
    buffered -= n;
    total += n;
    if (paused && buffered <= limit / 2 && !ended) {
      paused = false;
      channel.config().setAutoRead(true);
    }
    return n;
  }

  @Override
  public synchronized void close() {
    closed = true;
    while (!queue.isEmpty()) {
      queue.poll().release();
    }
    buffered = 0;
    notifyAll();
  }
}
