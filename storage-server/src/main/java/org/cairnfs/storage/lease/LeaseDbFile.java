package org.cairnfs.storage.lease;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lease database file as one server holds it: its lock, its connection and its total.
 * Guarded by {@link LeaseDb}'s monitor, except {@link #total}.
 *
 * <p>Why the connection is dropped after any failure and reopened on next use: SQLite may have
 * rolled the transaction back by itself and the driver's state is not to be trusted, so nothing
 * runs on a connection in an unknown state; reopened, the file is as of its last commit.
 *
 * <p>Why the total is kept here: space checks read it on every allocation and write, without
 * the monitor, so it is held in memory; it follows the connection's commit, rollback and reopen.
 */
final class LeaseDbFile {
  private static final Logger LOG = LoggerFactory.getLogger(LeaseDbFile.class);

  private final Path path;
  private final LeaseDbLock lock;
  private final byte[] salt;
  /** The open connection, or null after a failure until the next operation reopens it. */
  private LeaseTables tables;
  private boolean closed;
  /** {@link #totalApplied} as of the last commit. */
  private long committedTotal;
  /** The stored total as applied so far. Written under the monitor only. */
  private volatile long totalApplied;

  private LeaseDbFile(Path path, LeaseDbLock lock, LeaseTables tables, byte[] salt, long total) {
    this.path = path;
    this.lock = lock;
    this.tables = tables;
    this.salt = salt;
    this.committedTotal = total;
    this.totalApplied = total;
  }

  /**
   * Takes the lock, imports an old (MapDB) database among {@code oldFiles} ({@link
   * MapDbImport}), opens (creating if absent) and migrates the file, and checks its schema and
   * values. On a refusal releases all it took.
   */
  static LeaseDbFile open(Path path, List<Path> oldFiles) throws IOException {
    LeaseDbLock lock = LeaseDbLock.acquire(path);
    try {
      MapDbImport.run(oldFiles, path);
      LeaseTables tables = LeaseTables.openOrCreate(path);
      try {
        LeaseTables.migrateV2(tables, path);
        Object found = tables.value("schema");
        if (!LeaseTables.SCHEMA.equals(found)) {
          throw new IllegalStateException("lease database has schema '" + found
              + "', this server understands '" + LeaseTables.SCHEMA + "'");
        }
        Object salt = tables.value("implicit-lease-salt");
        if (!(salt instanceof byte[]) || ((byte[]) salt).length != 32) {
          throw new IllegalStateException("lease database has no 32-byte implicit-lease-salt");
        }
        return new LeaseDbFile(path, lock, tables, (byte[]) salt, storedTotal(tables));
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
          throw new LeaseDbDamagedException(path, e);
        }
        if (e instanceof SQLException) {
          throw new IOException("cannot read lease database " + path + ": "
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

  Path path() {
    return path;
  }

  /** The database's 32-byte implicit-lease salt. */
  byte[] salt() {
    return salt;
  }

  /**
   * The open connection; reopened (without the page check of the first open) after a failure
   * dropped it.
   */
  LeaseTables tables() throws SQLException {
    if (closed) {
      throw new IllegalStateException("lease database " + path + " is closed");
    }
    if (tables == null) {
      tables = LeaseTables.open(path, false);
      long stored = storedTotal(tables);
      if (stored != committedTotal) {
        LOG.warn("lease database {} reopened with total {}, expected {}", path, stored,
            committedTotal);
      }
      committedTotal = stored;
      totalApplied = stored;
      LOG.info("lease database {} reopened after a failure", path);
    }
    return tables;
  }

  /** The stored total as applied so far, committed or not; readable without the monitor. */
  long total() {
    return totalApplied;
  }

  /** Stores {@code total} as the total, uncommitted. */
  void putTotal(long total) throws SQLException {
    tables().putValue("total-share-bytes", total);
    totalApplied = total;
  }

  /** Commits every change applied since the last commit. */
  void commit() {
    try {
      tables().commit();
    } catch (SQLException e) {
      throw failed("commit", e);
    }
    committedTotal = totalApplied;
  }

  /**
   * Drops every change since the last commit after {@code cause}, and the connection with them
   * (closing it rolls its transaction back); the next operation reopens the file at its last
   * commit.
   */
  void rollBack(Throwable cause) {
    totalApplied = committedTotal;
    dropTables(cause);
  }

  /** Closes the connection and releases the lock; what was not committed is dropped. Idempotent. */
  void close() {
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

  /** Closes the connection (it is reopened on next use unless closed). */
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

  private static long storedTotal(LeaseTables tables) throws SQLException {
    Object total = tables.value("total-share-bytes");
    if (!(total instanceof Number)) {
      throw new IllegalStateException("lease database has no total-share-bytes");
    }
    return ((Number) total).longValue();
  }

  static IllegalStateException failed(String what, SQLException e) {
    return new IllegalStateException("lease database " + what + " failed: " + e.getMessage(), e);
  }
}
