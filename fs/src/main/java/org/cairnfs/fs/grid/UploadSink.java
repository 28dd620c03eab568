package org.cairnfs.fs.grid;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.caps.share.ShareSink;
import org.cairnfs.protocol.client.StorageClient;
import org.cairnfs.protocol.identity.NodeId;

/**
 * One share streaming to one server while the encoder produces it: writes are coalesced into
 * chunks ({@link WriteCoalescer}) and sent pipelined, with at most {@code window} unacknowledged
 * bytes in flight; the encoder waits only when the window is full.
 *
 * <p>A failed write, or no acknowledgement for the stall timeout while the window is full, fails
 * the sink: the server's open upload is aborted, later writes are dropped at once (the encoder
 * goes on for the other shares), and the upload re-places this share elsewhere. {@link #close()}
 * sends what is buffered but does not close the share on the server: the upload closes shares
 * only once it knows enough of them are complete, so a failed upload leaves nothing visible.
 * Public for repair ({@code fs.health}), which streams rebuilt shares the same way.
 */
public final class UploadSink implements ShareSink {
  private final NodeId server;
  private final StorageClient client;
  private final StorageIndex index;
  private final int share;
  private final int window;
  private final long stallNanos;
  private final WriteCoalescer coalescer;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private long inFlight;
  private long sent;
  private long lastProgress = System.nanoTime();
  private IOException failure;
  private boolean finished;

  /**
   * A sink for share {@code share} of {@code index}, allocated on {@code server} beforehand;
   * writes coalesce into {@code chunk}-byte requests with at most {@code window} bytes unanswered.
   */
  public UploadSink(NodeId server, StorageClient client, StorageIndex index, int share, int chunk,
      int window, Duration stall) {
    this.server = server;
    this.client = client;
    this.index = index;
    this.share = share;
    this.window = window;
    this.stallNanos = stall.toNanos();
    this.coalescer = new WriteCoalescer(chunk, Math.max(chunk, window / 2), this::send);
  }

  public NodeId server() {
    return server;
  }

  public int share() {
    return share;
  }

  @Override
  public void write(long offset, byte[] data, int off, int len) {
    if (failed()) {
      return;
    }
    try {
      coalescer.write(offset, data, off, len);
    } catch (IOException e) {
      fail(e);
    }
  }

  /** The encoder is done with this share: send what is buffered (the share stays open). */
  @Override
  public void close() {
    if (!failed()) {
      try {
        coalescer.flush();
      } catch (IOException e) {
        fail(e);
      }
    }
    lock.lock();
    try {
      finished = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits until every byte sent was acknowledged (then returns normally) or the sink failed
   * (then throws why). Stalls count as failures.
   */
  public void awaitWritten() throws IOException {
    lock.lock();
    try {
      if (!finished) {
        throw new IllegalStateException("share " + share + " is still being encoded");
      }
      while (failure == null && inFlight > 0) {
        if (!awaitProgress()) {
          fail(new IOException("server " + server.shortForm() + " acknowledged nothing for "
              + Duration.ofNanos(stallNanos).toSeconds() + " s"));
        }
      }
      if (failure != null) {
        throw failure;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for share " + share, e);
    } finally {
      lock.unlock();
    }
  }

  /** Bytes acknowledged so far plus those in flight. */
  long bytesSent() {
    lock.lock();
    try {
      return sent;
    } finally {
      lock.unlock();
    }
  }

  boolean failed() {
    lock.lock();
    try {
      return failure != null;
    } finally {
      lock.unlock();
    }
  }

  /** Why the sink failed, or null. */
  IOException failure() {
    lock.lock();
    try {
      return failure;
    } finally {
      lock.unlock();
    }
  }

  /** Fails the sink (first cause wins) and aborts the server's open upload. */
  void fail(IOException cause) {
    lock.lock();
    try {
      if (failure != null) {
        return;
      }
      failure = cause;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    abortOnServer();
  }

  /** Drops the open upload on the server (best effort; the server also drops it on disconnect). */
  void abortOnServer() {
    if (client.connection().isOpen()) {
      client.abortShare(index, share).exceptionally(e -> null);
    }
  }

  private void send(long offset, byte[] data, int length) throws IOException {
    lock.lock();
    try {
      while (failure == null && inFlight > 0 && inFlight + length > window) {
        if (!awaitProgress()) {
          IOException stalled = new IOException("server " + server.shortForm()
              + " acknowledged no write for " + Duration.ofNanos(stallNanos).toSeconds()
              + " s with " + inFlight + " bytes in flight");
          failure = stalled;
          changed.signalAll();
          lock.unlock();
          try {
            abortOnServer();
          } finally {
            lock.lock();
          }
        }
      }
      if (failure != null) {
        return;
      }
      if (inFlight == 0) {
        lastProgress = System.nanoTime();
      }
      inFlight += length;
      sent += length;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while sending share " + share, e);
    } finally {
      lock.unlock();
    }
    // the coalescer's run is ours (WriteCoalescer.Out owns it): sent as it is, not copied, and
    // kept for another run once answered
    client.writeChunkOwned(index, share, offset, data, length).whenComplete((ok, error) -> {
      if (error == null) {
        coalescer.giveBack(data);
      }
      IOException failed = null;
      if (error != null) {
        Throwable cause = Await.unwrap(error);
        failed = cause instanceof IOException io ? io
            : new IOException("writing share " + share + " to " + server.shortForm() + ": "
                + cause, cause);
      }
      // the failure is recorded with the answer, under one lock: a waiter that sees nothing in
      // flight must also see why the last write failed (it once returned as if all was written)
      boolean first = false;
      lock.lock();
      try {
        inFlight -= length;
        lastProgress = System.nanoTime();
        if (failed != null && failure == null) {
          failure = failed;
          first = true;
        }
        changed.signalAll();
      } finally {
        lock.unlock();
      }
      if (first) {
        abortOnServer();
      }
    });
  }

  /**
   * Waits for any change while bytes are in flight; false when nothing was acknowledged for the
   * stall timeout. Call locked.
   */
  private boolean awaitProgress() throws InterruptedException {
    long deadline = lastProgress + stallNanos;
    long left = deadline - System.nanoTime();
    if (left <= 0) {
      return false;
    }
    changed.await(Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)), TimeUnit.NANOSECONDS);
    return true;
  }
}
