package org.cairnfs.fs.grid;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Paces this client's connection attempts per destination host: a burst at once, then a steady
 * rate; an attempt past it waits its turn (never fails for it). Why: server addresses come from
 * announcements, which anyone who reaches an introducer can sign with a key of their own, and
 * each may list 16 addresses. Without a pace, announcements naming a victim's host made every
 * client connect to it again and again (3 200 connections for one {@code cairn status} with
 * 200 of them; a running node kept reconnecting at 30-50 a second): a reflector for attacks,
 * and a way to spend an honest client's connection allowance at a real storage server, whose
 * per-address rate limit then refused the client's genuine link. The pace stays below a
 * server's own per-address limits (32 at once, 16 a second), so a client never trips them.
 *
 * <p>Hosts are paced as announced (a name is not resolved first). Loopback hosts are not
 * paced by default: a local grid (the demo's ten servers, tests) connects at once, and a
 * server's limits exempt loopback too. Thread-safe.
 */
final class ConnectPacer {
  /** Attempts to one host at once, then per second. */
  static final int BURST = 16;
  static final int PER_SECOND = 4;
  private static final int SWEEP_OVER = 1024;

  private final long burst;
  private final long intervalNanos;
  private final boolean paceLoopback;
  private final LongSupplier nanoTime;
  /** Per host: when its bucket is empty again ("theoretical arrival time"), in nanoTime. */
  private final Map<String, Long> emptyAt = new HashMap<>();

  ConnectPacer(int burst, int perSecond, boolean paceLoopback, LongSupplier nanoTime) {
    if (burst < 1 || perSecond < 1) {
      throw new IllegalArgumentException("burst and rate must be positive");
    }
    this.burst = burst;
    this.intervalNanos = 1_000_000_000L / perSecond;
    this.paceLoopback = paceLoopback;
    this.nanoTime = nanoTime;
  }

  static ConnectPacer defaults() {
    return new ConnectPacer(BURST, PER_SECOND, false, System::nanoTime);
  }

  /** Milliseconds an attempt to {@code host} must wait before it starts; takes its turn. */
  synchronized long delayMillis(String host) {
    if (!paceLoopback && isLoopback(host)) {
      return 0;
    }
    long now = nanoTime.getAsLong();
    if (emptyAt.size() > SWEEP_OVER) {
      sweep(now);
    }
    long tat = Math.max(emptyAt.getOrDefault(host, now), now);
    long start = Math.max(now, tat - (burst - 1) * intervalNanos);
    emptyAt.put(host, tat + intervalNanos);
    return (start - now + 999_999) / 1_000_000;
  }

  /** Forgets hosts whose bucket is full again (they would start at once anyway). */
  private void sweep(long now) {
    Iterator<Long> it = emptyAt.values().iterator();
    while (it.hasNext()) {
      if (it.next() <= now) {
        it.remove();
      }
    }
  }

  /** Whether {@code host} names this machine: localhost, or a loopback address literal. */
  static boolean isLoopback(String host) {
    String h = host.startsWith("[") && host.endsWith("]")
        ? host.substring(1, host.length() - 1) : host;
    if (h.equalsIgnoreCase("localhost") || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1")) {
      return true;
    }
    String[] parts = h.split("\\.", -1);
    if (parts.length != 4 || !parts[0].equals("127")) {
      return false;
    }
    for (String p : parts) {
      if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)
          || Integer.parseInt(p) > 255) {
        return false;
      }
    }
    return true;
  }
}
