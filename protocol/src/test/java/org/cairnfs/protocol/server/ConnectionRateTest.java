package org.cairnfs.protocol.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The new-connection rate per address and per IPv6 /48, on a clock the test moves. */
class ConnectionRateTest {
  private final long[] now = {Long.MAX_VALUE - TimeUnit.SECONDS.toNanos(1)}; // wraps mid-test

  private static SocketAddress at(String ip) throws UnknownHostException {
    return new InetSocketAddress(InetAddress.getByName(ip), 4242);
  }

  private boolean take(ConnectionRate rate, String ip) throws UnknownHostException {
    SocketAddress a = at(ip);
    Object key = PeerAddresses.key(a);
    Object wide = ConnectionLimits.widePrefixKey(a);
    if (!rate.allows(key, wide)) {
      return false;
    }
    rate.take(key, wide);
    return true;
  }

  private int takeAll(ConnectionRate rate, String ip, int attempts) throws UnknownHostException {
    int taken = 0;
    for (int i = 0; i < attempts; i++) {
      taken += take(rate, ip) ? 1 : 0;
    }
    return taken;
  }

  @Test
  void aBurstThenOneConnectionPerInterval() throws Exception {
    ConnectionRate rate = new ConnectionRate(4, 2, () -> now[0]);
    assertThat(takeAll(rate, "10.0.0.1", 10)).isEqualTo(4);
    now[0] += TimeUnit.MILLISECONDS.toNanos(499);
    assertThat(take(rate, "10.0.0.1")).isFalse();
    now[0] += TimeUnit.MILLISECONDS.toNanos(1);
    assertThat(take(rate, "10.0.0.1")).isTrue();
    assertThat(take(rate, "10.0.0.1")).isFalse();
    now[0] += TimeUnit.SECONDS.toNanos(60); // idle: the whole burst again, no more
    assertThat(takeAll(rate, "10.0.0.1", 10)).isEqualTo(4);
  }

  @Test
  void aSlash48OpensFourAddressesWorthWhateverTheSlash64sItComesFrom() throws Exception {
    ConnectionRate rate = new ConnectionRate(4, 2, () -> now[0]);
    int taken = 0;
    for (int i = 0; i < 10; i++) {
      taken += takeAll(rate, "2001:db8:0:" + Integer.toHexString(i) + "::1", 10);
    }
    assertThat(taken).isEqualTo(4 * ConnectionLimits.WIDE_PREFIX_SHARE);
    assertThat(take(rate, "2001:db8:1::1")).as("another /48").isTrue();
    now[0] += TimeUnit.MILLISECONDS.toNanos(125); // a /48 refills four times as fast
    assertThat(take(rate, "2001:db8:0:10::1")).as("a /64 not refused before").isTrue();
    assertThat(take(rate, "2001:db8:0:11::1")).isFalse();
  }

  @Test
  void aConnectionRefusedByItsSlash48TakesNothingFromItsAddress() throws Exception {
    ConnectionRate rate = new ConnectionRate(1, 1, () -> now[0]);
    for (int i = 0; i < ConnectionLimits.WIDE_PREFIX_SHARE; i++) {
      assertThat(take(rate, "2001:db8:0:" + i + "::1")).isTrue();
    }
    assertThat(take(rate, "2001:db8:0:ff::1")).isFalse();
    now[0] += TimeUnit.MILLISECONDS.toNanos(250);
    assertThat(take(rate, "2001:db8:0:ff::1")).as("its own burst was not spent").isTrue();
  }

  @Test
  void memoryStaysBoundedWhateverTheNumberOfPeers() throws Exception {
    ConnectionRate rate = new ConnectionRate(1, 1, () -> now[0]);
    for (int i = 0; i < 3 * ConnectionRate.KEYS; i++) {
      assertThat(take(rate, "10." + (i >> 16) + "." + ((i >> 8) & 255) + "." + (i & 255)))
          .isTrue();
    }
    assertThat(rate.keys()).isEqualTo(ConnectionRate.KEYS);
  }

  @Test
  void theLargestBurstAndRateNeitherOverflowNorStopLimitingTheSlash48() throws Exception {
    ConnectionRate rate = new ConnectionRate(ConnectionRate.MAX, ConnectionRate.MAX,
        () -> now[0]);
    assertThat(take(rate, "2001:db8::1")).as("the first IPv6 connection").isTrue();
    ConnectionRate fast = new ConnectionRate(1, ConnectionRate.MAX, () -> now[0]);
    int taken = 0;
    for (int i = 0; i < 1000; i++) {
      taken += take(fast, "2001:db8:0:" + Integer.toHexString(i) + "::1") ? 1 : 0;
    }
    assertThat(taken).as("1000 /64s of one /48 at one instant").isEqualTo(4);
  }

  @Test
  void aRateOfZeroAdmitsEverythingAndBadSettingsAreRefused() throws Exception {
    assertThat(takeAll(new ConnectionRate(1, 0, () -> now[0]), "10.0.0.1", 1000)).isEqualTo(1000);
    assertThatThrownBy(() -> new ConnectionRate(0, 1, () -> 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ConnectionRate(1, -1, () -> 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ConnectionRate(ConnectionRate.MAX + 1, 1, () -> 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ConnectionRate(1, ConnectionRate.MAX + 1, () -> 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
