package org.cairnfs.storage.lease;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What the lease database knows about one held share: its size in bytes, the sequence number of
 * the version held (mutable shares; {@link #NO_SEQNUM} otherwise) and its leases.
 */
public record ShareRecord(long size, long seqnum, List<Lease> leases) {
  /** Sequence number of an immutable share or of a slot share whose version is not known. */
  public static final long NO_SEQNUM = -1;
  /** At most this many leases per share, so one share's record stays small. */
  public static final int MAX_LEASES = 64;

  public ShareRecord {
    if (size < 0) {
      throw new IllegalArgumentException("share size must not be negative: " + size);
    }
    if (seqnum < NO_SEQNUM) {
      throw new IllegalArgumentException("bad seqnum " + seqnum);
    }
    if (leases.size() > MAX_LEASES) {
      throw new IllegalArgumentException("more than " + MAX_LEASES + " leases: " + leases.size());
    }
    leases = List.copyOf(leases);
  }

  /** The distinct owners of the leases, each charged once for this share. */
  public Set<LeaseOwner> owners() {
    Set<LeaseOwner> owners = new LinkedHashSet<>();
    for (Lease lease : leases) {
      owners.add(lease.owner());
    }
    return owners;
  }

  /** Latest expiry among the leases, or empty when it has none. */
  public java.util.Optional<Instant> lastExpiry() {
    return leases.stream().map(Lease::expiry).max(Instant::compareTo);
  }

  ShareRecord withLeases(List<Lease> newLeases) {
    return new ShareRecord(size, seqnum, newLeases);
  }

  ShareRecord withVersion(long newSize, long newSeqnum) {
    return new ShareRecord(newSize, newSeqnum, leases);
  }

  List<Lease> mutableLeases() {
    return new ArrayList<>(leases);
  }
}
