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

  @Override
  public String toString() {
    return nodeId.shortForm() + "#" + connectionId + "@" + remoteAddress;
  }
}
