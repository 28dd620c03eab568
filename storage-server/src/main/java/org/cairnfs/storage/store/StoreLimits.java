package org.cairnfs.storage.store;

/**
 * The space limits the store enforces.
 *
 * @param maxSpace most bytes of shares (held plus being uploaded) the server keeps
 * @param reservedSpace free disk space the store never cuts into
 * @param maxShareSize largest share a client may declare or write
 */
public record StoreLimits(long maxSpace, long reservedSpace, long maxShareSize) {
  public StoreLimits {
    if (maxSpace < 0 || reservedSpace < 0 || maxShareSize <= 0) {
      throw new IllegalArgumentException("bad store limits: max space " + maxSpace
          + ", reserved " + reservedSpace + ", max share size " + maxShareSize);
    }
  }

  /** No limit but the disk. */
  public static StoreLimits unlimited() {
    return new StoreLimits(Long.MAX_VALUE, 0, Long.MAX_VALUE);
  }
}
