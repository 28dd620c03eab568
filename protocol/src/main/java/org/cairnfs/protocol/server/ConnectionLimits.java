package org.cairnfs.protocol.server;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
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
 * or a /48 (256 or 65 536 /64s, enough to take every connection). The total and address limits apply when the
 * TCP connection is accepted (it is closed at once, before any TLS work), the node-id limit
 * once TLS proves the id (the client is then told BUSY). Connections from the loopback
 * address are by default exempt from the per-address count (they come from this machine,
 * where a demo grid runs hundreds of nodes against one introducer); they still share one
 * address's memory budgets. Thread-safe.
 */
final class ConnectionLimits {
  private static final Logger log = LoggerFactory.getLogger(ConnectionLimits.class);
  private static final long WARN_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);
  /** Connections an IPv6 /48 may hold, in addresses' worth. */
  static final int WIDE_PREFIX_SHARE = 4;

  private final int max;
  private final int perAddress;
  private final int perNode;
  private final long addressRequestBytes;
  private final long addressResponseBytes;
  private final boolean loopbackExempt;
  private final Map<Object, Address> byAddress = new HashMap<>();
  private final Map<NodeId, Integer> byNode = new HashMap<>();
  /** Connections per IPv6 /48 (for other addresses the same key as {@link #byAddress}). */
  private final Map<Object, Integer> byWidePrefix = new HashMap<>();
  private int total;
  private long refused;
  private long lastWarnNanos = System.nanoTime() - WARN_EVERY_NANOS;

  ConnectionLimits(int max, int perAddress, int perNode, long addressRequestBytes,
      long addressResponseBytes, boolean loopbackExempt) {
    this.loopbackExempt = loopbackExempt;
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

  /**
   * Counts a new connection from {@code remote}; returns its address, to give back to {@link
   * #releaseAddress} when the connection closes, or null (nothing counted) when a limit
   * refuses it.
   */
  synchronized Address admitAddress(SocketAddress remote) {
    Object key = PeerAddresses.key(remote);
    Object wideKey = widePrefixKey(remote);
    Address a = byAddress.get(key);
    int fromThere = a == null ? 0 : a.connections;
    int fromPrefix = byWidePrefix.getOrDefault(wideKey, 0);
    int perWidePrefix = perAddress * WIDE_PREFIX_SHARE;
    boolean limited = !(loopbackExempt && isLoopback(remote));
    if (total >= max) {
      refusedOne("the server's " + max + " connections are open");
      return null;
    }
    if (limited && fromThere >= perAddress) {
      refusedOne(remote + " already has " + perAddress + " connections");
      return null;
    }
    if (limited && fromPrefix >= perWidePrefix) {
      refusedOne(wideKey + " already has " + perWidePrefix + " connections");
      return null;
    }
    if (a == null) {
      a = new Address(key, wideKey, addressRequestBytes, addressResponseBytes);
      byAddress.put(key, a);
    }
    total++;
    a.connections++;
    byWidePrefix.merge(wideKey, 1, Integer::sum);
    return a;
  }

  /** The connection closed (its buffers were given back, or are on their way back). */
  synchronized void releaseAddress(Address a) {
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

  synchronized long refused() {
    return refused;
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
    if (remote instanceof InetSocketAddress inet && inet.getAddress() instanceof Inet6Address a) {
      return Arrays.toString(Arrays.copyOf(a.getAddress(), 6)) + "/48";
    }
    return PeerAddresses.key(remote);
  }
}
