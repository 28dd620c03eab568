package org.cairnfs.storage.store;

import java.util.OptionalLong;
import org.cairnfs.caps.StorageIndex;

/**
 * The keyless check a server runs before storing a new version of a mutable slot share: the
 * verifying key in the share must hash to the slot's storage index, its signature must verify
 * and its seqnum must be above the one held.
 *
 * <p>A seam: the real check lives in the caps module (mutable share layout); the store only
 * needs this one method, which keeps it testable with a fake.
 */
@FunctionalInterface
public interface SlotWriteCheck {
  /** The store passes at most this many leading bytes of a share to the check. */
  int CHECKED_PREFIX = 64 * 1024;

  /** The real check of {@link org.cairnfs.caps.mutable.SlotWriteCheck}. */
  SlotWriteCheck KEYLESS = (index, share, held) -> {
    try {
      return org.cairnfs.caps.mutable.SlotWriteCheck.check(index, share, held).seqnum();
    } catch (org.cairnfs.caps.mutable.SlotWriteRejectedException e) {
      throw new Rejected(e.getMessage());
    }
  };

  /**
   * Returns the seqnum of {@code share} if it may replace the held version.
   *
   * @param share the share's first {@code min(size, CHECKED_PREFIX)} bytes
   *
   * @param heldSeqnum seqnum of the version held, empty when none is held
   * @throws Rejected naming why the share may not be stored
   */
  long check(StorageIndex index, byte[] share, OptionalLong heldSeqnum) throws Rejected;

  /** The share failed the check. */
  final class Rejected extends Exception {
    public Rejected(String message) {
      super(message);
    }
  }
}
