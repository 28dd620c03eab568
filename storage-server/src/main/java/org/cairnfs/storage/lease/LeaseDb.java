package org.cairnfs.storage.lease;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;
import org.cairnfs.storage.share.ShareKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * one {@link CommitBatch}, which the first of them to get the commit lock commits for all (see
 * {@link #awaitDurable}). A commit that fails rolls back and fails every operation of its batch.
 *
 * <p>Accounting rule: the total counts each held share's charge ({@link ShareCharge}: its size,
 * at least 4 KiB) once; each distinct owner with at least one lease on a share is charged that
 * share's whole charge.
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
  private static final Logger LOG = LoggerFactory.getLogger(LeaseDb.class);

  private final Path file;
  private final LeaseDbLock lock;
  /**
   * The open connection, or null after a failure until the next operation reopens it (guarded
   * by the monitor).
   */
  private LeaseTables tables;
  private boolean closed;
  /** {@link #totalApplied} as of the last commit (guarded by the monitor). */
  private long committedTotal;
  /**
   * The stored total as applied so far, readable without the monitor: space checks run on
   * every allocation and write and must not wait for a commit's log sync. Written under the
   * monitor only; reloaded after a rollback.
   */
  private volatile long totalApplied;
  private final LeaseRules rules;
  private final Committer committer;
  /** Held by the one thread committing a batch; never taken while holding the monitor. */
  private final ReentrantLock commitLock = new ReentrantLock();
  /** The batch that changes applied now join (guarded by the monitor). */
  private CommitBatch open = new CommitBatch();

  /**
   * Runs the commit; tests inject one that counts, delays or fails it.
   */
  interface Committer {
    /** Runs {@code commit} (which syncs the log) for {@code operations} applied changes. */
    void commit(Runnable commit, int operations);
  }

  /** The operations applied since the last commit; they become durable, or fail, together. */
  private static final class CommitBatch {
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private int operations;
  }

  private LeaseDb(Path file, LeaseDbLock lock, LeaseTables tables, InstantSource clock,
      Duration leaseDuration, Committer committer) throws SQLException {
    this.file = file;
    this.lock = lock;
    this.tables = tables;
    this.committer = committer;
    Object found = tables.value("schema");
    if (!LeaseTables.SCHEMA.equals(found)) {
      // open() closes the database on this refusal
      throw new IllegalStateException("lease database has schema '" + found
          + "', this server understands '" + LeaseTables.SCHEMA + "'");
    }
    Object salt = tables.value("implicit-lease-salt");
    if (!(salt instanceof byte[]) || ((byte[]) salt).length != 32) {
      throw new IllegalStateException("lease database has no 32-byte implicit-lease-salt");
    }
    this.rules = new LeaseRules(clock, leaseDuration, (byte[]) salt);
    this.totalApplied = storedTotal(tables);
    this.committedTotal = totalApplied;
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
    return open(file, oldFiles, clock, leaseDuration, (commit, operations) -> commit.run());
  }

  /** {@link #open}, committing through {@code committer} (tests). */
  static LeaseDb open(Path file, InstantSource clock, Duration leaseDuration,
      Committer committer) throws IOException {
    return open(file, List.of(), clock, leaseDuration, committer);
  }

  private static LeaseDb open(Path file, List<Path> oldFiles, InstantSource clock,
      Duration leaseDuration, Committer committer) throws IOException {
    if (leaseDuration.isNegative() || leaseDuration.isZero()) {
      throw new IllegalArgumentException("lease duration must be positive: " + leaseDuration);
    }
    LeaseDbLock lock = LeaseDbLock.acquire(file);
    try {
      MapDbImport.run(oldFiles, file);
      LeaseTables tables = LeaseTables.openOrCreate(file);
      try {
        LeaseTables.migrateV2(tables, file);
        return new LeaseDb(file, lock, tables, clock, leaseDuration, committer);
      } catch (SQLException | IOException | RuntimeException e) {
        try {
          tables.close();
        } catch (SQLException again) {
          e.addSuppressed(again);
        }
        if (e instanceof IOException io) {
          throw io;
        }
        if (LeaseDbDamagedException.isDamage(e)) {
          throw new LeaseDbDamagedException(file, e);
        }
        if (e instanceof SQLException) {
          throw new IOException("cannot read lease database " + file + ": "
              + LeaseTables.describe((SQLException) e), e);
        }
        throw (RuntimeException) e;
      }
    } catch (IOException | RuntimeException e) {
      try {
        lock.close();
      } catch (IOException again) {
        e.addSuppressed(again);
      }
      throw e;
    }
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
      value = tables().findShare(key.toBytes());
    } catch (SQLException e) {
      throw abandon(failed("read", e));
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
    return new UncheckedIOException(new LeaseDbDamagedException(file,
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
   * sees them) and returns what makes them durable: its {@link Commit#await} returns once a
   * commit covers them, or throws what failed that commit (which then drops them). Lets a
   * caller release its own locks before waiting for the log sync.
   */
  public Commit applyShares(List<NewVersion> versions) {
    CommitBatch batch;
    synchronized (this) {
      batch = applying(() -> {
        Map<LeaseOwner, Long> owners = new HashMap<>();
        long total = 0;
        for (NewVersion v : versions) {
          ShareRecord old = lookup(v.key()).orElse(null);
          ShareRecord base = old == null ? new ShareRecord(v.size(), v.seqnum(), List.of())
              : old.withVersion(v.size(), v.seqnum());
          total += stage(v.key(), old, rules.withLease(v.key(), base, v.owner(), v.secrets()), owners);
        }
        settle(total, owners);
      });
    }
    return () -> awaitDurable(batch);
  }

  /** Changes applied but maybe not yet committed. */
  @FunctionalInterface
  public interface Commit {
    /**
     * Returns once the changes are committed.
     *
     * @throws IllegalStateException when their commit failed (they are rolled back)
     */
    void await();
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
    CommitBatch batch;
    synchronized (this) {
      ShareRecord old = find(key).orElse(null);
      if (old == null) {
        return false;
      }
      batch = write(key, old, rules.withLease(key, old, owner, secrets));
    }
    awaitDurable(batch);
    return true;
  }

  /**
   * Extends to now + lease duration every lease on {@code key} made with this renew secret.
   * Returns whether one matched.
   */
  public boolean renewLease(ShareKey key, byte[] renewSecret) {
    byte[] hash = LeaseSecrets.hash(renewSecret, "renew");
    CommitBatch batch;
    synchronized (this) {
      ShareRecord old = find(key).orElse(null);
      if (old == null) {
        return false;
      }
      ShareRecord renewed = rules.renewed(old, hash);
      if (renewed == null) {
        return false;
      }
      batch = write(key, old, renewed);
    }
    awaitDurable(batch);
    return true;
  }

  /** What {@link #dropExpiredLeases} found. */
  public enum Expiry { NO_RECORD, LIVE, ALL_EXPIRED }

  /**
   * Removes the leases of {@code key} that have run out (uncharging owners left without a lease)
   * and says whether any remain. A share with none left keeps its record until
   * {@link #removeShare} so the caller can delete it in a safe order.
   */
  public Expiry dropExpiredLeases(ShareKey key) {
    CommitBatch batch = null;
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
      awaitDurable(batch);
    }
    return live.isEmpty() ? Expiry.ALL_EXPIRED : Expiry.LIVE;
  }

  /** Forgets a share and uncharges its size; no effect when it is not recorded. */
  public void removeShare(ShareKey key) {
    CommitBatch batch;
    synchronized (this) {
      ShareRecord old = find(key).orElse(null);
      if (old == null) {
        return;
      }
      batch = write(key, old, null);
    }
    awaitDurable(batch);
  }

  /**
   * Sets the recorded size of {@code key} to the size of the file actually held, keeping its
   * seqnum and leases and moving the accounting (startup reconciliation after a crash left the
   * database one slot version ahead of the file). Returns false when it is not recorded.
   */
  public boolean resizeShare(ShareKey key, long size) {
    CommitBatch batch;
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
    awaitDurable(batch);
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
      for (byte[] key : tables().keysAfter(after == null ? null : after.toBytes(), max)) {
        try {
          out.add(ShareKey.fromBytes(key));
        } catch (IllegalArgumentException e) {
          throw damaged("a stored share key", e);
        }
      }
    } catch (SQLException e) {
      throw abandon(failed("read", e));
    }
    return out;
  }

  /** What all recorded shares are charged ({@link ShareCharge}), each counted once. */
  public long totalShareBytes() {
    return totalApplied;
  }

  /** Bytes charged to {@code owner}: the charges of all shares it holds a lease on. */
  public synchronized long ownerBytes(LeaseOwner owner) {
    try {
      return tables().ownerBytes(owner.toBytes());
    } catch (SQLException e) {
      throw abandon(failed("read", e));
    }
  }

  /** Closes the file; what was not committed is dropped. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    dropTables(null);
    try {
      lock.close();
    } catch (IOException e) {
      LOG.warn("releasing the lease database's lock failed", e);
    }
  }

  /**
   * The open connection; reopened (without the page check of the first open) after a failure
   * dropped it. Caller holds the monitor.
   */
  private LeaseTables tables() throws SQLException {
    if (closed) {
      throw new IllegalStateException("lease database " + file + " is closed");
    }
    if (tables == null) {
      tables = LeaseTables.open(file, false);
      long stored = storedTotal(tables);
      if (stored != committedTotal) {
        LOG.warn("lease database {} reopened with total {}, expected {}", file, stored,
            committedTotal);
      }
      committedTotal = stored;
      totalApplied = stored;
      LOG.info("lease database {} reopened after a failure", file);
    }
    return tables;
  }

  /** Closes the connection (it is reopened on next use unless closed); caller holds the monitor. */
  private void dropTables(Throwable cause) {
    if (tables == null) {
      return;
    }
    try {
      tables.close();
    } catch (SQLException e) {
      if (cause != null) {
        cause.addSuppressed(e);
      } else {
        LOG.warn("closing the lease database failed", e);
      }
    }
    tables = null;
  }

  /**
   * Replaces {@code old} by {@code updated} (null: delete) and moves the accounting, uncommitted;
   * returns the batch to await. Caller holds the monitor.
   */
  private CommitBatch write(ShareKey key, ShareRecord old, ShareRecord updated) {
    return applying(() -> apply(key, old, updated));
  }

  /**
   * Applies {@code change} and joins the open batch; caller holds the monitor. A change that
   * fails half-way is rolled back with the rest of the open batch (a transaction rolls back
   * whole), so that batch fails as a whole rather than commit without some of its operations.
   */
  private CommitBatch applying(Runnable change) {
    CommitBatch batch = open;
    try {
      change.run();
    } catch (RuntimeException | Error e) {
      abandon(e);
      throw e;
    }
    batch.operations++;
    return batch;
  }

  /**
   * After any failure of the database (a read too: SQLite may have rolled the transaction back
   * by itself, and the driver closes a failed statement for good), fails the open batch, rolls
   * back and drops the connection, so nothing runs on a connection in an unknown state and no
   * batch reports success for changes that were dropped. Caller holds the monitor; returns
   * {@code e}.
   */
  private <T extends Throwable> T abandon(T e) {
    CommitBatch failed = open;
    open = new CommitBatch();
    rollBack(e);
    failed.done.completeExceptionally(e);
    return e;
  }

  /**
   * Returns once {@code batch} is committed; throws what failed its commit. The first waiter
   * to get the commit lock while its batch is still open commits it (with every change applied
   * so far); the others find it done. A batch is always completed before the commit lock is
   * released, so no waiter can miss its outcome.
   */
  private void awaitDurable(CommitBatch batch) {
    if (!batch.done.isDone()) {
      commitLock.lock();
      try {
        if (!batch.done.isDone()) {
          commitOpen();
        }
      } finally {
        commitLock.unlock();
      }
    }
    try {
      batch.done.join();
    } catch (java.util.concurrent.CompletionException e) {
      Throwable cause = e.getCause();
      throw new IllegalStateException("lease database commit failed: " + cause, cause);
    }
  }

  /**
   * Makes writes that need a page beyond the current ones fail as on a full disk, until a
   * failure reopens the connection (tests).
   */
  synchronized void fillDisk() throws SQLException {
    tables().limitPages(tables().pageCount());
  }

  /** Makes the next share lookup fail as a failed read does (tests). */
  synchronized void breakFind() throws SQLException {
    tables().breakFind();
  }

  /** The lock a commit holds; a test holding it makes operations pile up into one batch. */
  ReentrantLock commitLock() {
    return commitLock;
  }

  /** Commits the open batch; caller holds the commit lock. */
  private void commitOpen() {
    CommitBatch batch;
    Throwable failure = null;
    synchronized (this) {
      batch = open;
      open = new CommitBatch();
      try {
        committer.commit(this::commitTables, batch.operations);
      } catch (RuntimeException | Error e) {
        failure = e;
        rollBack(e);
      }
    }
    if (failure == null) {
      batch.done.complete(null);
    } else {
      LOG.warn("lease database commit of {} operation(s) failed", batch.operations, failure);
      batch.done.completeExceptionally(failure);
    }
  }

  private void commitTables() {
    try {
      tables().commit();
    } catch (SQLException e) {
      throw failed("commit", e);
    }
    committedTotal = totalApplied;
  }

  /**
   * Drops every change since the last commit after {@code cause}, and the connection with them
   * (closing it rolls its transaction back): after a failure (a full disk, an I/O error) SQLite
   * may have rolled back on its own and the driver's state is not to be trusted, so the next
   * operation reopens the file at its last commit. Caller holds the monitor.
   */
  private void rollBack(Throwable cause) {
    totalApplied = committedTotal;
    dropTables(cause);
  }

  private static long storedTotal(LeaseTables tables) throws SQLException {
    Object total = tables.value("total-share-bytes");
    if (!(total instanceof Number)) {
      throw new IllegalStateException("lease database has no total-share-bytes");
    }
    return ((Number) total).longValue();
  }

  private static IllegalStateException failed(String what, SQLException e) {
    return new IllegalStateException("lease database " + what + " failed: " + e.getMessage(), e);
  }

  /** The change of {@link #write} without its commit. */
  private void apply(ShareKey key, ShareRecord old, ShareRecord updated) {
    Map<LeaseOwner, Long> owners = new HashMap<>();
    settle(stage(key, old, updated, owners), owners);
  }

  /**
   * Writes the record and adds the accounting it moves to {@code owners} (bytes per owner);
   * returns the change of the total. A batch stages all its records, then settles once: one
   * update of the total and of each owner's bytes instead of one per record.
   */
  private long stage(ShareKey key, ShareRecord old, ShareRecord updated,
      Map<LeaseOwner, Long> owners) {
    byte[] k = key.toBytes();
    try {
      if (updated == null) {
        tables().deleteShare(k);
      } else {
        tables().putShare(k, ShareRecordCodec.encode(updated));
      }
    } catch (SQLException e) {
      throw failed("write", e);
    }
    long oldSize = old == null ? 0 : ShareCharge.of(old.size());
    long newSize = updated == null ? 0 : ShareCharge.of(updated.size());
    if (old != null) {
      for (LeaseOwner owner : old.owners()) {
        owners.merge(owner, -oldSize, Long::sum);
      }
    }
    if (updated != null) {
      for (LeaseOwner owner : updated.owners()) {
        owners.merge(owner, newSize, Long::sum);
      }
    }
    return newSize - oldSize;
  }

  private void settle(long total, Map<LeaseOwner, Long> owners) {
    try {
      if (total != 0) {
        long now = totalApplied + total;
        tables().putValue("total-share-bytes", now);
        totalApplied = now;
      }
      for (Map.Entry<LeaseOwner, Long> e : owners.entrySet()) {
        if (e.getValue() != 0) {
          byte[] k = e.getKey().toBytes();
          tables().setOwnerBytes(k, tables().ownerBytes(k) + e.getValue());
        }
      }
    } catch (SQLException e) {
      throw failed("write", e);
    }
  }
}
