package org.cairnfs.introducer;

import java.util.Objects;
import org.cairnfs.protocol.identity.NodeId;

/**
 * A node pinned by id at one address: {@code <node id>@<host>:<port>}. The body of an
 * {@link IntroducerUrl}, and the form of a static server entry in a node's configuration.
 */
public record NodeAddress(NodeId nodeId, HostPort address) {
  public NodeAddress {
    Objects.requireNonNull(nodeId, "nodeId");
    Objects.requireNonNull(address, "address");
  }

  /** Parses {@code <node id>@<host>:<port>}. */
  public static NodeAddress parse(String text) {
    Objects.requireNonNull(text, "text");
    return parse(text.strip(), "'" + text + "'");
  }

  /** Parses; {@code what} names the whole text in error messages. */
  static NodeAddress parse(String text, String what) {
    int at = text.indexOf('@');
    if (at < 0) {
      throw new AddressFormatException(what + ": missing '@' between node id and address");
    }
    NodeId id;
    try {
      id = NodeId.parse(text.substring(0, at));
    } catch (IllegalArgumentException e) {
      throw new AddressFormatException(what + ": bad node id: " + e.getMessage(), e);
    }
    HostPort address;
    try {
      address = HostPort.parse(text.substring(at + 1));
    } catch (AddressFormatException e) {
      throw new AddressFormatException(what + ": bad address: " + e.getMessage(), e);
    }
    return new NodeAddress(id, address);
  }

  @Override
  public String toString() {
    return nodeId + "@" + address;
  }
}
