package org.cairnfs.fs.mutable;

import java.io.IOException;
import org.cairnfs.caps.StorageIndex;

/**
 * No version of a mutable file can be read now: no share was found, none of the versions seen
 * has k good shares, or a version is larger than this client accepts. The message says which.
 */
public final class SlotUnreadableException extends IOException {
  private final transient StorageIndex index;
  private final boolean noShareFound;

  public SlotUnreadableException(StorageIndex index, String message) {
    this(index, message, false);
  }

  /** With {@code noShareFound}: no server that answered holds any share of the file. */
  public SlotUnreadableException(StorageIndex index, String message, boolean noShareFound) {
    super("mutable file " + index + ": " + message);
    this.index = index;
    this.noShareFound = noShareFound;
  }

  /** Whether no server that answered held any share (the file is not on the grid, or gone). */
  public boolean noShareFound() {
    return noShareFound;
  }

  public StorageIndex index() {
    return index;
  }
}
