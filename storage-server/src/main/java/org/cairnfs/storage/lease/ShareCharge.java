package org.cairnfs.storage.lease;

/**
 * The space a share counts against max-space and its owners: its size, but at least one disk
 * block. A share is a file (an inode, a directory entry, and its storage index's directory),
 * so an empty one is not free: without a floor, zero-size uploads were free to store without
 * end under any max-space.
 */
public final class ShareCharge {
  /** The least a share is charged, open or stored: one 4 KiB block. */
  public static final long MIN_BYTES = 4096;

  private ShareCharge() {}

  /** What a share of {@code size} bytes is charged. */
  public static long of(long size) {
    return Math.max(size, MIN_BYTES);
  }
}
