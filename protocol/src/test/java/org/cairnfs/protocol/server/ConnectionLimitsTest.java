package org.cairnfs.protocol.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.local.LocalAddress;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
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
    return new ConnectionLimits(max, perAddress, perNode, 1000, 2000, loopbackExempt);
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
}
