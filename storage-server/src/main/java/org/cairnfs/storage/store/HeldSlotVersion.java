package org.cairnfs.storage.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.cairnfs.storage.lease.ShareRecord;
import org.cairnfs.storage.share.ShareKey;
import org.cairnfs.storage.share.ShareKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The seqnum of a slot share found on disk without a database record, read from the share's
 * own signed header when the record is rebuilt.
 *
 * <p>Why: the record's seqnum is what refuses an older signed version replayed by anyone. A
 * recordless slot share (the collector removed the record and crashed before deleting the file)
 * adopted with no seqnum would accept any validly signed version, including an older one. The
 * file's signed prefix is authenticated ({@link SlotWriteCheck#signedSeqnum}: key matches the
 * index, signature verifies), so only a seqnum its writer signed is trusted. The rest of the
 * share is not checked here: the seqnum is what matters, and the server stored only whole
 * shares that passed the write check.
 *
 * <p>A file that fails the check (the server never stores such a version, so it is damaged) is
 * still adopted, with {@link ShareRecord#NO_SEQNUM}, and logged as an error: any seqnum read from
 * it would be unsigned, and a made-up high one would lock the slot for its writer for good.
 */
final class HeldSlotVersion {
  private static final Logger LOG = LoggerFactory.getLogger(HeldSlotVersion.class);

  private HeldSlotVersion() {}

  /**
   * The seqnum to record for {@code key} held at {@code file}: {@link ShareRecord#NO_SEQNUM} for
   * an immutable share or a slot share that fails the check.
   */
  static long seqnumOf(ShareKey key, Path file, SlotWriteCheck check) throws IOException {
    if (key.kind() != ShareKind.MUTABLE) {
      return ShareRecord.NO_SEQNUM;
    }
    byte[] prefix;
    try (InputStream in = Files.newInputStream(file)) {
      prefix = in.readNBytes(check.frontLength());
    }
    try {
      return check.signedSeqnum(key.index(), prefix);
    } catch (SlotWriteCheck.Rejected e) {
      LOG.error("slot share {} found without a record has no valid signed prefix ({}); adopted "
          + "with no seqnum, so any signed version may replace it", key, e.getMessage());
      return ShareRecord.NO_SEQNUM;
    }
  }
}
