package org.cairnfs.storage.store;

/**
 * Counts the server's open uploads and staged slot versions, each holding a file descriptor,
 * and refuses with {@link StoreException.Reason#BUSY} past {@link
 * StoreLimits#maxOpenWrites()}.
 */
final class OpenWriteCount {
  private final int max;
  private int open;

  OpenWriteCount(int max) {
    this.max = max;
  }

  /** Takes {@code n} places or refuses all of them. */
  synchronized void acquire(int n) throws StoreException {
    if (n > max - open) {
      throw new StoreException(StoreException.Reason.BUSY, "server busy: " + n
          + " more open uploads would exceed its " + max + " open uploads and slot writes ("
          + open + " open); retry later");
    }
    open += n;
  }

  synchronized void release(int n) {
    open -= n;
  }
}
