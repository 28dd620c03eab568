package org.cairnfs.protocol.server;

import java.util.Objects;
import org.cairnfs.protocol.message.ErrorCode;

/**
 * Thrown by a backend to refuse a request; the server sends it to the client as an error frame
 * with this code and message. Any other exception becomes {@link ErrorCode#INTERNAL} and is logged.
 */
public class RequestException extends Exception {
  private final ErrorCode code;

  public RequestException(ErrorCode code, String message) {
    super(message);
    this.code = Objects.requireNonNull(code, "code");
  }

  public RequestException(ErrorCode code, String message, Throwable cause) {
    super(message, cause);
    this.code = Objects.requireNonNull(code, "code");
  }

  public ErrorCode code() {
    return code;
  }
}
