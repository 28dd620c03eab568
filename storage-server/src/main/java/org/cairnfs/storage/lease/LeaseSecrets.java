package org.cairnfs.storage.lease;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The renew and cancel secrets a client attaches to a lease (each 32 bytes, derived by the
 * client per storage index and server).
 *
 * <p>The server keeps only their SHA-256 hashes, so a copy of its database grants no power over
 * leases; a later request proves knowledge of a secret by hashing it again.
 */
public final class LeaseSecrets {
  public static final int SECRET_LENGTH = 32;
  private final byte[] renewHash;
  private final byte[] cancelHash;

  private LeaseSecrets(byte[] renewHash, byte[] cancelHash) {
    this.renewHash = renewHash;
    this.cancelHash = cancelHash;
  }

  /** From the client's secrets (copied, then hashed). */
  public static LeaseSecrets of(byte[] renewSecret, byte[] cancelSecret) {
    return new LeaseSecrets(hash(renewSecret, "renew"), hash(cancelSecret, "cancel"));
  }

  /** The stored form of a secret: SHA-256 of its 32 bytes. */
  public static byte[] hash(byte[] secret, String which) {
    if (secret.length != SECRET_LENGTH) {
      throw new IllegalArgumentException(
          which + " secret must be " + SECRET_LENGTH + " bytes, got " + secret.length);
    }
    try {
      return MessageDigest.getInstance("SHA-256").digest(secret);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("JDK without SHA-256", e);
    }
  }

  byte[] renewHash() {
    return renewHash.clone();
  }

  byte[] cancelHash() {
    return cancelHash.clone();
  }
}
