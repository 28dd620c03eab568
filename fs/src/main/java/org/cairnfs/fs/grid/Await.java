package org.cairnfs.fs.grid;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Blocking waits on network futures, for the client's worker threads only (never an event
 * loop): every wait is bounded, and failures come out as the IOException the network gave.
 */
public final class Await {
  private Await() {}

  /**
   * The future's value within {@code timeout}; its failure unwrapped into an IOException, a
   * timeout as an IOException naming {@code what}.
   */
  public static <T> T get(CompletableFuture<T> future, Duration timeout, String what)
      throws IOException {
    return until(future, System.nanoTime() + timeout.toNanos(), timeout, what);
  }

  /**
   * The future's value by {@code deadline} ({@link System#nanoTime}), as {@link #get}: for
   * futures started together and waited for one after another, each until the same deadline;
   * a timeout names {@code timeout}, the whole wait.
   */
  public static <T> T until(CompletableFuture<T> future, long deadline, Duration timeout,
      String what) throws IOException {
    try {
      return future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
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

  /**
   * Waits until the future is done or {@code deadline} ({@link System#nanoTime}) passes; true if
   * done. Unlike {@link #until}, a future still running is left running (not cancelled), and an
   * interrupt only ends the wait (the flag stays set).
   */
  public static boolean settle(CompletableFuture<?> future, long deadline) {
    try {
      future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      return future.isDone();
    } catch (ExecutionException | java.util.concurrent.CancellationException e) {
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // the next wait reports it
      return future.isDone();
    }
    return true;
  }

  /** The IOException behind a future's failure (unwrapping completion wrappers). */
  public static IOException asIo(Throwable t) {
    Throwable cause = unwrap(t);
    if (cause instanceof ExecutionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause instanceof IOException io ? io : new IOException(cause.toString(), cause);
  }

  /** Strips CompletionException wrappers. */
  public static Throwable unwrap(Throwable t) {
    while (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** A wait on a server ran out. */
  public static final class RequestTimedOutException extends IOException {
    RequestTimedOutException(String message) {
      super(message);
    }
  }
}
