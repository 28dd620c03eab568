package org.cairnfs.protocol.server;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.cairnfs.protocol.identity.NodeId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How many connections the server holds: in all, per peer address, and per client node id.
 *
 * <p>Why: every connection costs a descriptor, TLS state and its share of the buffer budgets,
 * and before this a peer could open as many as it liked. The address limit is the one a
 * stranger cannot dodge cheaply (node ids are free to mint); IPv6 peers are counted per /64,
 * since one host is usually given a whole /64, and a /48 together may hold {@value
 * #WIDE_PREFIX_SHARE} times an address's connections, since one customer is often given a /56
 * or a /48 (256 or 65 536 /64s, enough to take every connection). The total and address limits, and the
 * address's rate of new connections ({@link ConnectionRate}), apply when the TCP connection is accepted (it is closed at once, before any TLS work), the node-id limit
 * once TLS proves the id (the client is then told BUSY). Connections from the loopback
 * address are by default exempt from the per-address count and rate (they come from this machine,
 * where a demo grid runs hundreds of nodes against one introducer); they still share one
 * address's memory budgets.
 *
 * <p>When every connection is taken, a newcomer is not simply refused: if some other address
 * (IPv6: /48) holds at least two more connections than the newcomer's, the oldest connection of
 * the one holding most is closed to make room, at most once a second for each newcomer address
 * (/48) and with at most max / 16 such closes under way. So attackers who fill the server from
 * a few dozen addresses cannot keep out a client with fewer connections; they would need about
 * as many IPv4 addresses or IPv6 /48s as there are connections. The price: on a server full of
 * honest connections, a peer can have one of them closed per second per address it comes
 * from, where before it was refused. Thread-safe.
 */
final class ConnectionLimits {
  private static final Logger log = LoggerFactory.getLogger(ConnectionLimits.class);
  private static final long WARN_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);
  /** Connections an IPv6 /48 may hold, in addresses' worth. */
  static final int WIDE_PREFIX_SHARE = 4;
  /** A newcomer group may have one connection evicted for it per this long. */
  static final long EVICTION_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
  /** Newcomer groups whose last eviction time is kept (older ones are long past the interval). */
  private static final int EVICTION_MEMORY = 4096;

  private final int max;
  private final int perAddress;
  private final int perNode;
  private final long addressRequestBytes;
  private final long addressResponseBytes;
  private final boolean loopbackExempt;
  private final ConnectionRate rate;
  private final Map<Object, Address> byAddress = new HashMap<>();
  private final Map<NodeId, Integer> byNode = new HashMap<>();
  /** Connections per IPv6 /48 (for other addresses the same key as {@link #byAddress}). */
  private final Map<Object, Integer> byWidePrefix = new HashMap<>();
  /** Per IPv6 /48 (else address): connections a newcomer may evict, oldest first. */
  private final Map<Object, Set<Runnable>> evictable = new HashMap<>();
  /** Connections told to close for a newcomer and not yet released: no longer counted as held. */
  private final Set<Runnable> evictedNotReleased = new HashSet<>();
  private int total;
  private long refused;
  private long evicted;
  /** When each newcomer group (IPv6 /48, else address) last had a connection evicted for it. */
  private final Map<Object, Long> lastEvictionFor = new LinkedHashMap<>(16, 0.75f,
      true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Object, Long> eldest) {
      return size() > EVICTION_MEMORY;
    }
  };
  private long lastEvictWarnNanos = System.nanoTime() - WARN_EVERY_NANOS;
  private long lastWarnNanos = System.nanoTime() - WARN_EVERY_NANOS;

  ConnectionLimits(int max, int perAddress, int perNode, long addressRequestBytes,
      long addressResponseBytes, boolean loopbackExempt, ConnectionRate rate) {
    this.loopbackExempt = loopbackExempt;
    this.rate = rate;
    this.max = max;
    this.perAddress = perAddress;
    this.perNode = perNode;
    this.addressRequestBytes = addressRequestBytes;
    this.addressResponseBytes = addressResponseBytes;
  }

  /**
   * One peer address (IPv6: /64) with connections open: how many, and the share of the
   * server's request and response memory all of them together may hold, so one address cannot
   * take the whole budget however many connections it opens.
   */
  static final class Address {
    final Object key;
    final MemoryBudget requests;
    final MemoryBudget responses;
    private final Object wideKey;
    private int connections;

    private Address(Object key, Object wideKey, long requestBytes, long responseBytes) {
      this.key = key;
      this.wideKey = wideKey;
      this.requests = new MemoryBudget("request (" + key + ")", requestBytes);
      this.responses = new MemoryBudget("response (" + key + ")", responseBytes);
    }
  }

  /** As {@link #admitAddress(SocketAddress, Runnable)} for a connection never evicted. */
  Address admitAddress(SocketAddress remote) {
    return admitAddress(remote, null);
  }

  /**
   * Counts a new connection from {@code remote}; returns its address, to give back with the
   * same {@code close} to {@link #releaseAddress(Address, Runnable)} when the connection closes,
   * or null (nothing counted) when a limit refuses it. {@code close} (null: never) closes the
   * connection when a newcomer evicts it; it runs on the caller's thread, outside this lock.
   */
  Address admitAddress(SocketAddress remote, Runnable close) {
    Runnable[] victim = new Runnable[1];
    Address a = admit(remote, close, victim);
    if (victim[0] != null) {
      victim[0].run();
    }
    return a;
  }

  private synchronized Address admit(SocketAddress remote, Runnable close, Runnable[] victim) {
    Object key = PeerAddresses.key(remote);
    Object wideKey = widePrefixKey(remote);
    Address a = byAddress.get(key);
    int fromThere = a == null ? 0 : a.connections;
    int fromPrefix = byWidePrefix.getOrDefault(wideKey, 0);
    int perWidePrefix = perAddress * WIDE_PREFIX_SHARE;
    boolean limited = !(loopbackExempt && isLoopback(remote));
    if (limited && fromThere >= perAddress) {
      refusedOne(remote + " already has " + perAddress + " connections");
      return null;
    }
    if (limited && fromPrefix >= perWidePrefix) {
      refusedOne(wideKey + " already has " + perWidePrefix + " connections");
      return null;
    }
    if (limited && !rate.allows(key, wideKey)) {
      refusedOne(remote + " opens connections faster than its rate");
      return null;
    }
    if (total - evictedNotReleased.size() >= max) {
      victim[0] = evictFor(wideKey);
      if (victim[0] == null) {
        refusedOne("the server's " + max + " connections are open");
        return null;
      }
    }
    if (limited) {
      rate.take(key, wideKey);
    }
    if (a == null) {
      a = new Address(key, wideKey, addressRequestBytes, addressResponseBytes);
      byAddress.put(key, a);
    }
    total++;
    a.connections++;
    if (close != null) {
      evictable.computeIfAbsent(wideKey, k -> new LinkedHashSet<>()).add(close);
    }
    byWidePrefix.merge(wideKey, 1, Integer::sum);
    return a;
  }

  /**
   * Picks the oldest evictable connection of the address (IPv6: /48) holding most, when that is
   * at least two more than the newcomer's holds (so the two do not take turns), and counts it
   * as gone. Grouped by /48, since /64s are cheap: an attacker holding one connection from each
   * of a thousand /64s of one /48 is one heavy holder, not a thousand light ones.
   */
  private Runnable evictFor(Object newcomer) {
    if (evictedNotReleased.size() >= Math.max(1, max / 16)) {
      return null; // closes still on their way: the total stays within max + max / 16
    }
    long now = System.nanoTime();
    Long last = lastEvictionFor.get(newcomer);
    if (last != null && now - last < EVICTION_INTERVAL_NANOS) {
      return null; // one a second: a peer coming and going cannot cut honest connections fast
    }
    Set<Runnable> own = evictable.get(newcomer);
    Object heaviestKey = null;
    Set<Runnable> heaviest = null;
    for (Map.Entry<Object, Set<Runnable>> e : evictable.entrySet()) {
      if (!e.getKey().equals(newcomer)
          && (heaviest == null || e.getValue().size() > heaviest.size())) {
        heaviestKey = e.getKey();
        heaviest = e.getValue();
      }
    }
    if (heaviest == null || heaviest.size() < (own == null ? 0 : own.size()) + 2) {
      return null;
    }
    Iterator<Runnable> oldest = heaviest.iterator();
    Runnable victim = oldest.next();
    oldest.remove();
    if (heaviest.isEmpty()) {
      evictable.remove(heaviestKey);
    }
    evictedNotReleased.add(victim);
    evicted++;
    lastEvictionFor.put(newcomer, now);
    if (now - lastEvictWarnNanos >= WARN_EVERY_NANOS) {
      lastEvictWarnNanos = now;
      log.warn("all {} connections open: closing one of {} ({} held) for a newcomer ({} evicted"
          + " so far)", max, heaviestKey, heaviest.size() + 1, evicted);
    }
    return victim;
  }

  /** As {@link #releaseAddress(Address, Runnable)} for a connection admitted without a close. */
  void releaseAddress(Address a) {
    releaseAddress(a, null);
  }

  /**
   * The connection admitted with {@code close} closed (its buffers were given back, or are on
   * their way back).
   */
  synchronized void releaseAddress(Address a, Runnable close) {
    if (close != null) {
      Set<Runnable> group = evictable.get(a.wideKey);
      if (group != null && group.remove(close)) {
        if (group.isEmpty()) {
          evictable.remove(a.wideKey);
        }
      } else {
        evictedNotReleased.remove(close);
      }
    }
    total--;
    byWidePrefix.computeIfPresent(a.wideKey, (k, n) -> n > 1 ? n - 1 : null);
    if (--a.connections == 0) {
      byAddress.remove(a.key, a);
    }
  }

  /** Counts a connection proven to be node {@code id}; false (nothing counted) when refused. */
  synchronized boolean admitNode(NodeId id) {
    int n = byNode.getOrDefault(id, 0);
    if (n >= perNode) {
      refusedOne("node " + id.shortForm() + " already has " + perNode + " connections");
      return false;
    }
    byNode.put(id, n + 1);
    return true;
  }

  synchronized void releaseNode(NodeId id) {
    byNode.computeIfPresent(id, (k, n) -> n > 1 ? n - 1 : null);
  }

  int perNode() {
    return perNode;
  }

  synchronized int open() {
    return total;
  }

  /** Node ids with connections open (tests: ids are free to mint, so none may stay after). */
  synchronized int nodes() {
    return byNode.size();
  }

  /** IPv6 /48s and other addresses with connections open (tests: none may stay after). */
  synchronized int widePrefixes() {
    return byWidePrefix.size();
  }

  /** Entries kept for eviction (tests: none may stay once every connection is released). */
  synchronized int evictionEntries() {
    return evictable.size() + evictedNotReleased.size();
  }

  synchronized long refused() {
    return refused;
  }

  /** Connections closed to make room for a newcomer. */
  synchronized long evicted() {
    return evicted;
  }

  private void refusedOne(String why) {
    refused++;
    long now = System.nanoTime();
    if (now - lastWarnNanos >= WARN_EVERY_NANOS) {
      lastWarnNanos = now;
      log.warn("refusing connections: {} ({} refused so far; limits: {} in all, {} per address,"
          + " {} per node)", why, refused, max, perAddress, perNode);
    } else {
      log.debug("refused a connection: {}", why);
    }
  }

  private static boolean isLoopback(SocketAddress remote) {
    return remote instanceof InetSocketAddress inet && inet.getAddress() != null
        && inet.getAddress().isLoopbackAddress();
  }

  /** For IPv6 the /48 prefix, else the same key as {@link PeerAddresses#key}. */
  static Object widePrefixKey(SocketAddress remote) {
    return PeerAddresses.widePrefixKey(remote);
  }
}
