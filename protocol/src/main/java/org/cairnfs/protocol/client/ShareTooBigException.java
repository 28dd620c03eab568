package org.cairnfs.protocol.client;

import org.cairnfs.protocol.message.ErrorCode;

/** The share exceeds the server's maximum share size. */
public final class ShareTooBigException extends RemoteException {
  public ShareTooBigException(String message) {
    super(ErrorCode.SHARE_TOO_BIG, message);
  }
}
