package org.cairnfs.storage.store;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.cairnfs.storage.lease.LeaseDb;
import org.cairnfs.storage.lease.ShareCharge;

/**
 * Decides whether new bytes fit, and holds reservations for bytes promised but not yet
 * recorded (uploads in progress, slot versions being written).
 *
 * <p>Two quantities are counted, because the two limits see different things. Against
 * max-space: recorded shares' charges ({@link ShareCharge}: at least 4 KiB each, kept by the
 * lease database) + every reservation. Against the reserved
 * free disk space: the disk's usable bytes already show what has been written, so only the
 * <em>outstanding</em> part of each reservation (promised but not yet written) is subtracted
 * from them. Without that, N allocations each just under the free space all passed (nothing
 * was written yet, so the disk still looked empty) and together filled the disk. Checks and
 * reservations happen under one lock so two requests cannot both take the last free bytes.
 *
 * <p>Reservations made for a client are counted per account (its peer address): an account's
 * outstanding bytes stay within its share of what is free ({@link #ACCOUNT_SHARE}, at least
 * {@link #ACCOUNT_FLOOR}), so that one address declaring huge uploads it never writes cannot
 * leave every other client {@code SERVER_FULL}.
 */
final class SpaceBudget {
  private final StoreLimits limits;
  private final FreeSpace freeSpace;
  private final LeaseDb leases;
  /** Bytes of all live reservations. */
  private long reserved;
  /** Bytes of live reservations not yet written to disk. */
  private long outstanding;
  /** {@link #outstanding} per account, for reservations made with one. */
  private final Map<Object, Long> outstandingByAccount = new HashMap<>();

  /**
   * An account's outstanding bytes may be at most this fraction (1 / n) of what is free for new
   * reservations, counting its own: with k addresses each taking its share, (3/4)^k is left.
   */
  static final int ACCOUNT_SHARE = 4;
  /** ... but always at least this much, so a small or nearly full server takes a few uploads. */
  static final long ACCOUNT_FLOOR = 64L << 20;

  SpaceBudget(StoreLimits limits, FreeSpace freeSpace, LeaseDb leases) {
    this.limits = limits;
    this.freeSpace = freeSpace;
    this.leases = leases;
  }

  /**
   * Bytes promised to one upload or slot write: {@code quota} bytes counted against
   * max-space, {@code disk} bytes against the free disk until written. Told how much is on
   * disk as it is written; released exactly once (later calls do nothing).
   */
  final class Reservation {
    private final long quota;
    private final long disk;
    private final Object account;
    private long written;
    private boolean released;

    private Reservation(long quota, long disk, long written, Object account) {
      this.quota = quota;
      this.disk = disk;
      this.written = written;
      this.account = account;
    }

    /** {@code total} bytes of this reservation are now on disk (never counts down). */
    void written(long total) {
      synchronized (SpaceBudget.this) {
        if (released) {
          return;
        }
        long now = Math.min(disk, Math.max(written, total));
        outstanding -= now - written;
        charge(account, -(now - written));
        written = now;
      }
    }

    /** Bytes not yet written that this reservation holds for {@code account}, else 0. */
    long outstandingFor(Object account) {
      synchronized (SpaceBudget.this) {
        return released || account == null || !account.equals(this.account) ? 0 : disk - written;
      }
    }

    /** Bytes this reservation counts against max-space. */
    long quota() {
      return quota;
    }

    void release() {
      synchronized (SpaceBudget.this) {
        if (released) {
          return;
        }
        released = true;
        reserved -= quota;
        outstanding -= disk - written;
        charge(account, -(disk - written));
      }
    }
  }

  StoreLimits limits() {
    return limits;
  }

  void checkShareSize(long size) throws StoreException {
    if (size < 0) {
      throw StoreException.badRequest("share size must not be negative: " + size);
    }
    if (size > limits.maxShareSize()) {
      throw new StoreException(StoreException.Reason.SHARE_TOO_BIG, "share of " + size
          + " bytes is over this server's maximum share size of " + limits.maxShareSize());
    }
  }

  /** Reserves {@code bytes} not yet on disk, or says why they do not fit. */
  synchronized Reservation reserve(long bytes) throws StoreException, IOException {
    return reserveEach(bytes, 1, null).get(0);
  }

  /**
   * Reserves {@code count} separate reservations of {@code bytes} each for {@code account}
   * (null: none, unbounded), all or none, or says why they do not fit.
   */
  synchronized List<Reservation> reserveEach(long bytes, int count, Object account)
      throws StoreException, IOException {
    long total;
    try {
      total = Math.multiplyExact(Math.max(0, bytes), (long) count);
    } catch (ArithmeticException e) {
      throw new StoreException(StoreException.Reason.SERVER_FULL,
          count + " shares of " + bytes + " bytes cannot fit");
    }
    List<Reservation> out = new ArrayList<>(count);
    if (total > 0) {
      checkMaxSpace(total);
      checkDisk(total);
      checkAccount(account, total, 0);
    }
    checkInodes(2L * count); // each share's file and, at its close, its storage index's directory
    for (int i = 0; i < count; i++) {
      out.add(add(Math.max(0, bytes), Math.max(0, bytes), 0, account));
    }
    return out;
  }

