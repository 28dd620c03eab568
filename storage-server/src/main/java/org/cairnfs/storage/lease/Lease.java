package org.cairnfs.storage.lease;

import java.security.MessageDigest;
import java.time.Instant;

/**
 * One lease on one share: who holds it, the hashes of its secrets, and when it runs out.
 * A share whose leases have all run out may be deleted by the garbage collector.
 */
public record Lease(LeaseOwner owner, byte[] renewHash, byte[] cancelHash, Instant expiry) {
  static final int HASH_LENGTH = 32;

  public Lease {
    if (renewHash.length != HASH_LENGTH || cancelHash.length != HASH_LENGTH) {
      throw new IllegalArgumentException("lease secret hashes must be " + HASH_LENGTH + " bytes");
    }
    renewHash = renewHash.clone();
    cancelHash = cancelHash.clone();
  }

  @Override
  public byte[] renewHash() {
    return renewHash.clone();
  }

  @Override
  public byte[] cancelHash() {
    return cancelHash.clone();
  }

  boolean renewsWith(byte[] hash) {
    return MessageDigest.isEqual(renewHash, hash);
  }

  boolean isLiveAt(Instant now) {
    return expiry.isAfter(now);
  }

  Lease withExpiry(Instant newExpiry) {
    return new Lease(owner, renewHash, cancelHash, newExpiry);
  }
}
