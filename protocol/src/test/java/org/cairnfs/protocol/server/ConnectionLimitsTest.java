package org.cairnfs.protocol.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.local.LocalAddress;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.cairnfs.protocol.identity.NodeId;
import org.cairnfs.protocol.identity.NodeKey;
import org.junit.jupiter.api.Test;

/**
 * {@link ConnectionLimits} alone: the total, per-address and per-node counts at their edges,
 * which addresses count as one, the loopback exemption, and that a closed connection's count
 * and address are forgotten (a peer that comes and goes must not grow the maps or use up its
 * own limit).
 */
class ConnectionLimitsTest {
  private static final NodeId NODE = NodeKey.generate().nodeId();

  private static ConnectionLimits limits(int max, int perAddress, int perNode, boolean loopbackExempt) {
    return limits(max, perAddress, perNode, loopbackExempt, new ConnectionRate(1, 0, () -> 0));
  }

  private static ConnectionLimits limits(int max, int perAddress, int perNode,
      boolean loopbackExempt, ConnectionRate rate) {
    return new ConnectionLimits(max, perAddress, perNode, 1000, 2000, loopbackExempt, rate);
  }

  private static SocketAddress at(String ip) throws UnknownHostException {
    return new InetSocketAddress(InetAddress.getByName(ip), 4242);
  }

  @Test
  void theTotalAdmitsExactlyItsMaximum() throws Exception {
    ConnectionLimits l = limits(2, 10, 10, false);
    assertThat(l.admitAddress(at("10.0.0.1"))).isNotNull();
    assertThat(l.admitAddress(at("10.0.0.2"))).isNotNull();
    assertThat(l.admitAddress(at("10.0.0.3"))).isNull();
    assertThat(l.open()).isEqualTo(2);
    assertThat(l.refused()).isEqualTo(1);
  }

  @Test
  void oneAddressGetsExactlyItsConnectionsWhileAnotherIsNotHeldUp() throws Exception {
    ConnectionLimits l = limits(10, 2, 10, true);
    ConnectionLimits.Address a = l.admitAddress(at("10.0.0.1"));
    assertThat(l.admitAddress(at("10.0.0.1"))).isSameAs(a);
    assertThat(l.admitAddress(at("10.0.0.1"))).as("not loopback: limited though exempt")
        .isNull();
    assertThat(l.admitAddress(at("10.0.0.2"))).isNotNull().isNotSameAs(a);
    assertThat(a.requests.max()).isEqualTo(1000);
    assertThat(a.responses.max()).isEqualTo(2000);
  }

  /** A demo grid runs hundreds of nodes on one machine against one introducer. */
  @Test
  void loopbackPeersAreExemptFromTheAddressLimitOnlyWhenConfigured() throws Exception {
    ConnectionLimits exempt = limits(10, 1, 10, true);
    for (String ip : new String[] {"127.0.0.1", "::1"}) {
      ConnectionLimits.Address a = exempt.admitAddress(at(ip));
      assertThat(exempt.admitAddress(at(ip))).as(ip).isSameAs(a);
    }
    ConnectionLimits strict = limits(10, 1, 10, false);
    assertThat(strict.admitAddress(at("127.0.0.1"))).isNotNull();
    assertThat(strict.admitAddress(at("127.0.0.1"))).isNull();
  }

  /** An address that is not a resolved IP is never taken for the loopback. */
  @Test
  void anUnresolvedOrNonIpAddressIsLimitedEvenWithTheExemption() {
    ConnectionLimits l = limits(10, 1, 10, true);
    SocketAddress unresolved = InetSocketAddress.createUnresolved("localhost", 4242);
    assertThat(l.admitAddress(unresolved)).isNotNull();
    assertThat(l.admitAddress(new LocalAddress("x"))).as("shares the one key of other kinds")
        .isNull();
    assertThat(l.refused()).isEqualTo(1);
  }

  /** One host is usually given a whole /64: counting full IPv6 addresses would not limit it. */
  @Test
  void ipv6PeersAreCountedPerSlash64() throws Exception {
    ConnectionLimits l = limits(10, 1, 10, false);
    assertThat(l.admitAddress(at("2001:db8:1:2::1"))).isNotNull();
    assertThat(l.admitAddress(at("2001:db8:1:2:ffff::9"))).as("same /64").isNull();
    assertThat(l.admitAddress(at("2001:db8:1:3::1"))).as("next /64").isNotNull();
    assertThat(PeerAddresses.key(at("2001:db8:1:2::1")))
        .isEqualTo(PeerAddresses.key(at("2001:db8:1:2:ffff::9")))
        .isNotEqualTo(PeerAddresses.key(at("2001:db8:1:3::1")));
    assertThat(PeerAddresses.key(at("10.0.0.1"))).isEqualTo(InetAddress.getByName("10.0.0.1"));
    assertThat(PeerAddresses.key(new LocalAddress("x"))).isEqualTo("other");
  }