  /**
   * Reserves {@code bytes} not yet on disk for a new version of a share whose held version is
   * charged {@code replacedCharge} (0: none held): only the growth of the charge counts against
   * max-space (a version that replaces another of its size fits a full server), the whole
   * against the free disk until written. Its staged file takes an inode, and a new slot (none
   * held) its storage index's directory too. For {@code account} (null: none), {@code credit}
   * bytes it holds in a reservation the new one replaces (a restart's, released right after)
   * do not count against its share.
   */
  synchronized Reservation reserveReplacing(long bytes, long replacedCharge, Object account,
      long credit) throws StoreException, IOException {
    long b = Math.max(0, bytes);
    long growth = Math.max(0, ShareCharge.of(b) - Math.max(0, replacedCharge));
    if (growth > 0) {
      checkMaxSpace(growth);
    }
    if (b > 0) {
      checkDisk(b);
      checkAccount(account, b, credit);
    }
    checkInodes(replacedCharge > 0 ? 1 : 2);
    return add(growth, b, 0, account);
  }

  /**
   * Refuses new files that would leave fewer free inodes than {@link #inodeReserve}: shares
   * are files, so empty ones cost inodes and no bytes, and a disk out of inodes fails every
   * program on it.
   */
  private void checkInodes(long files) throws StoreException, IOException {
    Inodes inodes = freeSpace.inodes();
    if (inodes.unlimited()) {
      return;
    }
    long reserve = inodeReserve(inodes.total());
    if (inodes.free() - files < reserve) {
      throw new StoreException(StoreException.Reason.SERVER_FULL, "server full: " + files
          + " more files would leave " + Math.max(0, inodes.free() - files) + " of the disk's "
          + inodes.total() + " inodes free, below the reserve of " + reserve);
    }
  }

  /**
   * Whether {@code bytes} more would still leave the reserved space free on disk, once every
   * outstanding reservation is written (for what no reservation covers: lease records).
   */
  synchronized boolean diskHolds(long bytes) throws IOException {
    return freeSpace.usableBytes() - outstanding - bytes >= limits.reservedSpace();
  }

  /** Free inodes the store never takes: 5 % of the file system's, at most 65 536. */
  static long inodeReserve(long totalInodes) {
    return Math.min(65_536, totalInodes / 20);
  }

  private void checkDisk(long total) throws StoreException, IOException {
    long usable = freeSpace.usableBytes();
    if (usable - outstanding - total < limits.reservedSpace()) {
      throw new StoreException(StoreException.Reason.SERVER_FULL, "server full: " + total
          + " more bytes would leave " + Math.max(0, usable - outstanding - total)
          + " bytes free on disk (" + usable + " free now, " + outstanding
          + " promised to uploads in progress), below the reserved " + limits.reservedSpace());
    }
  }

  /**
   * Reserves {@code bytes} that are already on disk (a staged slot version about to be
   * recorded): checked against max-space only, since the disk's free space already shows them.
   */
  synchronized Reservation reserveWritten(long bytes) throws StoreException {
    long b = Math.max(0, bytes);
    if (b > 0) {
      checkMaxSpace(b);
    }
    return add(b, 0, 0, null);
  }

  /**
   * Reserves free disk for {@code bytes} about to be staged whose max-space charge is settled
   * when they are recorded ({@link #reserveWritten}); not counted against max-space.
   */
  synchronized Reservation reserveStaging(long bytes) throws StoreException, IOException {
    long b = Math.max(0, bytes);
    if (b > 0) {
      checkDisk(b);
    }
    checkInodes(2);
    return add(0, b, 0, null);
  }

  private void checkMaxSpace(long bytes) throws StoreException {
    long used = usedBytes();
    if (bytes > limits.maxSpace() - used) {
      throw new StoreException(StoreException.Reason.SERVER_FULL, "server full: " + bytes
          + " more bytes would exceed max space " + limits.maxSpace() + " (" + used
          + " used)");
    }
  }

  private Reservation add(long quota, long disk, long written, Object account) {
    reserved += quota;
    outstanding += disk - written;
    charge(account, disk - written);
    return new Reservation(quota, disk, written, account);
  }

  /** Moves {@code account}'s outstanding bytes by {@code delta}; under this object's lock. */
  private void charge(Object account, long delta) {
    if (account != null && delta != 0) {
      outstandingByAccount.merge(account, delta, (a, b) -> a + b == 0 ? null : a + b);
    }
  }

  /**
   * Refuses {@code bytes} more for {@code account} past its share of what is free for new
   * reservations (its own outstanding bytes counted in, less {@code credit} about to go).
   */
  private void checkAccount(Object account, long bytes, long credit)
      throws StoreException, IOException {
    if (account == null) {
      return;
    }
    long mine = Math.max(0, outstandingByAccount.getOrDefault(account, 0L) - credit);
    long allowance = Math.max(ACCOUNT_FLOOR, (freeBytes() + mine) / ACCOUNT_SHARE);
    if (bytes > allowance - mine) {
      throw new StoreException(StoreException.Reason.SERVER_FULL, "server full for this"
          + " address: " + bytes + " more bytes would take its uploads under way to "
          + (mine + bytes) + " bytes not yet written, over its share of " + allowance
          + " (a quarter of the space free for uploads, at least " + ACCOUNT_FLOOR + ")");
    }
  }

  /** An account's reserved bytes not yet written (tests). */
  synchronized long outstandingBytes(Object account) {
    return outstandingByAccount.getOrDefault(account, 0L);
  }

  /**
   * Bytes a new reservation could still take: under max-space, and above the reserved free
   * space once every outstanding reservation has been written.
   */
  synchronized long freeBytes() throws IOException {
    long underMax = limits.maxSpace() - usedBytes();
    long onDisk = freeSpace.usableBytes() - outstanding - limits.reservedSpace();
    return Math.max(0, Math.min(underMax, onDisk));
  }

  /** Recorded shares' charges plus reservations. */
  synchronized long usedBytes() {
    return leases.totalShareBytes() + reserved;
  }

  synchronized long reservedBytes() {
    return reserved;
  }

  /** Reserved bytes not yet written to disk. */
  synchronized long outstandingBytes() {
    return outstanding;
  }
}
