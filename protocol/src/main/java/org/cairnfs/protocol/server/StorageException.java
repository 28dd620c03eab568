package org.cairnfs.protocol.server;

import org.cairnfs.protocol.message.ErrorCode;

/** A storage backend's refusal of a request, e.g. {@code SERVER_FULL} or {@code NOT_FOUND}. */
public class StorageException extends RequestException {
  public StorageException(ErrorCode code, String message) {
    super(code, message);
  }

  public StorageException(ErrorCode code, String message, Throwable cause) {
    super(code, message, cause);
  }
}
