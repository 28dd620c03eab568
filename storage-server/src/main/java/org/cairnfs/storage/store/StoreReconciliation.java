package org.cairnfs.storage.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.storage.lease.LeaseDb;
import org.cairnfs.storage.lease.LeaseOwner;
import org.cairnfs.storage.lease.ShareRecord;
import org.cairnfs.storage.share.ShareKey;

/**
 * Brings the lease database in line with the share tree when a store opens.
 *
 * <p>Why: the file system and the database cannot change in one step, so a crash can leave a
 * share file without a record (immutable close: rename done, commit not; collection: record
 * removed, file not) or a record without its file, or with a different size (slot write: commit
 * done, rename not). Used space is computed from the records, so until reconciled the server
 * would offer space it does not have, or refuse space it has. See storage-layout.md section 4.
 *
 * <p>Cost: one walk of the share tree (a database read per share file) and one pass over the
 * records in pages (a stat per record): O(shares) at every start, with memory bounded by one
 * directory listing and one page of keys. It runs before the store serves anything, so no lock
 * is needed.
 */
final class StoreReconciliation {
  /** Records visited per database page. */
  static final int PAGE = 1024;

  /**
   * What a reconciliation changed.
   *
   * @param adopted share files that had no record and now have one (with a {@link
   *     LeaseOwner#RECOVERED} lease; a slot share with the seqnum of its signed header)
   * @param adoptedBytes their total size
   * @param dropped records whose file was missing, now removed
   * @param droppedBytes the sizes those records had counted
   * @param resized records whose size was set to their file's size
   */
  record Result(int adopted, long adoptedBytes, int dropped, long droppedBytes, int resized) {
    boolean changedAnything() {
      return adopted + dropped + resized > 0;
    }
  }

  private final ShareLayout layout;
  private final LeaseDb leases;
  private final SlotWriteCheck slotCheck;
  private int adopted;
  private long adoptedBytes;
  private int dropped;
  private long droppedBytes;
  private int resized;

  private StoreReconciliation(ShareLayout layout, LeaseDb leases, SlotWriteCheck slotCheck) {
    this.layout = layout;
    this.leases = leases;
    this.slotCheck = slotCheck;
  }

  /**
   * @param slotCheck the store's slot write check, which reads the seqnum of an adopted slot
   *     share from its signed header (see {@link HeldSlotVersion})
   */
  static Result run(ShareLayout layout, LeaseDb leases, SlotWriteCheck slotCheck)
      throws IOException {
    return run(layout, leases, slotCheck, PAGE);
  }

  /** As {@link #run(ShareLayout, LeaseDb, SlotWriteCheck)} with pages of {@code pageSize}. */
  static Result run(ShareLayout layout, LeaseDb leases, SlotWriteCheck slotCheck, int pageSize)
      throws IOException {
    StoreReconciliation r = new StoreReconciliation(layout, leases, slotCheck);
    r.adoptRecordlessFiles();
    r.fixRecordsAgainstFiles(pageSize);
    return new Result(r.adopted, r.adoptedBytes, r.dropped, r.droppedBytes, r.resized);
  }

  private void adoptRecordlessFiles() throws IOException {
    for (Path prefix : layout.prefixDirs()) {
      // Read as visited, never held: one prefix may hold millions of indexes.
      try (Stream<StorageIndex> indexes = layout.eachIndexUnder(prefix)) {
        for (StorageIndex index : (Iterable<StorageIndex>) indexes::iterator) {
          List<ShareKey> keys;
          try {
            keys = layout.sharesOf(index);
          } catch (NotDirectoryException e) {
            continue; // a stray file named like a storage index
          }
          for (ShareKey key : keys) {
            if (leases.find(key).isEmpty()) {
              adopt(key);
            }
          }
        }
      } catch (DirectoryIteratorException e) {
        throw e.getCause();
      }
    }
  }

  private void adopt(ShareKey key) throws IOException {
    Path path = layout.sharePath(key);
    if (!Files.isRegularFile(path)) {
      return;
    }
    long size = Files.size(path);
    // A slot share keeps the seqnum it was signed with, so an older version cannot replace it.
    long seqnum = HeldSlotVersion.seqnumOf(key, path, slotCheck);
    leases.recordShare(key, size, seqnum, LeaseOwner.RECOVERED,
        leases.implicitSecrets(LeaseOwner.RECOVERED));
    adopted++;
    adoptedBytes += size;
  }

  private void fixRecordsAgainstFiles(int pageSize) throws IOException {
    ShareKey after = null;
    List<ShareKey> page;
    while (!(page = leases.recordedKeys(after, pageSize)).isEmpty()) {
      for (ShareKey key : page) {
        fixRecord(key);
      }
      after = page.get(page.size() - 1);
    }
  }

  private void fixRecord(ShareKey key) throws IOException {
    Optional<ShareRecord> record = leases.find(key);
    if (record.isEmpty()) {
      return;
    }
    long recorded = record.get().size();
    Path path = layout.sharePath(key);
    long actual;
    try {
      actual = Files.isRegularFile(path) ? Files.size(path) : -1;
    } catch (NoSuchFileException e) {
      actual = -1;
    }
    if (actual < 0) {
      leases.removeShare(key);
      dropped++;
      droppedBytes += recorded;
    } else if (actual != recorded) {
      leases.resizeShare(key, actual);
      resized++;
    }
  }
}
