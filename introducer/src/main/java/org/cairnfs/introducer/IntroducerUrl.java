package org.cairnfs.introducer;

import java.util.Objects;
import org.cairnfs.protocol.identity.NodeId;

/**
 * Where an introducer is and who it must prove to be: {@code cairn://<node id>@<host>:<port>}.
 *
 * <p>The node id pins the introducer's TLS key, so the URL is all a node needs to join a grid
 * safely: no CA, no trust on first use. Grammar (see {@code docs/specs/announcement.md}):
 * <pre>
 *   url      = "cairn://" node-id "@" address
 *   node-id  = 52 lower-case base32 characters (RFC 4648, no padding)
 *   address  = host ":" port | "[" ipv6 "]" ":" port
 * </pre>
 */
public record IntroducerUrl(NodeId nodeId, HostPort address) {
  public static final String SCHEME = "cairn://";

  public IntroducerUrl {
    Objects.requireNonNull(nodeId, "nodeId");
    Objects.requireNonNull(address, "address");
  }

  /** Parses the URL, naming the faulty part when it is malformed. */
  public static IntroducerUrl parse(String text) {
    Objects.requireNonNull(text, "text");
    String t = text.strip();
    if (!t.startsWith(SCHEME)) {
      throw new AddressFormatException("introducer URL '" + text + "' must start with '" + SCHEME + "'");
    }
    NodeAddress parsed = NodeAddress.parse(t.substring(SCHEME.length()), "introducer URL '" + text + "'");
    return new IntroducerUrl(parsed.nodeId(), parsed.address());
  }

  /** The introducer's id and address without the scheme. */
  public NodeAddress node() {
    return new NodeAddress(nodeId, address);
  }

  @Override
  public String toString() {
    return SCHEME + nodeId + "@" + address;
  }
}
