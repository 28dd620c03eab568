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

  private final int burst;
  private final long intervalNanos;
  private final LongSupplier nanoClock;
  private final Map<Object, Long> arrivals = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Object, Long> eldest) {
      return size() > KEYS;
    }
  };

  /** {@code burst} at once, then {@code perSecond}; a rate of zero admits everything. */
  ConnectionRate(int burst, int perSecond, LongSupplier nanoClock) {
    if (burst < 1 || perSecond < 0) {
      throw new IllegalArgumentException("a connection rate needs a burst >= 1 and a rate >= 0");
    }
    this.burst = burst;
    this.intervalNanos = perSecond == 0 ? 0 : 1_000_000_000L / perSecond;
    this.nanoClock = nanoClock;
  }

  /**
   * Takes one new connection for {@code key} and, when it differs, {@code wideKey} (the /48,
   * with {@value ConnectionLimits#WIDE_PREFIX_SHARE} times the burst and rate); false, taking
   * nothing, when either is over its rate.
   */
  boolean take(Object key, Object wideKey) {
    if (intervalNanos == 0) {
      return true;
    }
    long now = nanoClock.getAsLong();
    int share = ConnectionLimits.WIDE_PREFIX_SHARE;
    boolean wide = !wideKey.equals(key);
    if (!allows(key, now, burst, intervalNanos)
        || wide && !allows(wideKey, now, burst * share, intervalNanos / share)) {
      return false;
    }
    advance(key, now, intervalNanos);
    if (wide) {
      advance(wideKey, now, intervalNanos / share);
    }
    return true;
  }

  private boolean allows(Object key, long now, int burst, long interval) {
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
