package org.cairnfs.fs.mutable;

import java.io.IOException;
import org.cairnfs.caps.StorageIndex;

/**
 * No version of a mutable file can be read now: no share was found, none of the versions seen
 * has k good shares, or a version is larger than this client accepts. The message says which.
 */
public final class SlotUnreadableException extends IOException {
  private final transient StorageIndex index;

  public SlotUnreadableException(StorageIndex index, String message) {
    super("mutable file " + index + ": " + message);
    this.index = index;
  }

  public StorageIndex index() {
    return index;
  }
}
