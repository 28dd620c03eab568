package org.cairnfs.storage.gc;

import java.time.Duration;

/** Waits; behind an interface so tests can check the crawl rate without sleeping. */
@FunctionalInterface
public interface Pacer {
  void pause(Duration duration) throws InterruptedException;

  /**
   * Sleeps the calling thread in whole milliseconds: pauses shorter than one add up until they
   * make one (the JDK's sleep rounds any part of a millisecond up to a whole one, so 50 us
   * pauses slept one by one ran twenty times slower than asked). One per thread.
   */
  static Pacer sleeping() {
    long[] owedNanos = {0};
    return d -> {
      owedNanos[0] += d.toNanos();
      if (owedNanos[0] >= 1_000_000) {
        long millis = owedNanos[0] / 1_000_000;
        owedNanos[0] -= millis * 1_000_000;
        Thread.sleep(millis);
      }
    };
  }
}
