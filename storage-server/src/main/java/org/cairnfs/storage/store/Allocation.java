package org.cairnfs.storage.store;

import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Answer to an allocate request: the share numbers already held (their lease was added or
 * renewed; nothing to upload) and those now open for upload. Numbers asked for but in neither
 * set are being uploaded by another client.
 *
 * <p>"Held" means complete: a closed upload renamed into place, never one still in progress,
 * so nobody's unfinished or abandoned upload counts as placed. It does not mean genuine: the
 * server cannot check an immutable share, so the client checks a held share against its cap
 * before relying on it (wire.md, section 6).
 */
public record Allocation(SortedSet<Integer> alreadyHeld, SortedSet<Integer> allocated) {
  public Allocation {
    alreadyHeld = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(alreadyHeld));
    allocated = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(allocated));
  }

  static Allocation of(Set<Integer> alreadyHeld, Set<Integer> allocated) {
    return new Allocation(new TreeSet<>(alreadyHeld), new TreeSet<>(allocated));
  }
}
