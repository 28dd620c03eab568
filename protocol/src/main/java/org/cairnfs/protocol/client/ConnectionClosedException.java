package org.cairnfs.protocol.client;

import java.io.IOException;

/** The connection closed while the request was pending; the request may or may not have run. */
public final class ConnectionClosedException extends IOException {
  public ConnectionClosedException(String message) {
    super(message);
  }
}