  /** One customer is often given a /56 or a /48: its /64s together must not take every connection. */
  @Test
  void anIpv6Slash48HoldsAtMostFourAddressesWorth() throws Exception {
    ConnectionLimits l = limits(100, 2, 10, false);
    java.util.List<ConnectionLimits.Address> held = new java.util.ArrayList<>();
    for (int net = 0; net < 4; net++) {
      for (int i = 0; i < 2; i++) {
        held.add(l.admitAddress(at("2001:db8:7:" + net + "::" + (i + 1))));
      }
    }
    assertThat(held).doesNotContainNull();
    assertThat(l.admitAddress(at("2001:db8:7:ff::1"))).as("a fifth /64 of the same /48").isNull();
    assertThat(l.admitAddress(at("2001:db8:8:ff::1"))).as("another /48").isNotNull();
    l.releaseAddress(held.get(0));
    assertThat(l.admitAddress(at("2001:db8:7:ff::1"))).as("one given back").isNotNull();
    assertThat(ConnectionLimits.widePrefixKey(at("2001:db8:7:ff::1")))
        .isEqualTo(ConnectionLimits.widePrefixKey(at("2001:db8:7:1::1")))
        .isNotEqualTo(ConnectionLimits.widePrefixKey(at("2001:db8:8:1::1")));
    assertThat(ConnectionLimits.widePrefixKey(at("10.0.0.1"))).isEqualTo(InetAddress.getByName("10.0.0.1"));
  }

  @Test
  void theIpv6LimitsDoNotApplyToAnExemptLoopbackAndLeaveNothingBehind() throws Exception {
    ConnectionLimits l = limits(100, 1, 10, true);
    java.util.List<ConnectionLimits.Address> held = new java.util.ArrayList<>();
    for (int i = 0; i < 10; i++) {
      held.add(l.admitAddress(at("::1")));
    }
    assertThat(held).doesNotContainNull();
    held.add(l.admitAddress(at("2001:db8::1")));
    held.forEach(l::releaseAddress);
    assertThat(l.open()).isZero();
    assertThat(l.widePrefixes()).isZero();
  }

  /** The budgets of an address live while it has connections and are forgotten after. */
  @Test
  void anAddressIsForgottenWithItsLastConnection() throws Exception {
    ConnectionLimits l = limits(10, 2, 10, false);
    ConnectionLimits.Address a = l.admitAddress(at("10.0.0.1"));
    ConnectionLimits.Address b = l.admitAddress(at("10.0.0.1"));
    l.releaseAddress(a);
    assertThat(l.admitAddress(at("10.0.0.1"))).as("still open: the same budgets").isSameAs(b);
    l.releaseAddress(b);
    l.releaseAddress(b);
    assertThat(l.open()).isZero();
    assertThat(l.admitAddress(at("10.0.0.1"))).as("forgotten: fresh budgets").isNotSameAs(a);
  }

  @Test
  void oneNodeGetsExactlyItsConnectionsAndEachCloseGivesOneBack() {
    ConnectionLimits l = limits(10, 10, 3, false);
    assertThat(l.admitNode(NODE)).isTrue();
    assertThat(l.admitNode(NODE)).isTrue();
    assertThat(l.admitNode(NODE)).isTrue();
    assertThat(l.admitNode(NODE)).isFalse();
    assertThat(l.refused()).isEqualTo(1);
    assertThat(l.admitNode(NodeKey.generate().nodeId())).as("another node").isTrue();
    l.releaseNode(NODE);
    assertThat(l.admitNode(NODE)).as("one given back").isTrue();
    assertThat(l.admitNode(NODE)).isFalse();
    l.releaseNode(NODE);
    l.releaseNode(NODE);
    l.releaseNode(NODE);
    l.releaseNode(NODE); // one more than held: nothing to give back
    assertThat(l.admitNode(NODE)).isTrue();
    assertThat(l.admitNode(NODE)).isTrue();
    assertThat(l.admitNode(NODE)).isTrue();
    assertThat(l.admitNode(NODE)).isFalse();
    assertThat(l.refused()).isEqualTo(3);
  }

  /** Node ids cost a client nothing: one that has closed all its connections leaves no entry. */
  @Test
  void aNodeIsForgottenWithItsLastConnection() {
    ConnectionLimits l = limits(10, 10, 3, false);
    NodeId other = NodeKey.generate().nodeId();
    l.admitNode(NODE);
    l.admitNode(NODE);
    l.admitNode(other);
    assertThat(l.nodes()).isEqualTo(2);
    l.releaseNode(NODE);
    assertThat(l.nodes()).isEqualTo(2);
    l.releaseNode(NODE);
    l.releaseNode(other);
    assertThat(l.nodes()).isZero();
  }

