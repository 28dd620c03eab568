package org.cairnfs.protocol.client;

import java.io.IOException;

/** A connection could not be set up (refused, unreachable, TLS or hello failed); names host:port. */
public final class ConnectFailedException extends IOException {
  public ConnectFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
