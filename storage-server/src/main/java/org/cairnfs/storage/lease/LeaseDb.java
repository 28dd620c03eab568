package org.cairnfs.storage.lease;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.cairnfs.storage.share.ShareKey;

/**
 * Leases and space accounting of one storage server, in an SQLite file with a write-ahead log
 * ({@link LeaseTables}).
 *
 * <p>Why transactions: every public operation returns only after a commit that
 * covers it (except {@link #applyShares}, whose caller awaits the commit it returns), so after
 * a crash the database holds every operation that returned, never half of one (for example a
 * share counted in the total but missing from its owner's usage). Changes are applied under
 * this object's monitor because a commit covers every change made since the last one.
 *
 * <p>Group commit: the costly part of a commit is syncing the write-ahead log, so operations
 * that arrive while a commit is running do not each commit: they apply their change and join
 * one batch, which the first of them to get the commit lock commits for all ({@link
 * GroupCommit}). A commit that fails rolls back and fails every operation of its batch.
 *
 * <p>Accounting rule: the total counts each held share's charge ({@link ShareCharge}: its size,
 * at least 4 KiB) once; each distinct owner with at least one lease on a share is charged that
 * share's whole charge ({@link ChargeChanges}).
 *
 * <p>Interrupts do not disturb it: SQLite's I/O is native and ignores them (the old MapDB store
 * closed its file for good when a thread inside it was interrupted).
 */
public final class LeaseDb implements AutoCloseable {

  /**
   * Lease slots per share open to owners; the last of {@link ShareRecord#MAX_LEASES} is kept for
   * the {@link LeaseOwner#OVERFLOW} lease.
   */
  public static final int OWNER_SLOTS = ShareRecord.MAX_LEASES - 1;

  /** The most bytes one share's record takes (8 789): what changing its leases may write. */
  public static final int MAX_RECORD_BYTES = ShareRecordCodec.MAX_LENGTH;

  /** The file, its connection and its total (guarded by the monitor, except its total). */
  private final LeaseDbFile file;
  private final LeaseRules rules;
  private final GroupCommit commits;

  private LeaseDb(LeaseDbFile file, LeaseRules rules, GroupCommit.Committer committer) {
    this.file = file;
    this.rules = rules;
    this.commits = new GroupCommit(this, file, committer);
  }

  /** The clock leases are timed by (also used by the store for open-write expiry). */
  public InstantSource clock() {
    return rules.clock();
  }

  /**
   * Opens (creating if absent) the database file, replaying its log after an unclean stop.
   *
   * @param leaseDuration how long a new or renewed lease lasts
   */
  public static LeaseDb open(Path file, InstantSource clock, Duration leaseDuration)
      throws IOException {
    return open(file, List.of(), clock, leaseDuration);
  }

  /**
   * {@link #open}, first importing the old (MapDB) database among {@code oldFiles} if one exists
   * ({@link MapDbImport}), under the same lock.
   */
  public static LeaseDb open(Path file, List<Path> oldFiles, InstantSource clock,
      Duration leaseDuration) throws IOException {
    return open(file, oldFiles, clock, leaseDuration, LeaseRules.DEFAULT_GRANULARITY);
  }

  /**
   * {@link #open(Path, List, InstantSource, Duration)} with renewals moving an expiry only by
   * at least {@code granularity} (and a hundredth of the lease duration): {@link LeaseRules}.
   */
  public static LeaseDb open(Path file, List<Path> oldFiles, InstantSource clock,
      Duration leaseDuration, Duration granularity) throws IOException {
    return open(file, oldFiles, clock, leaseDuration, granularity,
        (commit, operations) -> commit.run());
  }

  /** {@link #open}, committing through {@code committer} (tests). */
  static LeaseDb open(Path file, InstantSource clock, Duration leaseDuration,
      GroupCommit.Committer committer) throws IOException {
    return open(file, List.of(), clock, leaseDuration, LeaseRules.DEFAULT_GRANULARITY,
        committer);
  }

