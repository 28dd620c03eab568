package org.cairnfs.fs.mutable;

import java.io.IOException;
import org.cairnfs.caps.StorageIndex;

/**
 * A writer kept colliding with other writers of the same mutable file and gave up after its
 * attempts. Nothing is lost: every version published is complete, and the caller may retry.
 */
public final class UncoordinatedWriteException extends IOException {
  private final transient StorageIndex index;

  public UncoordinatedWriteException(StorageIndex index, int attempts) {
    super("mutable file " + index + ": another writer published at the same time in each of "
        + attempts + " attempts; try again later");
    this.index = index;
  }

  public StorageIndex index() {
    return index;
  }
}
