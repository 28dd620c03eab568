package org.cairnfs.protocol.client;

import java.io.IOException;
import org.cairnfs.protocol.message.ErrorCode;

/**
 * The server answered a request with an error frame. Subclasses exist for the codes a client
 * reacts to differently (try another server when full, give up on a share when too big, ...).
 */
public class RemoteException extends IOException {
  private final ErrorCode code;

  public RemoteException(ErrorCode code, String message) {
    super(code + ": " + message);
    this.code = code;
  }

  public ErrorCode code() {
    return code;
  }

  /** The typed exception for an error frame. */
  public static RemoteException of(ErrorCode code, String message) {
    switch (code) {
      case SERVER_FULL:
        return new ServerFullException(message);
      case SHARE_TOO_BIG:
        return new ShareTooBigException(message);
      case NOT_FOUND:
        return new NotFoundException(message);
      default:
        return new RemoteException(code, message);
    }
  }
}