  private static LeaseDb open(Path file, List<Path> oldFiles, InstantSource clock,
      Duration leaseDuration, Duration granularity, GroupCommit.Committer committer)
      throws IOException {
    if (leaseDuration.isNegative() || leaseDuration.isZero()) {
      throw new IllegalArgumentException("lease duration must be positive: " + leaseDuration);
    }
    if (granularity.isNegative()) {
      throw new IllegalArgumentException("renewal granularity must not be negative: "
          + granularity);
    }
    LeaseDbFile opened = LeaseDbFile.open(file, oldFiles);
    return new LeaseDb(opened, new LeaseRules(clock, leaseDuration, granularity,
        opened.salt()), committer);
  }

  public Duration leaseDuration() {
    return rules.leaseDuration();
  }

  /**
   * Secrets of the lease a server grants by itself, for writes that carry no lease secrets
   * (mutable slot writes): see {@link LeaseRules#implicitSecrets}.
   */
  public LeaseSecrets implicitSecrets(LeaseOwner owner) {
    return rules.implicitSecrets(owner);
  }

  public synchronized Optional<ShareRecord> find(ShareKey key) {
    return lookup(key);
  }

  /** {@link #find}; caller holds the monitor. */
  private Optional<ShareRecord> lookup(ShareKey key) {
    byte[] value;
    try {
      value = file.tables().findShare(key.toBytes());
    } catch (SQLException e) {
      throw commits.abandon(LeaseDbFile.failed("read", e));
    }
    if (value == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(ShareRecordCodec.decode(value));
    } catch (IllegalArgumentException e) {
      throw damaged("the record of " + key, e);
    }
  }

  /**
   * A stored row that does not decode: SQLite checks its pages, not what they hold, so bytes
   * overwritten inside a record pass {@code quick_check} and are found here. Reported as the
   * damage it is, with the recovery steps, never as the client's bad request.
   */
  private UncheckedIOException damaged(String what, IllegalArgumentException e) {
    return new UncheckedIOException(new LeaseDbDamagedException(file.path(),
        new IOException(what + " does not decode: " + e.getMessage(), e)));
  }

  /**
   * Records that {@code key} now holds a version of {@code size} bytes (a closed upload, a new
   * slot version, or a share found on disk without a record), and adds or renews the lease of
   * {@code owner} as {@link #addLease} does. Charges the change in charge to every owner of
   * the share.
   *
   * <p>Never refuses for want of lease slots: the version is the data path, and a share full of
   * other owners' leases must not block its uploader or its slot writer (see storage-layout.md
   * section 5).
   */
  public void recordShare(ShareKey key, long size, long seqnum, LeaseOwner owner,
      LeaseSecrets secrets) {
    recordShares(List.of(new NewVersion(key, size, seqnum, owner, secrets)));
  }

  /** One share version to record, as {@link #recordShare} takes it. */
  public record NewVersion(ShareKey key, long size, long seqnum, LeaseOwner owner,
      LeaseSecrets secrets) {}

  /**
   * Records every version as {@link #recordShare} does, in one commit (one write-ahead-log
   * sync for the lot): after a crash either all of them are recorded or none. For group
   * commit of share closes.
   */
  public void recordShares(List<NewVersion> versions) {
    applyShares(versions).await();
  }

  /**
   * Applies the records of {@link #recordShares} at once (every later reader of this database
   * sees them) and returns what makes them durable: its {@link LeaseCommit#await} returns once a
   * commit covers them, or throws what failed that commit (which then drops them). Lets a
   * caller release its own locks before waiting for the log sync.
   */
  public LeaseCommit applyShares(List<NewVersion> versions) {
    ChargeChanges changes = new ChargeChanges(file);
    synchronized (this) {
      GroupCommit.Batch batch = commits.applying(() -> {
        for (NewVersion v : versions) {
          ShareRecord old = lookup(v.key()).orElse(null);
          ShareRecord base = old == null ? new ShareRecord(v.size(), v.seqnum(), List.of())
              : old.withVersion(v.size(), v.seqnum());
          changes.stage(v.key(), old, rules.withLease(v.key(), base, v.owner(), v.secrets()));
        }
        changes.settle();
      });
      return new LeaseCommit(commits, batch, changes.recordBytes());
    }
  }

