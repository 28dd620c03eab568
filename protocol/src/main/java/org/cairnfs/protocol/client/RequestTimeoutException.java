package org.cairnfs.protocol.client;

import java.io.IOException;

/** No response (or connection) within the configured timeout; the request may still have run. */
public final class RequestTimeoutException extends IOException {
  public RequestTimeoutException(String message) {
    super(message);
  }
}
