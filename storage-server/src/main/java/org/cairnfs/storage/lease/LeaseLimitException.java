package org.cairnfs.storage.lease;

/** A share already carries {@link ShareRecord#MAX_LEASES} leases and cannot take another. */
public final class LeaseLimitException extends Exception {
  LeaseLimitException(String message) {
    super(message);
  }
}
