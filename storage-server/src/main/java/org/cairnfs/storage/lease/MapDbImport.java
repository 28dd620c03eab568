package org.cairnfs.storage.lease;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.mapdb.BTreeMap;
import org.mapdb.DB;
import org.mapdb.DBException;
import org.mapdb.DBMaker;
import org.mapdb.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries the lease database of earlier versions (a MapDB file, {@code leases.db}, in the node's
 * {@code private/} or, older still, in the storage dir) into the SQLite database, before the
 * server opens it.
 *
 * <p>Why it is safe at every crash point: the new database is written beside its place and
 * appears by one rename only once complete, naming the file it was imported from; the old file
 * is moved aside (never deleted) only after that. So with no new database the import is redone
 * from scratch; with both, a new database that names the old file as its source only needs the
 * clean-up, and any other pair is refused, both named, nothing touched.
 */
final class MapDbImport {
  private static final Logger LOG = LoggerFactory.getLogger(MapDbImport.class);
  static final String MAPDB_SCHEMA = "cairn-lease-db-v1";
  /** Suffix of an imported MapDB file, kept as it was. */
  public static final String IMPORTED = ".imported";

  private MapDbImport() {}

  /**
   * Makes {@code target} the one lease database: imports the MapDB file among {@code
   * candidates} that exists, finishes an import a crash interrupted, and does nothing when no
   * candidate exists.
   *
   * @throws IOException when two old databases exist, or an old one beside a new one it was not
   *     imported into (the message names them and what to do), or the old one cannot be read
   *     ({@link LeaseDbDamagedException} when its bytes are wrong)
   */
  static void run(List<Path> candidates, Path target) throws IOException {
    finishOldMoves(candidates);
    List<Path> found = new ArrayList<>();
    for (Path p : candidates) {
      Path abs = p.toAbsolutePath().normalize();
      if (!abs.equals(target.toAbsolutePath().normalize()) && !found.contains(abs)
          && Files.exists(abs)) {
        found.add(abs);
      }
    }
    if (found.isEmpty()) {
      return;
    }
    if (found.size() > 1) {
      throw new IOException("two old lease databases: " + found.get(0) + " and " + found.get(1)
          + "; the server will not guess which is right. Move the stray one away (with its"
          + " .wal.* files) and start again");
    }
    Path source = found.get(0);
    if (Files.exists(target)) {
      if (!identity(source).equals(importedFrom(target))) {
        throw new IOException("two lease databases: " + source + " (of an earlier version) and "
            + target + " (in use), which was not imported from it; the server will not guess"
            + " which is right. If this server already ran with " + target + ", move " + source
            + " and its .wal.* files away; if " + target + " is a stray copy, move it away"
            + " instead; then start again (" + importedFrom(target) + ")");
      }
      LOG.warn("finishing the import of {} into {}: moving the old file aside", source, target);
    } else {
      importInto(source, target);
    }
    for (Path p : mapDbFiles(source)) {
      Files.move(p, aside(p));
    }
    LeaseTables.syncDirectory(source.getParent());
  }

