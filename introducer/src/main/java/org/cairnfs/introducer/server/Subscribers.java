package org.cairnfs.introducer.server;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.cairnfs.protocol.message.ErrorCode;
import org.cairnfs.protocol.server.Caller;
import org.cairnfs.protocol.server.RequestException;
import org.cairnfs.protocol.server.Subscription;

/**
 * The open subscriptions, at most one per connection and within the total and per-address
 * bounds ({@link AddressShares}); each gets the snapshot first, then every update. A closed
 * subscription is forgotten when next seen and gives its places back. Not thread-safe: the
 * service's lock guards it, which keeps each node's updates in sequence order for everyone.
 */
final class Subscribers {
  private final int maxSubscribers;
  private final int maxSubscribersPerAddress;
  private final AddressShares shares;
  private final Map<Subscription, Caller> subscribers = new LinkedHashMap<>();
  private final Set<Long> subscribedConnections = new HashSet<>();

  /** The per-address bound is capped at the total. */
  Subscribers(int maxSubscribers, int maxSubscribersPerAddress, AddressShares shares) {
    this.maxSubscribers = maxSubscribers;
    this.maxSubscribersPerAddress = Math.min(maxSubscribersPerAddress, maxSubscribers);
    this.shares = shares;
  }

  /**
   * Takes {@code subscription} of {@code caller}.
   *
   * @throws RequestException BAD_REQUEST when the connection already has one; BUSY when the
   *     total or the caller's address is at its bound
   */
  void add(Caller caller, Subscription subscription) throws RequestException {
    Object address = caller.peerAddress();
    forgetClosed();
    if (subscribedConnections.contains(caller.connectionId())) {
      throw new RequestException(ErrorCode.BAD_REQUEST, "this connection already has a"
          + " subscription; the introducer serves one per connection (every update goes to"
          + " it): use that one, or open a new connection");
    }
    if (subscribers.size() >= maxSubscribers) {
      throw new RequestException(ErrorCode.BUSY, "introducer already serves the maximum of "
          + maxSubscribers + " subscribers; try again later");
    }
    if (shares.subscriptions(address) >= maxSubscribersPerAddress) {
      throw new RequestException(ErrorCode.BUSY, "address " + address + " already has "
          + shares.subscriptions(address) + " subscriptions, the most one address may ("
          + maxSubscribersPerAddress + "); close one first");
    }
    subscribers.put(subscription, caller);
    subscribedConnections.add(caller.connectionId());
    shares.addSubscription(address, 1);
  }

  /**
   * Pushes the shared {@code snapshot} to a new subscriber, starting at a random node, so one
   * cut off part-way learns different servers on each try. Always: the first push is the
   * snapshot, even an empty one.
   */
  static void pushSnapshot(Subscription subscription, List<byte[]> snapshot) {
    int offset = snapshot.isEmpty() ? 0 : ThreadLocalRandom.current().nextInt(snapshot.size());
    subscription.push(new RotatedList(snapshot, offset));
  }

  /** Pushes {@code update} to every open subscription and forgets the closed ones. */
  void push(List<byte[]> update) {
    for (Subscription s : new ArrayList<>(subscribers.keySet())) {
      if (s.isOpen()) {
        s.push(update);
      } else {
        forget(s);
      }
    }
  }

  /** Open subscriptions now. */
  int count() {
    forgetClosed();
    return subscribers.size();
  }

  /** Drops a subscription and gives back its places; idempotent. */
  void forget(Subscription s) {
    Caller c = subscribers.remove(s);
    if (c != null) {
      subscribedConnections.remove(c.connectionId());
      shares.addSubscription(c.peerAddress(), -1);
    }
  }

  private void forgetClosed() {
    for (Subscription s : new ArrayList<>(subscribers.keySet())) {
      if (!s.isOpen()) {
        forget(s);
      }
    }
  }
}
