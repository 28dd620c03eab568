package org.cairnfs.protocol.client;

import org.cairnfs.protocol.message.ErrorCode;

/** The storage index, share, slot or lease does not exist on that server. */
public final class NotFoundException extends RemoteException {
  public NotFoundException(String message) {
    super(ErrorCode.NOT_FOUND, message);
  }
}
