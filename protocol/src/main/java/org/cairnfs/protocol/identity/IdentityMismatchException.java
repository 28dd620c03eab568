package org.cairnfs.protocol.identity;

import java.io.IOException;

/**
 * The server presented a key whose node id is not the one the client expected: the connection
 * was refused during the TLS handshake, before any request was sent. Not retryable at the same
 * address; either the announcement is stale or someone is impersonating the server.
 */
public final class IdentityMismatchException extends IOException {
  private final NodeId expected;
  private final NodeId presented;

  public IdentityMismatchException(String where, NodeId expected, NodeId presented) {
    super("server at " + where + " is node " + presented + ", expected " + expected);
    this.expected = expected;
    this.presented = presented;
  }

  public NodeId expected() {
    return expected;
  }

  public NodeId presented() {
    return presented;
  }
}
