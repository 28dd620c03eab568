package org.cairnfs.storage.store;

import java.util.OptionalLong;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.caps.share.ShareSource;

/** For tests about something else: accepts every slot share, with seqnum 1. */
public final class AcceptingSlotCheck implements SlotWriteCheck {
  public static final SlotWriteCheck INSTANCE = new AcceptingSlotCheck();

  private AcceptingSlotCheck() {}

  @Override
  public int frontLength() {
    return 1;
  }

  @Override
  public void checkFront(StorageIndex index, int shareNumber, long size, byte[] front,
      OptionalLong heldSeqnum) {}

  @Override
  public long check(StorageIndex index, int shareNumber, long size, ShareSource share,
      OptionalLong heldSeqnum) {
    return 1;
  }

  @Override
  public long signedSeqnum(StorageIndex index, byte[] prefix) {
    return 1;
  }
}
