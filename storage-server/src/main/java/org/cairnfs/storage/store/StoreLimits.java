package org.cairnfs.storage.store;

/**
 * The space and open-file limits the store enforces.
 *
 * <p>Why the open-write caps: every open upload and every staged slot version holds a file
 * descriptor, and a zero-size allocation costs almost no space, so without a count limit a
 * client could exhaust the process's descriptors (EMFILE) and stall every other client.
 *
 * @param maxSpace most bytes of shares (held plus being uploaded) the server keeps
 * @param reservedSpace free disk space the store never cuts into
 * @param maxShareSize largest share a client may declare or write
 * @param maxOpenWrites most open uploads plus staged slot versions over the whole server
 * @param maxOpenWritesPerConnection most open uploads plus staged slot versions one connection
 *     may hold (enforced by the network backend, which knows connections)
 */
public record StoreLimits(long maxSpace, long reservedSpace, long maxShareSize,
    int maxOpenWrites, int maxOpenWritesPerConnection) {
  /** Default server-wide cap on open uploads plus staged slot versions. */
  public static final int DEFAULT_MAX_OPEN_WRITES = 4096;
  /** Default per-connection cap: a whole 256-share allocation of one storage index fits. */
  public static final int DEFAULT_MAX_OPEN_WRITES_PER_CONNECTION = 256;

  public StoreLimits {
    if (maxSpace < 0 || reservedSpace < 0 || maxShareSize <= 0) {
      throw new IllegalArgumentException("bad store limits: max space " + maxSpace
          + ", reserved " + reservedSpace + ", max share size " + maxShareSize);
    }
    if (maxOpenWrites <= 0 || maxOpenWritesPerConnection <= 0) {
      throw new IllegalArgumentException("open write caps must be positive: server-wide "
          + maxOpenWrites + ", per connection " + maxOpenWritesPerConnection);
    }
  }

  /** Space limits with the default open-write caps. */
  public StoreLimits(long maxSpace, long reservedSpace, long maxShareSize) {
    this(maxSpace, reservedSpace, maxShareSize, DEFAULT_MAX_OPEN_WRITES,
        DEFAULT_MAX_OPEN_WRITES_PER_CONNECTION);
  }

  /** No space limit but the disk; the default open-write caps still apply. */
  public static StoreLimits unlimited() {
    return new StoreLimits(Long.MAX_VALUE, 0, Long.MAX_VALUE);
  }

  /** These limits with other open-write caps. */
  public StoreLimits withOpenWriteCaps(int serverWide, int perConnection) {
    return new StoreLimits(maxSpace, reservedSpace, maxShareSize, serverWide, perConnection);
  }
}
