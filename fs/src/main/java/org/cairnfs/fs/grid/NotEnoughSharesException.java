package org.cairnfs.fs.grid;

import java.io.IOException;
import java.util.Set;
import org.cairnfs.caps.StorageIndex;

/**
 * Fewer than k distinct shares of a file were found on the reachable servers, so it cannot be
 * read now. The message says which shares were found, how many servers were asked and which
 * could not be reached; the shares may come back with those servers.
 */
public final class NotEnoughSharesException extends IOException {
  private final transient StorageIndex index;
  private final Set<Integer> found;
  private final int k;

  public NotEnoughSharesException(StorageIndex index, Set<Integer> found, int k, int asked,
      int known, String problems) {
    super("file " + index + " cannot be read now: found " + found.size() + " distinct shares "
        + new java.util.TreeSet<>(found) + " on the " + asked + " servers asked (of " + known
        + " known), need " + k + problems);
    this.index = index;
    this.found = Set.copyOf(found);
    this.k = k;
  }

  public StorageIndex index() {
    return index;
  }

  public Set<Integer> found() {
    return found;
  }

  public int k() {
    return k;
  }
}
