package org.cairnfs.fs.gateway;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * Against DNS rebinding: a page of another site can point its own name at 127.0.0.1 and then
 * talk to a loopback gateway as its own origin (read the status, use the node's grid). Its
 * requests name that site in {@code Host}. A browser sends a name with a dot only as the URL
 * had it, so a gateway on loopback serves only names no other site can own: IP addresses,
 * {@code localhost} and {@code *.localhost}, and single labels.
 */
final class HostNames {
  private HostNames() {}

  /** Whether {@code host} (a Host header, maybe with a port; null when none) names this machine. */
  static boolean ofThisMachine(String host) {
    if (host == null) {
      return true; // not a browser: browsers always send one
    }
    String h = host.trim().toLowerCase(Locale.ROOT);
    if (h.startsWith("[")) {
      return true; // an IPv6 literal, sent only to that address
    }
    int colon = h.lastIndexOf(':');
    if (colon >= 0) {
      h = h.substring(0, colon);
    }
    if (h.endsWith(".")) {
      h = h.substring(0, h.length() - 1);
    }
    return h.indexOf('.') < 0 || h.endsWith(".localhost")
        || h.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
  }

  /** Whether the gateway listens on a loopback address (only this machine reaches it). */
  static boolean isLoopback(String listenHost) {
    try {
      return InetAddress.getByName(listenHost).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
