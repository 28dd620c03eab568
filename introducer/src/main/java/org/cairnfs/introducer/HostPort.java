package org.cairnfs.introducer;

import java.util.Objects;

/**
 * One network address a node listens on: a DNS name or IP literal plus a TCP port.
 *
 * <p>Kept as text, not resolved: announcements travel to machines whose view of DNS differs,
 * and resolution belongs to the moment of connecting. The text form is {@code host:port}, with
 * IPv6 literals in brackets ({@code [::1]:4001}).
 */
public record HostPort(String host, int port) {
  /** Longest host accepted (a full DNS name). */
  public static final int MAX_HOST_LENGTH = 253;

  public HostPort {
    Objects.requireNonNull(host, "host");
    checkHost(host);
    if (port < 1 || port > 65535) {
      throw new AddressFormatException("port must be 1..65535, got " + port);
    }
  }

  /** Parses {@code host:port} or {@code [ipv6]:port}. */
  public static HostPort parse(String text) {
    Objects.requireNonNull(text, "text");
    String host;
    String portText;
    if (text.startsWith("[")) {
      int close = text.indexOf(']');
      if (close < 0) {
        throw new AddressFormatException("'" + text + "': IPv6 address lacks its closing ']'");
      }
      host = text.substring(1, close);
      if (host.indexOf(':') < 0) {
        throw new AddressFormatException("'" + text + "': brackets are only for IPv6 addresses");
      }
      if (close + 1 >= text.length() || text.charAt(close + 1) != ':') {
        throw new AddressFormatException("'" + text + "': expected ':port' after ']'");
      }
      portText = text.substring(close + 2);
    } else {
      int colon = text.lastIndexOf(':');
      if (colon < 0) {
        throw new AddressFormatException("'" + text + "': missing ':port'");
      }
      host = text.substring(0, colon);
      if (host.indexOf(':') >= 0) {
        throw new AddressFormatException("'" + text + "': an IPv6 address must be written in brackets, e.g. [::1]:4001");
      }
      portText = text.substring(colon + 1);
    }
    return new HostPort(host, parsePort(portText, text));
  }

  private static int parsePort(String portText, String whole) {
    if (portText.isEmpty() || portText.length() > 5 || !portText.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new AddressFormatException("'" + whole + "': port '" + portText + "' is not a number 1..65535");
    }
    int port = Integer.parseInt(portText);
    if (port < 1 || port > 65535) {
      throw new AddressFormatException("'" + whole + "': port " + port + " is outside 1..65535");
    }
    return port;
  }

  private static void checkHost(String host) {
    if (host.isEmpty()) {
      throw new AddressFormatException("host is empty");
    }
    if (host.length() > MAX_HOST_LENGTH) {
      throw new AddressFormatException("host is " + host.length() + " characters, at most "
          + MAX_HOST_LENGTH + " allowed");
    }
    for (int i = 0; i < host.length(); i++) {
      char c = host.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '.' || c == '-' || c == '_' || c == ':' || c == '%';
      if (!ok) {
        throw new AddressFormatException("host '" + printable(host) + "' has a bad character at position " + i);
      }
    }
  }

  private static String printable(String s) {
    StringBuilder b = new StringBuilder();
    for (char c : s.toCharArray()) {
      b.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\u%04x", (int) c));
    }
    return b.toString();
  }

  /** True for an IPv6 literal (written in brackets). */
  public boolean isIpv6() {
    return host.indexOf(':') >= 0;
  }

  @Override
  public String toString() {
    return (isIpv6() ? "[" + host + "]" : host) + ":" + port;
  }
}