  /**
   * Adds a lease for {@code owner} to a recorded share, or renews the owner's lease if it has
   * one (each owner holds at most one lease per share; new client secrets replace its old ones).
   * Leases that have run out are pruned first. When the share has no free owner slot ({@link
   * #OWNER_SLOTS} other owners hold live leases), the {@link LeaseOwner#OVERFLOW} lease is renewed
   * instead, so the share is still kept a lease period, and no lease is pushed out. Returns false
   * when no share is recorded under {@code key}.
   */
  public boolean addLease(ShareKey key, LeaseOwner owner, LeaseSecrets secrets) {
    return addLease(key, owner, secrets, true);
  }

  /**
   * {@link #addLease}; without {@code mayAddOwner} (no disk for another lease record) an owner
   * that holds no lease on the share renews the {@link LeaseOwner#OVERFLOW} lease instead.
   */
  public boolean addLease(ShareKey key, LeaseOwner owner, LeaseSecrets secrets,
      boolean mayAddOwner) {
    LeaseCommit applied = applyLease(key, owner, secrets, mayAddOwner);
    if (applied == null) {
      return false;
    }
    applied.await();
    return true;
  }

  /**
   * {@link #addLease}, applied at once (every later reader of this database sees it) without
   * waiting for its commit: returns what makes it durable, or null when no share is recorded
   * under {@code key}. Lets a caller change many shares under its own locks and wait for one
   * commit after releasing them, rather than for one log sync per share while holding them.
   */
  public synchronized LeaseCommit applyLease(ShareKey key, LeaseOwner owner,
      LeaseSecrets secrets, boolean mayAddOwner) {
    ShareRecord old = find(key).orElse(null);
    if (old == null) {
      return null;
    }
    return write(key, old, rules.withLease(key, old, owner, secrets, mayAddOwner));
  }

  /**
   * Extends to now + lease duration every lease on {@code key} made with this renew secret.
   * Returns whether one matched.
   */
  public boolean renewLease(ShareKey key, byte[] renewSecret) {
    LeaseCommit applied = applyRenewal(key, renewSecret);
    if (applied == null) {
      return false;
    }
    applied.await();
    return true;
  }

  /**
   * {@link #renewLease}, applied at once without waiting for its commit (as {@link
   * #applyLease}): returns what makes it durable, or null when no lease matched.
   */
  public LeaseCommit applyRenewal(ShareKey key, byte[] renewSecret) {
    byte[] hash = LeaseSecrets.hash(renewSecret, "renew");
    synchronized (this) {
      ShareRecord old = find(key).orElse(null);
      if (old == null) {
        return null;
      }
      ShareRecord renewed = rules.renewed(old, hash);
      return renewed == null ? null : write(key, old, renewed);
    }
  }

  /** What {@link #dropExpiredLeases} found. */
  public enum Expiry { NO_RECORD, LIVE, ALL_EXPIRED }

  /**
   * Removes the leases of {@code key} that have run out (uncharging owners left without a lease)
   * and says whether any remain. A share with none left keeps its record until
   * {@link #removeShare} so the caller can delete it in a safe order.
   */
  public Expiry dropExpiredLeases(ShareKey key) {
    LeaseCommit batch = null;
    List<Lease> live;
    synchronized (this) {
      ShareRecord old = find(key).orElse(null);
      if (old == null) {
        return Expiry.NO_RECORD;
      }
      live = rules.live(old.leases());
      if (live.size() != old.leases().size()) {
        batch = write(key, old, old.withLeases(live));
      }
    }
    if (batch != null) {
      batch.await();
    }
    return live.isEmpty() ? Expiry.ALL_EXPIRED : Expiry.LIVE;
  }

