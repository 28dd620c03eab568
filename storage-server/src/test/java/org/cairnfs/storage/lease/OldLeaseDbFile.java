package org.cairnfs.storage.lease;

import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;
import org.cairnfs.storage.share.ShareKey;
import org.mapdb.DB;
import org.mapdb.DBMaker;
import org.mapdb.Serializer;

/** Writes a lease database as versions before 2026-12-03 did (MapDB, schema v1), for imports. */
public final class OldLeaseDbFile {
  private OldLeaseDbFile() {}

  /**
   * The records under their keys, the accounting as the old server kept it, and the salt (none
   * when null).
   */
  public static void write(Path file, Map<ShareKey, ShareRecord> records, byte[] salt) {
    DB db = DBMaker.fileDB(file.toFile()).transactionEnable().make();
    try {
      db.atomicString("schema").createOrOpen().set(MapDbImport.MAPDB_SCHEMA);
      var shares = db.treeMap("shares", Serializer.BYTE_ARRAY, Serializer.BYTE_ARRAY)
          .createOrOpen();
      var owners = db.hashMap("owner-bytes", Serializer.BYTE_ARRAY, Serializer.LONG)
          .createOrOpen();
      long total = 0;
      for (Map.Entry<ShareKey, ShareRecord> e : records.entrySet()) {
        shares.put(e.getKey().toBytes(), ShareRecordCodec.encode(e.getValue()));
        total += e.getValue().size();
        for (LeaseOwner o : e.getValue().owners()) {
          owners.merge(o.toBytes(), e.getValue().size(), Long::sum);
        }
      }
      db.atomicLong("total-share-bytes").createOrOpen().set(total);
      if (salt != null) {
        db.atomicString("implicit-lease-salt").createOrOpen().set(HexFormat.of().formatHex(salt));
      }
      db.commit();
    } finally {
      db.close();
    }
  }

  /** Sets the old file's schema string. */
  public static void setSchema(Path file, String schema) {
    DB db = DBMaker.fileDB(file.toFile()).transactionEnable().make();
    try {
      db.atomicString("schema").createOrOpen().set(schema);
      db.commit();
    } finally {
      db.close();
    }
  }
}
