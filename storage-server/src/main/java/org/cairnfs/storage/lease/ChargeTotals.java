package org.cairnfs.storage.lease;

import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * The accounting recomputed from share records, as an import of an old database and the v2 to
 * v3 migration do: the total of their {@link ShareCharge}s and each owner's. Memory grows with
 * owners, not records.
 */
final class ChargeTotals {
  private long total;
  private long records;
  private final Map<LeaseOwner, Long> owners = new HashMap<>();

  void add(ShareRecord record) {
    long charge = ShareCharge.of(record.size());
    total += charge;
    records++;
    for (LeaseOwner owner : record.owners()) {
      owners.merge(owner, charge, Long::sum);
    }
  }

  long total() {
    return total;
  }

  long records() {
    return records;
  }

  /** Writes every owner's bytes and the total into tables whose owners table is empty. */
  void writeTo(LeaseTables tables) throws SQLException {
    for (Map.Entry<LeaseOwner, Long> e : owners.entrySet()) {
      tables.setOwnerBytes(e.getKey().toBytes(), e.getValue());
    }
    tables.putValue("total-share-bytes", total);
  }
}
