package org.cairnfs.introducer.client;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Reconnect delays: doubling from {@code min} to {@code max}, each with up to 20% random jitter
 * so many clients of a restarted introducer (or storage server) do not reconnect in lockstep.
 */
public final class Backoff {
  private final long minMillis;
  private final long maxMillis;
  private long next;

  public Backoff(Duration min, Duration max) {
    this.minMillis = Math.max(1, min.toMillis());
    this.maxMillis = Math.max(minMillis, max.toMillis());
    this.next = minMillis;
  }

  /** The delay before the next attempt (then doubles). */
  public synchronized long nextMillis() {
    long base = next;
    next = Math.min(maxMillis, next * 2);
    return jittered(base);
  }

  /** {@code base} less up to a fifth of it at random. */
  public static long jittered(long base) {
    long jitter = base / 5;
    return base - (jitter == 0 ? 0 : ThreadLocalRandom.current().nextLong(jitter + 1));
  }

  /** Back to {@code min} after a success. */
  public synchronized void reset() {
    next = minMillis;
  }

  /** The configured range, from which each introducer link gets its own backoff. */
  record Settings(Duration min, Duration max) {
    static final Settings DEFAULT = new Settings(Duration.ofMillis(500), Duration.ofMinutes(2));

    /** Validates the range, naming the bad value. */
    Settings {
      GridMembership.Builder.positive(min, "min backoff");
      GridMembership.Builder.positive(max, "max backoff");
      if (max.compareTo(min) < 0) {
        throw new IllegalArgumentException("max backoff " + max + " is below min backoff " + min);
      }
    }

    Backoff create() {
      return new Backoff(min, max);
    }
  }
}
