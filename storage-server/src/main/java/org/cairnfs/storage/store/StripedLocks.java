package org.cairnfs.storage.store;

import org.cairnfs.caps.StorageIndex;

/** A fixed set of monitors, one chosen per storage index, so changes to one index serialize. */
final class StripedLocks {
  private final Object[] stripes;

  StripedLocks(int count) {
    stripes = new Object[count];
    for (int i = 0; i < count; i++) {
      stripes[i] = new Object();
    }
  }

  Object of(StorageIndex index) {
    return stripes[indexOf(index)];
  }

  /** The number of the stripe of {@code index}: take several stripes in ascending order. */
  int indexOf(StorageIndex index) {
    return Math.floorMod(index.hashCode(), stripes.length);
  }

  Object at(int stripe) {
    return stripes[stripe];
  }
}
