package org.cairnfs.protocol.server;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Arrays;

/**
 * What per-address limits count a peer as: its IP address, or for IPv6 its /64, since one host
 * is usually given a whole /64. Shared by the protocol server's limits and the gateway's, so
 * both count a peer the same way.
 */
public final class PeerAddresses {
  private PeerAddresses() {}

  /** The address, or for IPv6 its /64 prefix; unknown kinds of address share one key. */
  public static Object key(SocketAddress remote) {
    if (remote instanceof InetSocketAddress inet && inet.getAddress() != null) {
      InetAddress a = inet.getAddress();
      if (a instanceof Inet6Address) {
        return Arrays.toString(Arrays.copyOf(a.getAddress(), 8)) + "/64";
      }
      return a;
    }
    return "other";
  }

  /**
   * For IPv6 the /48 prefix (one customer often holds a whole /48: 65 536 /64s), else the same
   * key as {@link #key}: for limits that must not multiply with a holder's /64s.
   */
  public static Object widePrefixKey(SocketAddress remote) {
    if (remote instanceof InetSocketAddress inet && inet.getAddress() instanceof Inet6Address a) {
      return Arrays.toString(Arrays.copyOf(a.getAddress(), 6)) + "/48";
    }
    return key(remote);
  }
}
