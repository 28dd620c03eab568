package org.cairnfs.introducer.server;

import java.time.Duration;
import java.time.Instant;

/**
 * {@code burst} at once, then one per {@code interval} (a zero interval never refuses): the
 * generic cell rate algorithm, kept as one theoretical arrival time per thing counted. Used for
 * a node's publishes and for the signature checks of {@link SignatureBudget}.
 */
record CellRate(int burst, Duration interval) {
  CellRate {
    if (burst < 1 || interval.isNegative()) {
      throw new IllegalArgumentException("a rate needs a burst >= 1 and an interval >= 0");
    }
  }

  static CellRate perSecond(int burst, int perSecond) {
    return new CellRate(burst, perSecond == 0 ? Duration.ZERO
        : Duration.ofNanos(1_000_000_000L / perSecond));
  }

  /**
   * {@code arrival} as this rate may hold it at {@code now}: never more than a spent burst
   * ahead. Only a clock stepped back puts it further, and that must cost a spent budget, not
   * refusals for as long as the step.
   */
  Instant clamp(Instant arrival, Instant now) {
    Instant cap = now.plus(interval.multipliedBy(burst));
    return arrival != null && arrival.isAfter(cap) ? cap : arrival;
  }

  /**
   * The next theoretical arrival time if one more is taken at {@code now} after {@code arrival}
   * (null: none yet), or null when the burst is spent.
   */
  Instant next(Instant arrival, Instant now) {
    return wait(arrival, now).isZero() ? later(arrival, now).plus(interval) : null;
  }

  /** How long after {@code now} one more may be taken after {@code arrival}; zero: at once. */
  Duration wait(Instant arrival, Instant now) {
    Duration over = Duration.between(now, later(arrival, now))
        .minus(interval.multipliedBy(burst - 1L));
    return over.isNegative() ? Duration.ZERO : over;
  }

  private static Instant later(Instant arrival, Instant now) {
    return arrival == null || arrival.isBefore(now) ? now : arrival;
  }
}