  /**
   * Whether any lease of {@code key} keeps it for a collection of what {@code owner} has not
   * given or renewed since {@code since} ({@link LeaseRules#keeps}); writes nothing. ALL_EXPIRED
   * means none does: the share may be removed ({@link #removeShare}).
   */
  public synchronized Expiry keptSince(ShareKey key, LeaseOwner owner, Instant since) {
    ShareRecord record = find(key).orElse(null);
    if (record == null) {
      return Expiry.NO_RECORD;
    }
    for (Lease lease : record.leases()) {
      if (rules.keeps(lease, owner, since)) {
        return Expiry.LIVE;
      }
    }
    return Expiry.ALL_EXPIRED;
  }

  /** Forgets a share and uncharges its size; no effect when it is not recorded. */
  public void removeShare(ShareKey key) {
    LeaseCommit batch;
    synchronized (this) {
      ShareRecord old = find(key).orElse(null);
      if (old == null) {
        return;
      }
      batch = write(key, old, null);
    }
    batch.await();
  }

  /**
   * Sets the recorded size of {@code key} to the size of the file actually held, keeping its
   * seqnum and leases and moving the accounting (startup reconciliation after a crash left the
   * database one slot version ahead of the file). Returns false when it is not recorded.
   */
  public boolean resizeShare(ShareKey key, long size) {
    LeaseCommit batch;
    synchronized (this) {
      ShareRecord old = find(key).orElse(null);
      if (old == null) {
        return false;
      }
      if (old.size() == size) {
        return true;
      }
      batch = write(key, old, old.withVersion(size, old.seqnum()));
    }
    batch.await();
    return true;
  }

  /**
   * Up to {@code max} recorded share keys after {@code after} (null: from the first) in key
   * order, so every record can be visited in pages without holding them all in memory. Keys
   * removed between pages do not disturb the walk.
   */
  public synchronized List<ShareKey> recordedKeys(ShareKey after, int max) {
    if (max < 1) {
      throw new IllegalArgumentException("page size must be positive, got " + max);
    }
    List<ShareKey> out = new ArrayList<>();
    try {
      for (byte[] key : file.tables().keysAfter(after == null ? null : after.toBytes(), max)) {
        try {
          out.add(ShareKey.fromBytes(key));
        } catch (IllegalArgumentException e) {
          throw damaged("a stored share key", e);
        }
      }
    } catch (SQLException e) {
      throw commits.abandon(LeaseDbFile.failed("read", e));
    }
    return out;
  }

  /** What all recorded shares are charged ({@link ShareCharge}), each counted once. */
  public long totalShareBytes() {
    return file.total();
  }

  /** Bytes charged to {@code owner}: the charges of all shares it holds a lease on. */
  public synchronized long ownerBytes(LeaseOwner owner) {
    try {
      return file.tables().ownerBytes(owner.toBytes());
    } catch (SQLException e) {
      throw commits.abandon(LeaseDbFile.failed("read", e));
    }
  }

  /** Closes the file; what was not committed is dropped. Idempotent. */
  @Override
  public synchronized void close() {
    file.close();
  }

  /**
   * Replaces {@code old} by {@code updated} (null: delete) and moves the accounting, uncommitted;
   * returns what to await. {@code updated == old} writes nothing (see {@link LeaseRules}: a
   * change too small to matter returns the record itself). Caller holds the monitor.
   */
  private LeaseCommit write(ShareKey key, ShareRecord old, ShareRecord updated) {
    if (updated == old) {
      return new LeaseCommit(commits, commits.uncommitted(), 0);
    }
    ChargeChanges changes = new ChargeChanges(file);
    GroupCommit.Batch batch = commits.applying(() -> {
      changes.stage(key, old, updated);
      changes.settle();
    });
    return new LeaseCommit(commits, batch, changes.recordBytes());
  }

  /**
   * Makes writes that need a page beyond the current ones fail as on a full disk, until a
   * failure reopens the connection (tests).
   */
  synchronized void fillDisk() throws SQLException {
    file.tables().limitPages(file.tables().pageCount());
  }

  /** Makes the next share lookup fail as a failed read does (tests). */
  synchronized void breakFind() throws SQLException {
    file.tables().breakFind();
  }

  /** The lock a commit holds; a test holding it makes operations pile up into one batch. */
  ReentrantLock commitLock() {
    return commits.commitLock();
  }
}
