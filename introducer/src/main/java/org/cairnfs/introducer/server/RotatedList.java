package org.cairnfs.introducer.server;

import java.util.AbstractList;
import java.util.List;
import java.util.RandomAccess;

/**
 * A read-only view of a shared list that starts at {@code offset} and wraps around: each
 * subscriber gets the one snapshot in its own order for the cost of two fields, so a
 * subscriber that is cut off part-way learns different servers on each try.
 */
final class RotatedList extends AbstractList<byte[]> implements RandomAccess {
  private final List<byte[]> shared;
  private final int offset;

  RotatedList(List<byte[]> shared, int offset) {
    if (!(shared instanceof RandomAccess)) {
      throw new IllegalArgumentException("the shared list must allow random access");
    }
    this.shared = shared;
    this.offset = shared.isEmpty() ? 0 : Math.floorMod(offset, shared.size());
  }

  @Override
  public byte[] get(int index) {
    int size = shared.size();
    if (index < 0 || index >= size) {
      throw new IndexOutOfBoundsException("index " + index + ", size " + size);
    }
    int i = index + offset;
    return shared.get(i >= size ? i - size : i);
  }

  @Override
  public int size() {
    return shared.size();
  }
}
