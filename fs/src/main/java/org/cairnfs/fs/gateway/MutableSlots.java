package org.cairnfs.fs.gateway;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Bounds the mutable files (and set-children batches) the gateway holds in memory at once. A
 * mutable file is read and written whole (up to the grid's limit, 16 MiB by default), a batch
 * read whole (up to 16 MiB) and parsed, so without a bound many connections sending one could
 * take the heap; with it, at most {@link #SLOTS} are in memory and the next request waits,
 * then answers 503.
 */
final class MutableSlots {
  static final int SLOTS = 4;
  static final Duration WAIT = Duration.ofSeconds(30);

  private final int count;
  private final Duration wait;
  private final Semaphore slots;

  MutableSlots() {
    this(SLOTS, WAIT);
  }

  MutableSlots(int count, Duration wait) {
    this.count = count;
    this.wait = wait;
    this.slots = new Semaphore(count, true);
  }

  /** Work that holds a mutable file's bytes. */
  @FunctionalInterface
  interface Work<T, E extends Exception> {
    T run() throws E;
  }

  <T, E extends Exception> T hold(Work<T, E> work) throws E {
    try {
      if (!slots.tryAcquire(wait.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new HttpError(HttpResponseStatus.SERVICE_UNAVAILABLE, "too many mutable file"
            + " requests at once (at most " + count + " at a time); try again");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HttpError(HttpResponseStatus.SERVICE_UNAVAILABLE, "interrupted while waiting");
    }
    try {
      return work.run();
    } finally {
      slots.release();
    }
  }
}
