package org.cairnfs.storage.lease;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.mapdb.BTreeMap;
import org.mapdb.DB;
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
public final class MapDbImport {
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
  public static void run(List<Path> candidates, Path target) throws IOException {
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
      if (!source.toString().equals(importedFrom(target))) {
        throw new IOException("two lease databases: " + source + " (of an earlier version) and "
            + target + " (in use), which was not imported from it; the server will not guess"
            + " which is right. If this server already ran with " + target + ", move " + source
            + " and its .wal.* files away; if " + target + " is a stray copy, move it away"
            + " instead; then start again");
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
      BTreeMap<byte[], byte[]> shares = db.treeMap("shares", Serializer.BYTE_ARRAY,
          Serializer.BYTE_ARRAY).createOrOpen();
      int[] count = {0};
      LeaseTables.create(target, tables -> {
        if (salt == null) {
          LeaseDb.newTables(tables); // never written by a server that committed anything
        } else {
          tables.putValue("implicit-lease-salt", HexFormat.of().parseHex(salt));
        }
        tables.putValue("imported-from", source.toString());
        // The accounting is recomputed from the records (the old totals are derived data).
        long total = 0;
        Map<LeaseOwner, Long> owners = new HashMap<>();
        for (Map.Entry<byte[], byte[]> e : shares.entrySet()) {
          ShareRecord record = ShareRecordCodec.decode(e.getValue());
          tables.putShare(e.getKey(), e.getValue());
          total += record.size();
          for (LeaseOwner owner : record.owners()) {
            owners.merge(owner, record.size(), Long::sum);
          }
          count[0]++;
        }
        for (Map.Entry<LeaseOwner, Long> e : owners.entrySet()) {
          tables.setOwnerBytes(e.getKey().toBytes(), e.getValue());
        }
        tables.putValue("total-share-bytes", total);
      });
      LOG.info("imported {} share record(s) from the old lease database {} into {}; the old file"
          + " is kept as {}", count[0], source, target, aside(source));
    } catch (IllegalArgumentException e) {
      throw new LeaseDbDamagedException(source, e);
    } catch (RuntimeException e) {
      if (LeaseDbDamagedException.isDamage(e)) {
        throw new LeaseDbDamagedException(source, e);
      }
      throw e;
    } finally {
      db.close();
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
