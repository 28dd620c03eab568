package org.cairnfs.protocol.server;

import java.net.SocketAddress;
import java.util.Objects;
import org.cairnfs.protocol.identity.NodeId;

/**
 * Who sent a request: the client's node id, proven by its TLS key, and the connection it came on.
 *
 * <p>Backends use the node id for accounting (lease holders, quotas) and the connection id to
 * clean up state a dropped connection leaves behind (e.g. half-written uploads).
 */
public record Caller(NodeId nodeId, long connectionId, SocketAddress remoteAddress) {
  public Caller {
    Objects.requireNonNull(nodeId, "nodeId");
  }

  /**
   * The peer address as the server's per-address limits count it: the IP address, or for
   * IPv6 its /64 prefix. Equal for connections from the same peer.
   */
  public Object peerAddress() {
    return PeerAddresses.key(remoteAddress);
  }

  @Override
  public String toString() {
    return nodeId.shortForm() + "#" + connectionId + "@" + remoteAddress;
  }
}
