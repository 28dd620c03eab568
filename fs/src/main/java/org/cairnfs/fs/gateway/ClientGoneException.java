package org.cairnfs.fs.gateway;

import java.io.IOException;

/**
 * The client closed its connection while its answer was being written (normal, not a fault),
 * or read it too slowly while the request held a slot ({@link SlotPace}): either way the
 * connection is closed.
 */
final class ClientGoneException extends IOException {
  private static final long serialVersionUID = 1L;

  ClientGoneException() {
    this("the client closed the connection");
  }

  ClientGoneException(String message) {
    super(message, null);
  }
}
