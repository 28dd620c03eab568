package org.cairnfs.introducer.server;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * How many published announcements each peer address may have checked: {@code burst} at once,
 * then one per {@code interval} (a generic cell rate algorithm per address). A signature check
 * costs the introducer far more CPU than the frame costs its sender, and a forged or replayed
 * announcement costs as much as a good one, so without this one peer could keep the
 * introducer's cores busy verifying. Checked before the signature. Thread-safe; entries of
 * addresses whose budget is whole again are swept once a minute, so memory follows the
 * addresses publishing now.
 */
final class SignatureBudget {
  private static final Duration SWEEP_EVERY = Duration.ofMinutes(1);

  private final int burst;
  private final Duration interval;
  private final Map<Object, Instant> theoreticalArrival = new HashMap<>();
  private Instant lastSweep = Instant.MIN;

  SignatureBudget(int burst, Duration interval) {
    this.burst = burst;
    this.interval = interval;
  }

  /** Takes one check for {@code address} at {@code now}; false when its budget is spent. */
  synchronized boolean take(Object address, Instant now) {
    if (interval.isZero()) {
      return true;
    }
    sweep(now);
    Instant tat = theoreticalArrival.getOrDefault(address, now);
    if (tat.isBefore(now)) {
      tat = now;
    }
    if (Duration.between(now, tat).compareTo(interval.multipliedBy(burst - 1L)) > 0) {
      return false;
    }
    theoreticalArrival.put(address, tat.plus(interval));
    return true;
  }

  /** Addresses with a budget in use (tests). */
  synchronized int tracked() {
    return theoreticalArrival.size();
  }

  private void sweep(Instant now) {
    if (Duration.between(lastSweep, now).compareTo(SWEEP_EVERY) < 0
        && !lastSweep.equals(Instant.MIN)) {
      return;
    }
    lastSweep = now;
    theoreticalArrival.values().removeIf(tat -> !tat.isAfter(now));
  }
}
