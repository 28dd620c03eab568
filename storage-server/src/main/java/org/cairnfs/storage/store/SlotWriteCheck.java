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
  /**
   * Returns the seqnum of {@code share} if it may replace the held version.
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
