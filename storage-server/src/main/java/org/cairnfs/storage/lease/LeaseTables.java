package org.cairnfs.storage.lease;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lease database's tables in one SQLite file (schema in {@code
 * docs/specs/storage-layout.md} section 6): share records, per-owner bytes and a few named
 * values. One connection, used by one thread at a time (callers hold {@link LeaseDb}'s monitor);
 * every change joins the open transaction until {@link #commit}, or {@link #close} drops it.
 *
 * <p>Why SQLite in WAL mode: a commit appends the changed pages to the log and syncs it once
 * (the old MapDB store wrote, re-read and synced a new log file per commit, a third of a busy
 * server's CPU); a failed commit (a full disk) rolls back cleanly; its page cache keeps memory
 * bounded whatever the number of shares. Exclusive locking: a second server opening the same
 * file is refused, and no shared-memory index file is made.
 */
final class LeaseTables implements AutoCloseable {
  /** v3: totals and owners' bytes count each share's {@link ShareCharge}, not its size. */
  static final String SCHEMA = "cairn-lease-db-v3";
  /** Totals and owners' bytes counted share sizes; migrated on open. */
  static final String SCHEMA_V2 = "cairn-lease-db-v2";
  /** {@code PRAGMA application_id} of a lease database: "CAIR". */
  static final int APPLICATION_ID = 0x43414952;
  private static final Logger LOG = LoggerFactory.getLogger(LeaseTables.class);
  static final int SQLITE_IOERR = 10;
  private static final java.util.regex.Pattern ERROR_CODE =
      java.util.regex.Pattern.compile("error code=(\\d+)");

  private final Connection connection;
  private final PreparedStatement findShare;
  private final PreparedStatement putShare;
  private final PreparedStatement deleteShare;
  private final PreparedStatement keysAfter;
  private final PreparedStatement firstKeys;
  private final PreparedStatement findOwner;
  private final PreparedStatement putOwner;
  private final PreparedStatement deleteOwner;
  private final PreparedStatement findValue;
  private final PreparedStatement putValue;

  private LeaseTables(Connection connection) throws SQLException {
    this.connection = connection;
    findShare = connection.prepareStatement("SELECT record FROM shares WHERE key = ?");
    putShare = connection.prepareStatement("INSERT OR REPLACE INTO shares(key, record) VALUES (?, ?)");
    deleteShare = connection.prepareStatement("DELETE FROM shares WHERE key = ?");
    keysAfter = connection.prepareStatement(
        "SELECT key FROM shares WHERE key > ? ORDER BY key LIMIT ?");
    firstKeys = connection.prepareStatement("SELECT key FROM shares ORDER BY key LIMIT ?");
    findOwner = connection.prepareStatement("SELECT bytes FROM owners WHERE owner = ?");
    putOwner = connection.prepareStatement("INSERT OR REPLACE INTO owners(owner, bytes) VALUES (?, ?)");
    deleteOwner = connection.prepareStatement("DELETE FROM owners WHERE owner = ?");
    findValue = connection.prepareStatement("SELECT value FROM meta WHERE name = ?");
    putValue = connection.prepareStatement("INSERT OR REPLACE INTO meta(name, value) VALUES (?, ?)");
  }

  /**
   * Opens an existing database file for a server (which holds its {@link LeaseDbLock}): WAL
   * journal synced on every commit, SQLite's lock kept (no shared-memory file), and with {@code
   * checkPages} every page checked ({@code quick_check}: reads the whole file), so damage shows
   * at start rather than mid-operation. Writes nothing: a full disk still opens.
   *
   * @throws SQLException as SQLite reports it; {@link LeaseDbDamagedException#isDamage} tells
   *     damage from other failures
   */
  static LeaseTables open(Path file, boolean checkPages) throws SQLException {
    Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
    try {
      try (Statement s = c.createStatement()) {
        s.execute("PRAGMA busy_timeout = 0");
        s.execute("PRAGMA locking_mode = EXCLUSIVE");
        s.execute("PRAGMA journal_mode = WAL");
        s.execute("PRAGMA synchronous = FULL");
        try (ResultSet rs = s.executeQuery(checkPages ? "PRAGMA quick_check" : "SELECT 'ok'")) {
          List<String> problems = new ArrayList<>();
          while (rs.next()) {
            problems.add(rs.getString(1));
          }
          if (!problems.equals(List.of("ok"))) {
            String found = String.join("; ", problems.subList(0, Math.min(3, problems.size())));
            // A page that could not be read (an I/O error) is not a page that is wrong.
            boolean io = problems.stream().anyMatch(LeaseTables::isReadError);
            throw new SQLException("quick_check found: " + found, io ? "io" : "damaged",
                io ? SQLITE_IOERR : LeaseDbDamagedException.SQLITE_CORRUPT);
          }
        }
      }
      c.setAutoCommit(false);
      return new LeaseTables(c);
    } catch (SQLException | RuntimeException e) {
      closeQuietly(c, e);
      throw e;
    }
  }

  /** Creates the file if absent, refuses what would lose leases, opens it; caller holds the lock. */
  static LeaseTables openOrCreate(Path file) throws IOException {
    Path log = file.resolveSibling(file.getFileName() + "-wal");
    if (!Files.exists(file)) {
      if (Files.exists(log)) {
        // SQLite would replay this log into a new database, and the moved file would lack it.
        throw new IOException("lease database log " + log + " exists without its database "
            + file + ": the database was moved or deleted without its log. Put the database"
            + " back beside it, or move " + log + " to wherever the database went, then start"
            + " again");
      }
      create(file, LeaseTables::fillNew);
    } else if (Files.size(file) == 0) {
      // SQLite would take an empty file for a new database and drop every lease silently.
      throw new LeaseDbDamagedException(file, new IllegalStateException("it is empty"));
    }
    try {
      return open(file, true);
    } catch (SQLException e) {
      if (LeaseDbDamagedException.isDamage(e)) {
        throw new LeaseDbDamagedException(file, e);
      }
      throw new IOException("cannot open lease database " + file + ": "
          + describe(e), e);
    }
  }

  /** The values of a new, empty database. */
  static void fillNew(LeaseTables tables) throws SQLException {
    byte[] salt = new byte[32];
    new SecureRandom().nextBytes(salt);
    tables.putValue("implicit-lease-salt", salt);
    tables.putValue("total-share-bytes", 0L);
  }

  /**
   * Writes a new database with its tables and {@code values} (plus whatever {@code fill} adds)
   * beside {@code file}, syncs it and renames it into place, so {@code file} exists only
   * complete: a crash leaves no database, or a whole one.
   */
  static void create(Path file, Fill fill) throws IOException {
    Path part = file.resolveSibling(file.getFileName() + ".new");
    Files.deleteIfExists(part);
    Files.deleteIfExists(part.resolveSibling(part.getFileName() + "-journal"));
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + part.toAbsolutePath())) {
      try (Statement s = c.createStatement()) {
        // Nothing to protect until the rename: no journal, no syncs; one sync at the end.
        s.execute("PRAGMA journal_mode = OFF");
        s.execute("PRAGMA synchronous = OFF");
        s.execute("PRAGMA application_id = " + APPLICATION_ID);
        s.execute("CREATE TABLE meta (name TEXT PRIMARY KEY, value NOT NULL) WITHOUT ROWID");
        s.execute("CREATE TABLE shares (key BLOB PRIMARY KEY, record BLOB NOT NULL)"
            + " WITHOUT ROWID");
        s.execute("CREATE TABLE owners (owner BLOB PRIMARY KEY, bytes INTEGER NOT NULL)"
            + " WITHOUT ROWID");
      }
      c.setAutoCommit(false);
      LeaseTables tables = new LeaseTables(c);
      tables.putValue("schema", SCHEMA);
      fill.into(tables);
      tables.commit();
    } catch (SQLException e) {
      throw new IOException("cannot create lease database " + part + ": " + describe(e), e);
    }
    try (FileChannel ch = FileChannel.open(part, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
    Files.move(part, file, StandardCopyOption.ATOMIC_MOVE);
    syncDirectory(file.toAbsolutePath().getParent());
  }

  /** What {@link #create} writes into a new database before it is synced. */
  @FunctionalInterface
  interface Fill {
    void into(LeaseTables tables) throws SQLException, IOException;
  }

  byte[] findShare(byte[] key) throws SQLException {
    findShare.setBytes(1, key);
    try (ResultSet rs = findShare.executeQuery()) {
      return rs.next() ? rs.getBytes(1) : null;
    }
  }

  void putShare(byte[] key, byte[] record) throws SQLException {
    putShare.setBytes(1, key);
    putShare.setBytes(2, record);
    putShare.executeUpdate();
  }

  void deleteShare(byte[] key) throws SQLException {
    deleteShare.setBytes(1, key);
    deleteShare.executeUpdate();
  }

  /** Up to {@code max} keys after {@code after} (null: from the first), in byte order. */
  List<byte[]> keysAfter(byte[] after, int max) throws SQLException {
    PreparedStatement q = after == null ? firstKeys : keysAfter;
    if (after == null) {
      q.setInt(1, max);
    } else {
      q.setBytes(1, after);
      q.setInt(2, max);
    }
    List<byte[]> out = new ArrayList<>();
    try (ResultSet rs = q.executeQuery()) {
      while (rs.next()) {
        out.add(rs.getBytes(1));
      }
    }
    return out;
  }

  long ownerBytes(byte[] owner) throws SQLException {
    findOwner.setBytes(1, owner);
    try (ResultSet rs = findOwner.executeQuery()) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }

  /** Sets an owner's bytes; 0 removes its row. */
  void setOwnerBytes(byte[] owner, long bytes) throws SQLException {
    if (bytes == 0) {
      deleteOwner.setBytes(1, owner);
      deleteOwner.executeUpdate();
    } else {
      putOwner.setBytes(1, owner);
      putOwner.setLong(2, bytes);
      putOwner.executeUpdate();
    }
  }

  /** A named value (text, blob or integer as stored), or null. */
  Object value(String name) throws SQLException {
    findValue.setString(1, name);
    try (ResultSet rs = findValue.executeQuery()) {
      return rs.next() ? rs.getObject(1) : null;
    }
  }

  void putValue(String name, Object value) throws SQLException {
    putValue.setString(1, name);
    putValue.setObject(2, value);
    putValue.executeUpdate();
  }

  /**
   * Migrates a v2 database to v3, if it is one: recomputes the total and every owner's bytes
   * from the records with {@link ShareCharge} (a page of keys at a time; memory grows with
   * owners, not shares) and commits them with the new schema in one transaction. A record that
   * does not decode is damage (the server does not start, as for damage found later); a failed
   * write (a full disk) leaves the file v2.
   */
  static void migrateV2(LeaseTables tables, Path file) throws SQLException, IOException {
    if (!SCHEMA_V2.equals(tables.value("schema"))) {
      return;
    }
    LOG.info("lease database {} is {}: charging every share at least {} bytes ({})", file,
        SCHEMA_V2, ShareCharge.MIN_BYTES, SCHEMA);
    ChargeTotals totals = new ChargeTotals();
    byte[] after = null;
    for (List<byte[]> page = tables.keysAfter(null, 1024); !page.isEmpty();
        page = tables.keysAfter(after, 1024)) {
      for (byte[] key : page) {
        ShareRecord record;
        try {
          record = ShareRecordCodec.decode(tables.findShare(key));
        } catch (IllegalArgumentException e) {
          throw new LeaseDbDamagedException(file, new IOException("the record of share key "
              + java.util.HexFormat.of().formatHex(key) + " does not decode: "
              + e.getMessage(), e));
        }
        totals.add(record);
      }
      after = page.get(page.size() - 1);
    }
    try {
      try (Statement s = tables.connection.createStatement()) {
        s.execute("DELETE FROM owners");
      }
      totals.writeTo(tables);
      tables.putValue("schema", SCHEMA);
      tables.commit();
    } catch (SQLException e) {
      throw new IOException("cannot migrate lease database " + file + " from " + SCHEMA_V2
          + " to " + SCHEMA + " (it is left as it was): " + describe(e), e);
    }
    LOG.info("lease database {} migrated to {}: {} share(s) now charged {} bytes", file, SCHEMA,
        totals.records(), totals.total());
  }

  /** Makes the next share lookup fail as a failed statement does (tests). */
  void breakFind() throws SQLException {
    findShare.close();
  }

  /** Caps the file at {@code pages} pages, so writes past it fail as on a full disk (tests). */
  void limitPages(long pages) throws SQLException {
    try (Statement s = connection.createStatement()) {
      s.execute("PRAGMA max_page_count = " + pages);
    }
  }

  long pageCount() throws SQLException {
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery("PRAGMA page_count")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  void commit() throws SQLException {
    connection.commit();
  }

  @Override
  public void close() throws SQLException {
    connection.close();
  }

  private static void closeQuietly(Connection c, Exception cause) {
    try {
      c.close();
    } catch (SQLException again) {
      cause.addSuppressed(again);
    }
  }

  /** A {@code quick_check} row saying a page could not be read ("error code=N", N an IOERR). */
  static boolean isReadError(String row) {
    java.util.regex.Matcher m = ERROR_CODE.matcher(row);
    return m.find() && (Integer.parseInt(m.group(1)) & 0xff) == SQLITE_IOERR;
  }

  /**
   * SQLite's message, and what to do when its native library could not be loaded (a temp dir
   * mounted noexec).
   */
  static String describe(SQLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof UnsatisfiedLinkError
          || t.getClass().getSimpleName().equals("NativeLibraryNotFoundException")) {
        return "SQLite's native library could not be loaded from the temp dir "
            + System.getProperty("org.sqlite.tmpdir", System.getProperty("java.io.tmpdir"))
            + " (" + t + "): if it is mounted noexec, point -Dorg.sqlite.tmpdir (in"
            + " CAIRN_JAVA_OPTS) at a directory where programs may run";
      }
    }
    return e.getMessage();
  }

  static void syncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // some file systems cannot sync a directory; the rename is still atomic
    }
  }
}
