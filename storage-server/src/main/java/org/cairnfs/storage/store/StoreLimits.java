package org.cairnfs.storage.store;

import java.time.Duration;
import java.util.Objects;

/**
 * The space and open-file limits the store enforces.
 *
 * <p>Why the open-write caps: every open upload and every staged slot version holds a file
 * descriptor, and a zero-size allocation costs almost no space, so without a count limit a
 * client could exhaust the process's descriptors (EMFILE) and stall every other client. Why
 * they expire: a connection that keeps pinging would otherwise hold its places (and their
 * reserved space) forever; an open write that receives no new bytes for the idle timeout is
 * dropped as if aborted, and its writer must allocate again.
 *
 * @param maxSpace most bytes of shares (held plus being uploaded) the server keeps
 * @param reservedSpace free disk space the store never cuts into
 * @param maxShareSize largest share a client may declare or write
 * @param maxOpenWrites most open uploads plus staged slot versions over the whole server
 * @param maxOpenWritesPerConnection most open uploads plus staged slot versions one connection
 *     may hold (enforced by the network backend, which knows connections)
 * @param maxOpenWritesPerAddress most open uploads plus staged slot versions all connections
 *     from one peer address (IPv6: one /64) may hold together (network backend)
 * @param openWriteIdleTimeout an open upload or staged slot version that gets no new bytes for
 *     this long is dropped
 */
public record StoreLimits(long maxSpace, long reservedSpace, long maxShareSize,
    int maxOpenWrites, int maxOpenWritesPerConnection, int maxOpenWritesPerAddress,
    Duration openWriteIdleTimeout) {
  /** Default server-wide cap on open uploads plus staged slot versions. */
  public static final int DEFAULT_MAX_OPEN_WRITES = 4096;
  /** Default per-connection cap: a whole 256-share allocation of one storage index fits. */
  public static final int DEFAULT_MAX_OPEN_WRITES_PER_CONNECTION = 256;
  /** Default per-address cap: a quarter of the server-wide cap. */
  public static final int DEFAULT_MAX_OPEN_WRITES_PER_ADDRESS = 1024;
  /** Default idle time after which an open write is dropped. */
  public static final Duration DEFAULT_OPEN_WRITE_IDLE_TIMEOUT = Duration.ofMinutes(10);

  public StoreLimits {
    if (maxSpace < 0 || reservedSpace < 0 || maxShareSize <= 0) {
      throw new IllegalArgumentException("bad store limits: max space " + maxSpace
          + ", reserved " + reservedSpace + ", max share size " + maxShareSize);
    }
    if (maxOpenWrites <= 0 || maxOpenWritesPerConnection <= 0 || maxOpenWritesPerAddress <= 0) {
      throw new IllegalArgumentException("open write caps must be positive: server-wide "
          + maxOpenWrites + ", per connection " + maxOpenWritesPerConnection + ", per address "
          + maxOpenWritesPerAddress);
    }
    Objects.requireNonNull(openWriteIdleTimeout, "open write idle timeout");
    if (openWriteIdleTimeout.isNegative() || openWriteIdleTimeout.isZero()) {
      throw new IllegalArgumentException("open write idle timeout must be positive, got "
          + openWriteIdleTimeout);
    }
  }

  /** Space limits and the server-wide and per-connection caps; defaults for the rest. */
  public StoreLimits(long maxSpace, long reservedSpace, long maxShareSize, int maxOpenWrites,
      int maxOpenWritesPerConnection) {
    this(maxSpace, reservedSpace, maxShareSize, maxOpenWrites, maxOpenWritesPerConnection,
        DEFAULT_MAX_OPEN_WRITES_PER_ADDRESS, DEFAULT_OPEN_WRITE_IDLE_TIMEOUT);
  }

  /** Space limits with the default open-write caps and idle timeout. */
  public StoreLimits(long maxSpace, long reservedSpace, long maxShareSize) {
    this(maxSpace, reservedSpace, maxShareSize, DEFAULT_MAX_OPEN_WRITES,
        DEFAULT_MAX_OPEN_WRITES_PER_CONNECTION);
  }

  /** No space limit but the disk; the default open-write caps still apply. */
  public static StoreLimits unlimited() {
    return new StoreLimits(Long.MAX_VALUE, 0, Long.MAX_VALUE);
  }

  /** These limits with other server-wide and per-connection open-write caps. */
  public StoreLimits withOpenWriteCaps(int serverWide, int perConnection) {
    return new StoreLimits(maxSpace, reservedSpace, maxShareSize, serverWide, perConnection,
        maxOpenWritesPerAddress, openWriteIdleTimeout);
  }

  /** These limits with another per-address open-write cap. */
  public StoreLimits withOpenWritesPerAddress(int perAddress) {
    return new StoreLimits(maxSpace, reservedSpace, maxShareSize, maxOpenWrites,
        maxOpenWritesPerConnection, perAddress, openWriteIdleTimeout);
  }

  /** These limits with another idle timeout for open writes. */
  public StoreLimits withOpenWriteIdleTimeout(Duration timeout) {
    return new StoreLimits(maxSpace, reservedSpace, maxShareSize, maxOpenWrites,
        maxOpenWritesPerConnection, maxOpenWritesPerAddress, timeout);
  }
}
