package org.cairnfs.storage.lease;

import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import org.cairnfs.storage.share.ShareKey;

/**
 * Record changes of one operation and the accounting they move: each share's {@link
 * ShareCharge} counted once in the total and charged to each distinct owner with a lease on it.
 * Where {@link ChargeTotals} recomputes the accounting from all records, this carries it along
 * as records change.
 *
 * <p>Why staged, then settled: a batch of records writes one update of the total and of each
 * owner's bytes instead of one per record. Caller holds {@link LeaseDb}'s monitor.
 */
final class ChargeChanges {
  private final LeaseDbFile file;
  private final Map<LeaseOwner, Long> owners = new HashMap<>();
  private long total;
  private long recordBytes;

  ChargeChanges(LeaseDbFile file) {
    this.file = file;
  }

  /**
   * Writes {@code updated} over {@code old} (null: absent or delete) and adds the change in
   * charge it makes, uncommitted.
   */
  void stage(ShareKey key, ShareRecord old, ShareRecord updated) {
    byte[] k = key.toBytes();
    try {
      if (updated == null) {
        file.tables().deleteShare(k);
      } else {
        byte[] encoded = ShareRecordCodec.encode(updated);
        file.tables().putShare(k, encoded);
        recordBytes += encoded.length;
      }
    } catch (SQLException e) {
      throw LeaseDbFile.failed("write", e);
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
    total += newSize - oldSize;
  }

  /** The bytes of the records staged so far (a deletion writes none). */
  long recordBytes() {
    return recordBytes;
  }

  /** Writes the total and each owner's bytes as moved by every record staged, uncommitted. */
  void settle() {
    try {
      if (total != 0) {
        file.putTotal(file.total() + total);
      }
      for (Map.Entry<LeaseOwner, Long> e : owners.entrySet()) {
        if (e.getValue() != 0) {
          byte[] k = e.getKey().toBytes();
          LeaseTables tables = file.tables();
          tables.setOwnerBytes(k, tables.ownerBytes(k) + e.getValue());
        }
      }
    } catch (SQLException e) {
      throw LeaseDbFile.failed("write", e);
    }
  }
}
