package org.cairnfs.storage.store;

import java.io.IOException;
import java.util.OptionalLong;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.caps.mutable.SlotWriteRejectedException;
import org.cairnfs.caps.share.ShareSource;

/**
 * The keyless check a server runs before a new version of a mutable slot share may replace
 * anything: the whole share must be one its slot's key signed for (key and signature, seqnum
 * above the held one, share number, layout, hash chain, block tree and every block).
 *
 * <p>A seam: the real rule lives in the caps module ({@link
 * org.cairnfs.caps.mutable.SlotWriteCheck}, spec in {@code docs/specs/mutable-share.md}); the
 * store needs these three questions, which keeps it testable with a fake.
 */
public interface SlotWriteCheck {
  /** The real check of {@link org.cairnfs.caps.mutable.SlotWriteCheck}. */
  SlotWriteCheck KEYLESS = new SlotWriteCheck() {
    @Override
    public int frontLength() {
      return org.cairnfs.caps.mutable.SlotWriteCheck.FRONT_LENGTH;
    }

    @Override
    public void checkFront(StorageIndex index, int shareNumber, long size, byte[] front,
        OptionalLong heldSeqnum) throws Rejected {
      try {
        org.cairnfs.caps.mutable.SlotWriteCheck.checkFront(index, shareNumber, size, front,
            heldSeqnum);
      } catch (SlotWriteRejectedException e) {
        throw new Rejected(e.getMessage());
      }
    }

    @Override
    public long check(StorageIndex index, int shareNumber, long size, ShareSource share,
        OptionalLong heldSeqnum) throws Rejected, IOException {
      try {
        return org.cairnfs.caps.mutable.SlotWriteCheck.check(index, shareNumber, size, share,
            heldSeqnum).seqnum();
      } catch (SlotWriteRejectedException e) {
        throw new Rejected(e.getMessage());
      }
    }

    @Override
    public long signedSeqnum(StorageIndex index, byte[] prefix) throws Rejected {
      try {
        return org.cairnfs.caps.mutable.SlotWriteCheck.authenticate(index, prefix).seqnum();
      } catch (SlotWriteRejectedException e) {
        throw new Rejected(e.getMessage());
      }
    }
  };

  /** Leading bytes {@link #checkFront} decides on ({@link #signedSeqnum} needs no more). */
  int frontLength();

  /**
   * The part of the rule the first {@link #frontLength} bytes decide (form, key, signature,
   * seqnum, share number, declared size), so a chunked write can be refused before the rest
   * of it is stored. Passing it does not make a share acceptable.
   *
   * @param front the share's first {@code min(size, frontLength())} bytes
   * @throws Rejected naming why the share may not be stored
   */
  void checkFront(StorageIndex index, int shareNumber, long size, byte[] front,
      OptionalLong heldSeqnum) throws Rejected;

  /**
   * The whole rule, reading the complete share through {@code share} with bounded memory.
   *
   * @param size the share's length; {@code share} holds exactly that many bytes
   * @param heldSeqnum seqnum of the version held, empty when none is held
   * @return the share's seqnum
   * @throws Rejected naming why the share may not be stored
   * @throws IOException if reading {@code share} fails
   */
  long check(StorageIndex index, int shareNumber, long size, ShareSource share,
      OptionalLong heldSeqnum) throws Rejected, IOException;

  /**
   * The seqnum of a share already held, trusted only if its writer signed it (key of this slot,
   * valid signature); the rest of the share is not looked at.
   *
   * @param prefix the share's first {@code min(size, frontLength())} bytes
   * @throws Rejected if the prefix is not signed by the slot's key
   */
  long signedSeqnum(StorageIndex index, byte[] prefix) throws Rejected;

  /** The share failed the check. */
  final class Rejected extends Exception {
    public Rejected(String message) {
      super(message);
    }
  }
}
