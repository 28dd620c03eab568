package org.cairnfs.protocol.client;

import org.cairnfs.protocol.message.ErrorCode;

/** The server has no room; place the share elsewhere. */
public final class ServerFullException extends RemoteException {
  public ServerFullException(String message) {
    super(ErrorCode.SERVER_FULL, message);
  }
}
