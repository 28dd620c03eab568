package org.cairnfs.storage.store;

import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Answer to an allocate request: the share numbers already held (their lease was added or
 * renewed; nothing to upload) and those now open for upload. Numbers asked for but in neither
 * set are being uploaded by another client.
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
