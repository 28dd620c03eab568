package org.cairnfs.storage.lease;

/**
 * A share already carries {@link ShareRecord#MAX_LEASES} leases and cannot take another.
 *
 * <p>No longer thrown: a full share now renews its {@link LeaseOwner#OVERFLOW} lease instead of
 * refusing (storage-layout.md section 5). Kept until no caller catches it.
 */
public final class LeaseLimitException extends Exception {
  LeaseLimitException(String message) {
    super(message);
  }
}
