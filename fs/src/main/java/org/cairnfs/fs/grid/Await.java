package org.cairnfs.fs.grid;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Blocking waits on network futures, from worker threads only (never an event loop). */
final class Await {
  private Await() {}

  /**
   * The future's value within {@code timeout}; its failure unwrapped into an IOException, a
   * timeout as an IOException naming {@code what}.
   */
  static <T> T get(CompletableFuture<T> future, Duration timeout, String what)
      throws IOException {
    try {
      return future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      future.cancel(false);
      throw new RequestTimedOutException(what + " got no answer within " + timeout.toMillis()
          + " ms");
    } catch (ExecutionException e) {
      throw asIo(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for " + what);
    }
  }

  static IOException asIo(Throwable t) {
    Throwable cause = ServerLink.unwrap(t);
    if (cause instanceof ExecutionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause instanceof IOException io ? io : new IOException(cause.toString(), cause);
  }

  /** A wait on a server ran out. */
  static final class RequestTimedOutException extends IOException {
    RequestTimedOutException(String message) {
      super(message);
    }
  }
}