  /** A closer that counts how often it was asked to close its connection. */
  private static final class Closer implements Runnable {
    int closes;

    @Override
    public void run() {
      closes++;
    }
  }

  /** Admits {@code n} connections from {@code ip}, their closers added to {@code closers}. */
  private static ConnectionLimits.Address admitEach(ConnectionLimits l, String ip, int n,
      List<Closer> closers) throws UnknownHostException {
    ConnectionLimits.Address a = null;
    for (int i = 0; i < n; i++) {
      Closer c = new Closer();
      closers.add(c);
      a = l.admitAddress(at(ip), c);
    }
    return a;
  }

  /**
   * Attackers who fill every connection from a few addresses cannot keep out an address holding
   * fewer: the newcomer takes the place of the oldest connection of the address holding most.
   */
  @Test
  void aNewcomerToAFullServerEvictsTheOldestConnectionOfTheAddressHoldingMost() throws Exception {
    ConnectionLimits l = limits(6, 10, 10, false);
    List<Closer> heavy = new ArrayList<>();
    ConnectionLimits.Address heavyAddress = admitEach(l, "10.0.0.1", 4, heavy);
    Closer light = new Closer();
    l.admitAddress(at("10.0.0.2"), light);
    l.admitAddress(at("10.0.0.2"), new Closer());

    assertThat(l.admitAddress(at("10.0.0.3"), new Closer())).isNotNull();
    assertThat(heavy).extracting(c -> c.closes).containsExactly(1, 0, 0, 0);
    assertThat(light.closes).isZero();
    assertThat(l.evicted()).isEqualTo(1);
    assertThat(l.open()).as("counted until it has closed").isEqualTo(7);
    assertThat(l.admitAddress(at("10.0.0.4"), new Closer()))
        .as("at most max / 16 (here 1) closes under way").isNull();

    l.releaseAddress(heavyAddress, heavy.get(0));
    assertThat(l.admitAddress(at("10.0.0.4"), new Closer())).isNotNull();
    assertThat(heavy).extracting(c -> c.closes).containsExactly(1, 1, 0, 0);
    l.releaseAddress(heavyAddress, heavy.get(1));
    assertThat(l.open()).isEqualTo(6);
    // full again: 10.0.0.1 holds 2, 10.0.0.2 2, the newcomers 1 each
    assertThat(l.admitAddress(at("10.0.0.3"), new Closer())).as("holds 1, the most hold 2")
        .isNull();
    assertThat(l.admitAddress(at("10.0.0.5"), new Closer())).as("holds none").isNotNull();
    assertThat(l.evicted()).isEqualTo(3);
    assertThat(l.open()).isEqualTo(7);
  }

  /** A peer that comes and goes from one address may have one connection evicted a second. */
  @Test
  void oneNewcomerAddressEvictsAtMostOnceASecond() throws Exception {
    ConnectionLimits l = limits(4, 10, 10, false);
    List<Closer> heavy = new ArrayList<>();
    ConnectionLimits.Address heavyAddress = admitEach(l, "10.0.0.1", 4, heavy);
    Closer churn = new Closer();
    ConnectionLimits.Address a = l.admitAddress(at("10.0.0.9"), churn);
    assertThat(a).isNotNull();
    l.releaseAddress(heavyAddress, heavy.get(0));
    l.releaseAddress(a, churn); // gone again: it holds none
    assertThat(l.admitAddress(at("10.0.0.2"), new Closer())).as("a free place").isNotNull();
    assertThat(l.admitAddress(at("10.0.0.9"), new Closer())).as("within the second").isNull();
    assertThat(heavy).extracting(c -> c.closes).containsExactly(1, 0, 0, 0);
    Thread.sleep(TimeUnit.NANOSECONDS.toMillis(ConnectionLimits.EVICTION_INTERVAL_NANOS) + 50);
    assertThat(l.admitAddress(at("10.0.0.9"), new Closer())).as("a second later").isNotNull();
    assertThat(heavy).extracting(c -> c.closes).containsExactly(1, 1, 0, 0);
  }

  /** Closes under way free places for newcomers, so they are bounded. */
  @Test
  void evictionsUnderWayKeepTheTotalNearItsMaximum() throws Exception {
    ConnectionLimits l = limits(64, 32, 10, false);
    for (int i = 0; i < 64; i++) {
      l.admitAddress(at(i < 32 ? "10.0.0.1" : "10.0.0.2"), new Closer()); // never released
    }
    int fresh = 0;
    while (l.admitAddress(at("10.1.0." + (fresh + 1)), new Closer()) != null) {
      fresh++;
    }
    assertThat(l.evicted()).isEqualTo(4);
    assertThat(l.open()).isEqualTo(64 + 64 / 16);
  }