  private static void importInto(Path source, Path target) throws IOException {
    DB db;
    try {
      db = DBMaker.fileDB(source.toFile()).transactionEnable().fileChannelEnable().make();
    } catch (RuntimeException e) {
      if (LeaseDbDamagedException.isDamage(e)) {
        throw new LeaseDbDamagedException(source, e);
      }
      throw new IOException("cannot open old lease database " + source + ": " + e, e);
    }
    try {
      String schema = db.atomicString("schema").createOrOpen().get();
      if (!MAPDB_SCHEMA.equals(schema)) {
        throw new IOException("old lease database " + source + " has schema '" + schema
            + "', expected '" + MAPDB_SCHEMA + "'; move it aside and start again");
      }
      String salt = db.atomicString("implicit-lease-salt").createOrOpen().get();
      String[] identity = new String[1];
      BTreeMap<byte[], byte[]> shares = db.treeMap("shares", Serializer.BYTE_ARRAY,
          Serializer.BYTE_ARRAY).createOrOpen();
      ChargeTotals totals = new ChargeTotals();
      LeaseTables.create(target, tables -> {
        if (salt == null) {
          LeaseTables.fillNew(tables); // never written by a server that committed anything
        } else {
          tables.putValue("implicit-lease-salt", HexFormat.of().parseHex(salt));
        }
        // The accounting is recomputed from the records (the old totals are derived data).
        for (Map.Entry<byte[], byte[]> e : shares.entrySet()) {
          ShareRecord record = ShareRecordCodec.decode(e.getValue());
          tables.putShare(e.getKey(), e.getValue());
          totals.add(record);
        }
        totals.writeTo(tables);
        // The old file as it is once closed: what a later start compares to tell a leftover of
        // this import from another file at the same path.
        db.close();
        identity[0] = identity(source);
        tables.putValue("imported-from", identity[0]);
      });
      LOG.info("imported {} share record(s) from the old lease database {} into {}; the old file"
          + " is kept as {}", totals.records(), source, target, aside(source));
    } catch (RuntimeException | OutOfMemoryError e) {
      // Reading a file this version did not write: any failure but an I/O error is its bytes.
      // MapDB allocates what an overwritten length says (up to 2 GiB) before it reads: a record
      // of a few hundred bytes that does not fit the heap is damage too.
      if (e instanceof DBException.VolumeIOError && !LeaseDbDamagedException.isDamage(e)) {
        throw new IOException("cannot read old lease database " + source + ": " + e, e);
      }
      throw new LeaseDbDamagedException(source, LeaseDbDamagedException.isDamage(e)
          || e instanceof IllegalArgumentException ? (Exception) e
          : new IOException("its records do not read back (" + e + ")", e));
    } finally {
      if (!db.isClosed()) {
        db.close();
      }
    }
  }

  /**
   * The old file's path, size, modification time and file key: another file at that path (an
   * older version run again after the import) does not match.
   */
  static String identity(Path file) throws IOException {
    BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
    return file.toAbsolutePath().normalize() + " size=" + a.size() + " mtime="
        + a.lastModifiedTime().toMillis() + " key=" + a.fileKey();
  }

  /**
   * Earlier versions moved {@code <storage dir>/leases.db} to the node's {@code private/} with a
   * marker {@code <new>.moving} meaning "the old file is the live one" until the old main file
   * was deleted. A crash inside such a move leaves the marker: with the old file still there,
   * the new place holds a partial copy, set aside; without it the copy is whole. Either way the
   * marker goes.
   */
  private static void finishOldMoves(List<Path> candidates) throws IOException {
    for (Path copy : candidates) {
      Path marker = copy.resolveSibling(copy.getFileName() + ".moving");
      if (!Files.exists(marker)) {
        continue;
      }
      boolean otherLive = candidates.stream().anyMatch(p -> !p.equals(copy) && Files.exists(p));
      if (otherLive) {
        LOG.warn("an interrupted move of the lease database left a partial copy at {}; setting"
            + " it aside, the original stays the live one", copy);
        java.util.Set<Path> partial = new java.util.LinkedHashSet<>(
            Files.exists(copy) ? mapDbFiles(copy) : List.of());
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(copy.getParent(),
            copy.getFileName() + "*.part")) {
          ds.forEach(partial::add);
        }
        for (Path p : partial) {
          Path to = p.resolveSibling(p.getFileName() + ".partial");
          for (int i = 2; Files.exists(to); i++) {
            to = p.resolveSibling(p.getFileName() + ".partial." + i);
          }
          Files.move(p, to);
        }
      }
      Files.delete(marker);
      LeaseTables.syncDirectory(marker.getParent());
    }
  }

  /** The source a database was imported from, or null (also when it cannot be read). */
  static String importedFrom(Path target) {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + target.toAbsolutePath());
        PreparedStatement q = c.prepareStatement("SELECT value FROM meta WHERE name = ?")) {
      q.setString(1, "imported-from");
      try (ResultSet rs = q.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    } catch (SQLException e) {
      return null;
    }
  }

  private static Path aside(Path p) {
    Path out = p.resolveSibling(p.getFileName() + IMPORTED);
    for (int i = 2; Files.exists(out); i++) {
      out = p.resolveSibling(p.getFileName() + IMPORTED + "." + i);
    }
    return out;
  }

  /** The main file and its {@code .wal.<n>} log files. */
  private static List<Path> mapDbFiles(Path main) throws IOException {
    List<Path> out = new ArrayList<>();
    out.add(main);
    String name = main.getFileName().toString();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(main.getParent(), name + ".wal.*")) {
      for (Path p : ds) {
        out.add(p);
      }
    }
    return out;
  }
}
