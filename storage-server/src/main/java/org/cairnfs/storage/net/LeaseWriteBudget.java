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
 * known only once it ran, so a request is charged in advance the most it may write (a record of
 * {@link org.cairnfs.storage.lease.LeaseDb#MAX_RECORD_BYTES} per share), refunded down to what
 * it wrote after; an address in debt is answered BUSY: at most {@code burst} bytes ahead of
 * {@code rate}, plus the one request that overdraws. Requests running at once each take their
 * advance, so they cannot all pass on one balance.
 *
 * <p>A generic cell-rate account (the time at which each address's charges are paid off).
 * Addresses are counted as the connection limits count their widest group: an IPv4 address,
 * an IPv6 /48, since a holder of a /48 has 65 536 /64s. Thread-safe.
 * Memory: one entry per address with charges not yet paid off; at {@code maxAddresses} the
 * paid-off ones are dropped, and if none is, a new address is refused until one is (a request
 * whose advance is 0, an ALLOCATE naming no held share, is never refused, and its charge, if a
 * share became held meanwhile, is still recorded: addresses so added are bounded by the
 * connections).
 */
final class LeaseWriteBudget {
  /** Sustained lease-record bytes per second per address. */
  static final long DEFAULT_RATE = 1L << 20;
  /** Lease-record bytes an address may write at once before the rate applies. */
  static final long DEFAULT_BURST = 16L << 20;
  static final int DEFAULT_MAX_ADDRESSES = 4096;
  private static final long MAX_NANOS = 1L << 61;

  private final long rate;
  private final long burstNanos;
  private final int maxAddresses;
  private final LongSupplier nanoTime;
  private final Map<Object, Long> paidOffAt = new HashMap<>();

  LeaseWriteBudget(long bytesPerSecond, long burstBytes, int maxAddresses, LongSupplier nanoTime) {
    if (bytesPerSecond <= 0 || bytesPerSecond > 1L << 32 || burstBytes < 0
        || maxAddresses <= 0) {
      throw new IllegalArgumentException("lease write budget needs a rate of 1 to 2^32 bytes/s,"
          + " a positive address count and a burst of at least 0: " + bytesPerSecond + ", "
          + burstBytes + ", "
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
      if (!sweptRoom(now)) {
        throw new StorageException(ErrorCode.BUSY, "server busy: too many addresses are"
            + " writing lease records; try again in a few seconds");
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

  /**
   * {@link #check}, then charges {@code advance} at once: the most the request may write, so
   * requests running at the same time cannot all pass on one balance. {@link #settle} moves it
   * to what the request wrote.
   */
  synchronized void reserve(Object address, long advance) throws StorageException {
    check(address);
    charge(address, advance);
  }

  /** After a request that {@link #reserve reserved} {@code advance}: charges what it wrote. */
  synchronized void settle(Object address, long advance, long written) {
    if (written >= advance) {
      charge(address, written - advance);
      return;
    }
    Long paid = paidOffAt.get(address);
    if (paid == null) {
      return;
    }
    long now = nanoTime.getAsLong();
    long refunded = paid - nanosFor(advance - written);
    if (refunded - now <= 0) {
      paidOffAt.remove(address); // a refund earns no credit
    } else {
      paidOffAt.put(address, refunded);
    }
  }

  /** Charges {@code bytes} of lease records written for {@code address}. */
  synchronized void charge(Object address, long bytes) {
    if (bytes <= 0) {
      return;
    }
    long now = nanoTime.getAsLong();
    sweptRoom(now); // a charge is recorded even when no room is left
    Long paid = paidOffAt.get(address);
    long from = paid == null || paid - now < 0 ? now : paid;
    paidOffAt.put(address, from + nanosFor(bytes));
  }

  /**
   * Whether another address may be tracked; when the table is full, drops the addresses that
   * have paid off first.
   */
  private boolean sweptRoom(long now) {
    if (paidOffAt.size() >= maxAddresses) {
      paidOffAt.values().removeIf(t -> t - now <= 0);
    }
    return paidOffAt.size() < maxAddresses;
  }

  /** Addresses with charges not yet paid off, or not yet swept (tests). */
  synchronized int tracked() {
    return paidOffAt.size();
  }

  /**
   * Nanoseconds {@code bytes} take at the rate, capped at 2^61 (73 years; times compare by
   * difference, and a balance stays under burst + one advance, far below the cap).
   */
  private long nanosFor(long bytes) {
    if (bytes / rate >= MAX_NANOS / 1_000_000_000L) {
      return MAX_NANOS;
    }
    return bytes / rate * 1_000_000_000L + bytes % rate * 1_000_000_000L / rate;
  }
}
