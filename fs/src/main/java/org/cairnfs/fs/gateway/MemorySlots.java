package org.cairnfs.fs.gateway;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Bounds the requests that hold something large in memory at once: mutable files and
 * set-children batches (4 slots together), directory listings (4). A mutable file is read and
 * written whole (up to the grid's limit, 16 MiB by default), a batch read whole (up to 16 MiB)
 * and parsed, a listing page held and rendered whole, so without a bound many connections
 * asking for one could take the heap; with it, at most that many are in memory and the next
 * request waits, then answers 503. A request holding a slot must keep its client's {@link SlotPace}, or its
 * connection is closed (an answer it does not read) or answered 408 (a body it trickles).
 */
final class MemorySlots {
  static final int SLOTS = 4;
  static final int LISTINGS = 4;
  static final Duration WAIT = Duration.ofSeconds(30);

  private final int perAddress;
  private final java.util.Map<Object, Integer> byAddress = new java.util.HashMap<>();
  private final Duration wait;
  private final Semaphore slots;
  private final SlotPace pace;
  /** The 503 messages: all slots taken, this address's half taken. */
  private final String busy;
  private final String busyFromAddress;

  /** The slots of mutable files and set-children batches. */
  static MemorySlots forMutables(SlotPace pace) {
    return new MemorySlots("mutable file requests", SLOTS, WAIT, pace);
  }

  /** The slots of directory listings. */
  static MemorySlots forListings(SlotPace pace) {
    return new MemorySlots("directory listings", LISTINGS, WAIT, pace);
  }

  /** {@code what} names the requests in the 503's message. */
  MemorySlots(String what, int count, Duration wait, SlotPace pace) {
    this.perAddress = Math.max(1, count / 2);
    this.wait = wait;
    this.slots = new Semaphore(count, true);
    this.pace = pace;
    this.busy = "too many " + what + " at once (at most " + count + " at a time); try again";
    this.busyFromAddress = "too many " + what + " from your address at once (at most "
        + perAddress + " at a time); try again";
  }

  /** Work that holds something large in memory: a mutable file, a batch, a listing page. */
  @FunctionalInterface
  interface Work<T, E extends Exception> {
    T run() throws E;
  }

  /** Runs {@code work}, which moves no bytes to or from a client, holding a slot. */
  <T, E extends Exception> T hold(Work<T, E> work) throws E {
    return hold(null, null, work);
  }

  /**
   * Runs {@code work} holding a slot; while it does, {@code ex}'s body and answer must keep the
   * pace (null: no client I/O in the work). One client address (not loopback) holds at most
   * half of the slots: its next request waits for one of its own to end.
   */
  <T, E extends Exception> T hold(Exchange ex, Work<T, E> work) throws E {
    return hold(ex == null ? null : ex.clientAddressKey(), ex, work);
  }

  /** {@link #hold(Exchange, Work)} for a request from {@code who} (null: not limited). */
  <T, E extends Exception> T hold(Object who, Exchange ex, Work<T, E> work) throws E {
    long deadline = System.nanoTime() + wait.toNanos();
    if (who != null) {
      awaitOrBusy(() -> enter(who, deadline), busyFromAddress);
    }
    try {
      awaitOrBusy(() -> slots.tryAcquire(deadline - System.nanoTime(), TimeUnit.NANOSECONDS),
          busy);
      if (ex != null) {
        ex.paceWith(pace);
      }
      try {
        return work.run();
      } finally {
        if (ex != null) {
          ex.paceWith(null);
        }
        slots.release();
      }
    } finally {
      if (who != null) {
        leave(who);
      }
    }
  }

  /** A wait that may time out (false). */
  @FunctionalInterface
  private interface Wait {
    boolean await() throws InterruptedException;
  }

  /** Returns once {@code w} got its turn; else 503 with {@code busy}, or on an interrupt. */
  private static void awaitOrBusy(Wait w, String busy) {
    try {
      if (!w.await()) {
        throw new HttpError(HttpResponseStatus.SERVICE_UNAVAILABLE, busy);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HttpError(HttpResponseStatus.SERVICE_UNAVAILABLE, "interrupted while waiting");
    }
  }

  private synchronized boolean enter(Object who, long deadline) throws InterruptedException {
    while (byAddress.getOrDefault(who, 0) >= perAddress) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
    }
    byAddress.merge(who, 1, Integer::sum);
    return true;
  }

  private synchronized void leave(Object who) {
    byAddress.computeIfPresent(who, (k, n) -> n == 1 ? null : n - 1);
    notifyAll();
  }
}
