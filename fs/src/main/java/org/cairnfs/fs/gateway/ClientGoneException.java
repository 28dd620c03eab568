package org.cairnfs.fs.gateway;

import java.io.IOException;

/** The client closed its connection while its answer was being written: normal, not a fault. */
final class ClientGoneException extends IOException {
  private static final long serialVersionUID = 1L;

  ClientGoneException() {
    super("the client closed the connection", null);
  }
}
