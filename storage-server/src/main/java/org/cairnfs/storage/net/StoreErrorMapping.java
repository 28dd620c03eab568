package org.cairnfs.storage.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.cairnfs.protocol.message.ErrorCode;
import org.cairnfs.protocol.server.StorageException;
import org.cairnfs.storage.store.StoreException;

/**
 * Runs store calls and maps what they throw to the protocol's errors: a store refusal to the
 * wire code of the same meaning with the store's message, a bad argument to BAD_REQUEST, and
 * a disk failure to an unchecked exception (the protocol answers it INTERNAL).
 */
final class StoreErrorMapping {
  private StoreErrorMapping() {}

  @FunctionalInterface
  interface StoreCall<T> {
    T run() throws StoreException, IOException;
  }

  @FunctionalInterface
  interface DiskCall<T> {
    T run() throws IOException;
  }

  /** Maps a store reason to the wire code of the same meaning. */
  static ErrorCode codeOf(StoreException.Reason reason) {
    return switch (reason) {
      case SERVER_FULL -> ErrorCode.SERVER_FULL;
      case SHARE_TOO_BIG -> ErrorCode.SHARE_TOO_BIG;
      case NOT_FOUND -> ErrorCode.NOT_FOUND;
      case BAD_REQUEST -> ErrorCode.BAD_REQUEST;
      case REJECTED -> ErrorCode.REJECTED;
      case BUSY -> ErrorCode.BUSY;
    };
  }

  static <T> T call(StoreCall<T> body) throws StorageException {
    try {
      return body.run();
    } catch (StoreException e) {
      throw new StorageException(codeOf(e.reason()), e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new StorageException(ErrorCode.BAD_REQUEST, e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** For calls the store cannot refuse: only disk failures. */
  static <T> T io(DiskCall<T> body) {
    try {
      return body.run();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