  /** Two addresses a connection apart would only take turns evicting each other. */
  @Test
  void noAddressIsEvictedForOneHoldingOnlyOneConnectionLess() throws Exception {
    ConnectionLimits l = limits(4, 10, 10, false);
    List<Closer> closers = new ArrayList<>();
    for (String ip : List.of("10.0.0.1", "10.0.0.1", "10.0.0.2", "10.0.0.2")) {
      Closer c = new Closer();
      closers.add(c);
      l.admitAddress(at(ip), c);
    }
    assertThat(l.admitAddress(at("10.0.0.1"), new Closer())).as("holds the most itself").isNull();
    assertThat(l.admitAddress(at("10.0.0.2"), new Closer())).isNull();
    assertThat(closers).allMatch(c -> c.closes == 0);
    assertThat(l.refused()).isEqualTo(2);
    assertThat(l.admitAddress(at("10.0.0.3"), new Closer())).as("holds two fewer").isNotNull();
    assertThat(closers).extracting(c -> c.closes).containsExactly(1, 0, 0, 0);
  }

  @Test
  void connectionsAdmittedWithoutACloserAreNeverEvicted() throws Exception {
    ConnectionLimits l = limits(2, 10, 10, false);
    l.admitAddress(at("10.0.0.1"));
    l.admitAddress(at("10.0.0.1"));
    assertThat(l.admitAddress(at("10.0.0.2"), new Closer())).isNull();
    assertThat(l.evicted()).isZero();
  }
  /** /64s are cheap: one connection from each of many /64s of one /48 is one heavy holder. */
  @Test
  void ipv6PeersAreEvictedByTheirSlash48AndNothingStaysAfter() throws Exception {
    ConnectionLimits l = limits(4, 1, 10, false);
    List<Closer> closers = new ArrayList<>();
    List<ConnectionLimits.Address> held = new ArrayList<>();
    for (int net = 0; net < 4; net++) {
      Closer c = new Closer();
      closers.add(c);
      held.add(l.admitAddress(at("2001:db8:9:" + net + "::1"), c));
    }
    Closer newcomer = new Closer();
    ConnectionLimits.Address n = l.admitAddress(at("2001:db8:a:1::1"), newcomer);
    assertThat(n).as("another /48, holding none").isNotNull();
    assertThat(closers).extracting(c -> c.closes).containsExactly(1, 0, 0, 0);
    assertThat(l.admitAddress(at("2001:db8:9:7::1"), new Closer()))
        .as("the heavy /48 itself, full").isNull();

    for (int i = 0; i < 4; i++) {
      l.releaseAddress(held.get(i), closers.get(i));
    }
    l.releaseAddress(n, newcomer);
    assertThat(l.open()).isZero();
    assertThat(l.widePrefixes()).isZero();
    assertThat(l.evictionEntries()).isZero();
  }

  @Test
  void anAddressOverItsRateIsRefusedAndCountedAsNothingButTheLoopbackIsExempt() throws Exception {
    long[] now = {0};
    ConnectionLimits l = limits(100, 10, 10, true, new ConnectionRate(2, 1, () -> now[0]));
    ConnectionLimits.Address first = l.admitAddress(at("10.0.0.1"));
    assertThat(first).isNotNull();
    l.releaseAddress(first);
    assertThat(l.admitAddress(at("10.0.0.1"))).isNotNull();
    assertThat(l.admitAddress(at("10.0.0.1"))).as("past its burst of 2").isNull();
    assertThat(l.refused()).isOne();
    assertThat(l.open()).isOne();
    assertThat(l.admitAddress(at("10.0.0.2"))).as("another address has its own rate").isNotNull();
    for (int i = 0; i < 5; i++) {
      assertThat(l.admitAddress(at("127.0.0.1"))).as("the exempt loopback").isNotNull();
    }
    now[0] += TimeUnit.SECONDS.toNanos(1);
    assertThat(l.admitAddress(at("10.0.0.1"))).as("a second later").isNotNull();
  }

  @Test
  void aConnectionRefusedBecauseTheServerIsFullSpendsNoneOfItsRate() throws Exception {
    long[] now = {0};
    ConnectionLimits l = limits(1, 10, 10, false, new ConnectionRate(2, 1, () -> now[0]));
    ConnectionLimits.Address holder = l.admitAddress(at("10.0.0.1"));
    assertThat(holder).isNotNull();
    assertThat(l.admitAddress(at("10.0.0.2"))).as("the server is full").isNull();
    assertThat(l.admitAddress(at("10.0.0.2"))).as("the server is full").isNull();
    l.releaseAddress(holder);
    assertThat(l.admitAddress(at("10.0.0.2"))).as("its burst was never spent").isNotNull();
  }
}
