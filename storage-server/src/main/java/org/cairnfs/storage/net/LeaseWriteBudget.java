package org.cairnfs.storage.net;

import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import org.cairnfs.protocol.message.ErrorCode;
import org.cairnfs.protocol.server.StorageException;

/**
 * How many bytes of lease records each peer address may have the lease database write.
 *
 * <p>Why: a share's leases are one record (up to about 8.7 KiB, 64 leases) that any change
 * rewrites whole, so an ADD_LEASE of about 60 bytes on an index of 512 shares whose lease slots
 * someone filled from minted node ids costs the server about 4 MiB of log writes and their sync.
 * Renewing a lease renewed moments ago writes nothing (the lease database's granularity), but
 * new owners and changed secrets do, and anyone may ask for them. The cost of a request is
 * known only once it ran, so it is charged after, and an address still in debt is answered
 * BUSY: at most {@code burst} bytes ahead of {@code rate}, plus the one request that overdraws.
 *
 * <p>A generic cell-rate account (the time at which each address's charges are paid off).
 * Addresses are counted as the other per-address limits count them (IPv6: /64). Thread-safe.
 * Memory: one entry per address with charges not yet paid off; at {@code maxAddresses} the
 * paid-off ones are dropped, and if none is, a new address is refused until one is (an
 * ALLOCATE naming no held share is never refused, and its charge, if a share became held
 * meanwhile, is still recorded: addresses so added are bounded by the connections).
 */
final class LeaseWriteBudget {
  /** Sustained lease-record bytes per second per address. */
  static final long DEFAULT_RATE = 1L << 20;
  /** Lease-record bytes an address may write at once before the rate applies. */
  static final long DEFAULT_BURST = 16L << 20;
  static final int DEFAULT_MAX_ADDRESSES = 4096;

  private final long rate;
  private final long burstNanos;
  private final int maxAddresses;
  private final LongSupplier nanoTime;
  private final Map<Object, Long> paidOffAt = new HashMap<>();

  LeaseWriteBudget(long bytesPerSecond, long burstBytes, int maxAddresses, LongSupplier nanoTime) {
    if (bytesPerSecond <= 0 || bytesPerSecond > 1L << 32 || burstBytes < 0
        || maxAddresses <= 0) {
      throw new IllegalArgumentException("lease write budget needs a rate of 1 to 2^32 bytes/s,"
          + " a positive address count and a burst of at least 0: " + bytesPerSecond + ", " + burstBytes + ", "
          + maxAddresses);
    }
    this.rate = bytesPerSecond;
    this.maxAddresses = maxAddresses;
    this.nanoTime = nanoTime;
    this.burstNanos = nanosFor(burstBytes);
  }

  static LeaseWriteBudget standard() {
    return new LeaseWriteBudget(DEFAULT_RATE, DEFAULT_BURST, DEFAULT_MAX_ADDRESSES,
        System::nanoTime);
  }

  /** Refuses with BUSY while {@code address} owes more than the burst. */
  synchronized void check(Object address) throws StorageException {
    long now = nanoTime.getAsLong();
    Long paid = paidOffAt.get(address);
    if (paid == null) {
      if (paidOffAt.size() >= maxAddresses) {
        paidOffAt.values().removeIf(t -> t - now <= 0);
        if (paidOffAt.size() >= maxAddresses) {
          throw new StorageException(ErrorCode.BUSY, "server busy: too many addresses are"
              + " writing lease records; try again in a few seconds");
        }
      }
      return;
    }
    long owed = paid - now;
    if (owed > burstNanos) {
      throw new StorageException(ErrorCode.BUSY, "address busy: its lease requests made the"
          + " server write more lease records than " + rate + " bytes/s allows; try again in "
          + ((owed - burstNanos + 999_999_999L) / 1_000_000_000L) + " s");
    }
  }

  /** Whether {@link #check} would refuse {@code address} for its debt. */
  synchronized boolean inDebt(Object address) {
    Long paid = paidOffAt.get(address);
    return paid != null && paid - nanoTime.getAsLong() > burstNanos;
  }

  /** Charges {@code bytes} of lease records written for {@code address}. */
  synchronized void charge(Object address, long bytes) {
    if (bytes <= 0) {
      return;
    }
    long now = nanoTime.getAsLong();
    if (paidOffAt.size() >= maxAddresses) {
      paidOffAt.values().removeIf(t -> t - now <= 0);
    }
    Long paid = paidOffAt.get(address);
    long from = paid == null || paid - now < 0 ? now : paid;
    paidOffAt.put(address, from + nanosFor(bytes));
  }

  /** Addresses with charges not yet paid off, or not yet swept (tests). */
  synchronized int tracked() {
    return paidOffAt.size();
  }

  /** Nanoseconds {@code bytes} take at the rate, capped at a day (times compare by difference). */
  private long nanosFor(long bytes) {
    long day = 86_400_000_000_000L;
    if (bytes / rate >= 86_400) {
      return day;
    }
    return bytes / rate * 1_000_000_000L + bytes % rate * 1_000_000_000L / rate;
  }
}
