package org.cairnfs.fs.grid;

import java.io.IOException;
import org.cairnfs.protocol.identity.NodeId;

/**
 * A server cannot be used right now: unknown, gone from the grid, or backing off after a
 * failure.
 */
public final class ServerUnavailableException extends IOException {
  private final transient NodeId server;

  public ServerUnavailableException(NodeId server, String message) {
    super("server " + server.shortForm() + ": " + message);
    this.server = server;
  }

  public NodeId server() {
    return server;
  }
}
