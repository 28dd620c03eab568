package org.cairnfs.fs.grid;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Paces this client's first connection attempts per destination host: a burst at once, then a
 * steady rate; an attempt past it waits its turn, and one whose turn is more than {@link
 * #MAX_WAIT_MILLIS} away is refused (its link backs off as after any failure), so a crowd of
 * links at one host neither queues another there for minutes nor makes an upload that walks
 * past them wait for turns: past the pace they fail at once, like a refused connection. Why: server addresses come from
 * announcements, which anyone who reaches an introducer can sign with a key of their own, and
 * each may list 16 addresses. Without a pace, announcements naming a victim's host made every
 * client connect to it again and again (3 200 connections for one {@code cairn status} with
 * 200 of them; a running node kept reconnecting at 30-50 a second): a reflector for attacks,
 * and a way to spend an honest client's connection allowance at a real storage server. The
 * pace stays below a server's own per-address limits (32 at once, 16 a second). A link that
 * has connected once reconnects to that address unpaced ({@link ServerLink}); {@code cairn
 * status} paces its probes with one of its own.
 *
 * <p>An IP address is one host however it is written ({@code 10.1}, {@code 167772161} and
 * {@code ::ffff:10.0.0.1} all name 10.0.0.1); a name is paced as written (lower case, no final
 * dot) and never resolved here. Loopback addresses are not paced by default: a local grid
 * (the demo's ten servers, tests) connects at once, as a server's limits exempt loopback too.
 * Thread-safe.
 */
public final class ConnectPacer {
  /** Attempts to one host at once, then per second. */
  static final int BURST = 16;
  static final int PER_SECOND = 4;
  /** The longest an attempt waits for its turn; later turns are refused. */
  static final long MAX_WAIT_MILLIS = 250;
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

  public static ConnectPacer defaults() {
    return new ConnectPacer(BURST, PER_SECOND, false, System::nanoTime);
  }

  /** Another pace, on the system clock; {@code paceLoopback} for tests on one machine. */
  public static ConnectPacer of(int burst, int perSecond, boolean paceLoopback) {
    return new ConnectPacer(burst, perSecond, paceLoopback, System::nanoTime);
  }

  /**
   * Milliseconds an attempt to {@code host} must wait before it starts, taking its turn; or -1,
   * taking none, when its turn is more than {@link #MAX_WAIT_MILLIS} away.
   */
  public synchronized long delayMillis(String host) {
    String key = key(host);
    if (!paceLoopback && isLoopback(key)) {
      return 0;
    }
    long now = nanoTime.getAsLong();
    if (emptyAt.size() > SWEEP_OVER) {
      sweep(now);
    }
    long tat = Math.max(emptyAt.getOrDefault(key, now), now);
    long start = Math.max(now, tat - (burst - 1) * intervalNanos);
    long waitMillis = (start - now + 999_999) / 1_000_000;
    if (waitMillis > MAX_WAIT_MILLIS) {
      return -1;
    }
    emptyAt.put(key, tat + intervalNanos);
    return waitMillis;
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

  /**
   * The host an attempt reaches: an IP address literal in its one canonical form (as the JDK
   * reads it when connecting: IPv4 in one to four parts, IPv6 in any spelling, IPv4-mapped
   * IPv6 as IPv4), else the name in lower case without a final dot. Resolves no name.
   */
  static String key(String host) {
    String h = host.startsWith("[") && host.endsWith("]")
        ? host.substring(1, host.length() - 1) : host;
    if (h.indexOf(':') >= 0) {
      try {
        // bracketed, the JDK reads it as an IPv6 literal or refuses it: never a lookup
        return InetAddress.getByName("[" + h + "]").getHostAddress();
      } catch (UnknownHostException | SecurityException e) {
        return h; // not an address: paced as written
      }
    }
    String v4 = ipv4(h);
    if (v4 != null) {
      return v4;
    }
    String name = h.toLowerCase(Locale.ROOT);
    return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
  }

  /**
   * An IPv4 literal as the JDK reads one (one to four decimal parts, the last filling the bytes
   * left: {@code 10.1} is 10.0.0.1) in dotted form; null for anything else.
   */
  private static String ipv4(String h) {
    String[] parts = h.split("\\.", -1);
    if (parts.length > 4) {
      return null;
    }
    long[] v = new long[parts.length];
    for (int i = 0; i < parts.length; i++) {
      String p = parts[i];
      if (p.isEmpty() || p.length() > 10 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
        return null;
      }
      v[i] = Long.parseLong(p);
      long max = i < parts.length - 1 ? 255 : (1L << (8 * (5 - parts.length))) - 1;
      if (v[i] > max) {
        return null;
      }
    }
    long address = v[parts.length - 1];
    for (int i = 0; i < parts.length - 1; i++) {
      address |= v[i] << (8 * (3 - i));
    }
    return (address >>> 24) + "." + ((address >>> 16) & 255) + "." + ((address >>> 8) & 255)
        + "." + (address & 255);
  }

  /** Whether a host {@link #key} names this machine: localhost or a loopback address. */
  static boolean isLoopback(String key) {
    if (key.equals("localhost") || key.equals("0:0:0:0:0:0:0:1")) {
      return true;
    }
    String[] parts = key.split("\\.", -1);
    return parts.length == 4 && parts[0].equals("127");
  }
}
