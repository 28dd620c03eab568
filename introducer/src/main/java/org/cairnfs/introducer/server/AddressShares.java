package org.cairnfs.introducer.server;

import java.util.HashMap;
import java.util.Map;

/**
 * What each peer address holds at the introducer: announcements it brought in (count and
 * bytes) and open subscriptions. Node ids and connections are free to mint; addresses are not,
 * so these are the shares that keep one peer from taking everyone's place. Not thread-safe:
 * the service's lock guards it.
 */
final class AddressShares {
  private static final class Share {
    int nodes;
    long bytes;
    int subscriptions;

    boolean isEmpty() {
      return nodes == 0 && bytes == 0 && subscriptions == 0;
    }
  }

  private final Map<Object, Share> byAddress = new HashMap<>();

  int nodes(Object address) {
    Share s = byAddress.get(address);
    return s == null ? 0 : s.nodes;
  }

  long bytes(Object address) {
    Share s = byAddress.get(address);
    return s == null ? 0 : s.bytes;
  }

  int subscriptions(Object address) {
    Share s = byAddress.get(address);
    return s == null ? 0 : s.subscriptions;
  }

  /** Adds (or with negative values takes away) held announcements charged to {@code address}. */
  void addHeld(Object address, int nodes, long bytes) {
    Share s = byAddress.computeIfAbsent(address, a -> new Share());
    s.nodes += nodes;
    s.bytes += bytes;
    forgetIfEmpty(address, s);
  }

  void addSubscription(Object address, int delta) {
    Share s = byAddress.computeIfAbsent(address, a -> new Share());
    s.subscriptions += delta;
    forgetIfEmpty(address, s);
  }

  /** Addresses holding anything (for tests: nothing leaks once all is given back). */
  int addresses() {
    return byAddress.size();
  }

  private void forgetIfEmpty(Object address, Share s) {
    if (s.isEmpty()) {
      byAddress.remove(address);
    }
  }
}
