package org.cairnfs.protocol.server;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * How often one peer address (IPv6: /64) and one IPv6 /48 may open a new connection: a burst,
 * then a steady rate (the generic cell rate algorithm, one theoretical arrival time per key).
 *
 * <p>Why: the connection limits bound how many connections a peer holds, not how fast it opens
 * them, and every connection admitted costs the server a TLS handshake (key exchange and
 * signature) before the peer has proven anything. One address closing and reopening in a loop
 * could keep a core busy with handshakes. A connection over the rate is closed at accept,
 * before any TLS work. A /48 may open {@value ConnectionLimits#WIDE_PREFIX_SHARE} times an
 * address's rate, as it may hold that many addresses' connections. Not thread-safe: {@link
 * ConnectionLimits} calls it under its lock.
 */
final class ConnectionRate {
  /** Keys remembered (least recently used forgotten first: it then starts a fresh burst). */
  static final int KEYS = 16_384;
  /** Largest burst and rate: beyond any peer's honest use, far from overflowing the sums. */
  static final int MAX = 1_000_000;

  private final int burst;
  private final long intervalNanos;
  /** The /48's: a quarter of an address's, rounded up so it never reaches zero. */
  private final long wideIntervalNanos;
  private final LongSupplier nanoClock;
  private final Map<Object, Long> arrivals = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Object, Long> eldest) {
      return size() > KEYS;
    }
  };

  /** {@code burst} at once, then {@code perSecond}; a rate of zero admits everything. */
  ConnectionRate(int burst, int perSecond, LongSupplier nanoClock) {
    if (burst < 1 || burst > MAX || perSecond < 0 || perSecond > MAX) {
      throw new IllegalArgumentException("a connection rate needs a burst in 1.." + MAX
          + " and a rate in 0.." + MAX + ", got " + burst + " and " + perSecond);
    }
    this.burst = burst;
    this.intervalNanos = perSecond == 0 ? 0 : 1_000_000_000L / perSecond;
    int share = ConnectionLimits.WIDE_PREFIX_SHARE;
    this.wideIntervalNanos = (intervalNanos + share - 1) / share;
    this.nanoClock = nanoClock;
  }

  /**
   * Whether one more new connection for {@code key} and, when it differs, {@code wideKey} (the
   * /48, with {@value ConnectionLimits#WIDE_PREFIX_SHARE} times the burst and rate) is within
   * their rates now. Takes nothing: {@link #take} does, once the connection is admitted.
   */
  boolean allows(Object key, Object wideKey) {
    if (intervalNanos == 0) {
      return true;
    }
    long now = nanoClock.getAsLong();
    long wideBurst = (long) burst * ConnectionLimits.WIDE_PREFIX_SHARE;
    return allows(key, now, burst, intervalNanos)
        && (wideKey.equals(key) || allows(wideKey, now, wideBurst, wideIntervalNanos));
  }

  /** Counts one new connection for {@code key} and {@code wideKey}, admitted after allows. */
  void take(Object key, Object wideKey) {
    if (intervalNanos == 0) {
      return;
    }
    long now = nanoClock.getAsLong();
    advance(key, now, intervalNanos);
    if (!wideKey.equals(key)) {
      advance(wideKey, now, wideIntervalNanos);
    }
  }

  private boolean allows(Object key, long now, long burst, long interval) {
    return from(key, now) - now <= (burst - 1) * interval;
  }

  private void advance(Object key, long now, long interval) {
    arrivals.put(key, from(key, now) + interval);
  }

  /** The key's theoretical arrival time, or now when that is past (or unknown). */
  private long from(Object key, long now) {
    Long arrival = arrivals.get(key);
    return arrival == null || arrival - now < 0 ? now : arrival;
  }

  /** Keys remembered (tests: bounded whatever the number of peers). */
  int keys() {
    return arrivals.size();
  }
}
