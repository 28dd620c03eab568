package org.cairnfs.storage.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import org.cairnfs.storage.store.StoreLimits;

/**
 * Everything a storage server is configured with, checked as a whole before it starts.
 *
 * <p>Why a builder: each setter rejects a bad value naming it, and {@link Builder#build()}
 * rejects combinations that cannot both hold (a max share size above the max space), so a
 * server never starts half-configured. Sizes are bytes; setters also take size strings in the
 * {@link ByteSize} grammar ("200G"). A bandwidth of 0 means unlimited.
 */
public record StorageConfig(
    Path storageDir,
    long maxSpace,
    long reservedSpace,
    long maxShareSize,
    long globalBandwidth,
    long connectionBandwidth,
    boolean gcEnabled,
    double gcSharesPerSecond,
    Duration gcPause,
    Duration leaseDuration,
    Duration leaseRenewalGranularity,
    String host,
    int port,
    int maxOpenWrites,
    int maxOpenWritesPerConnection,
    Path leaseDbFile,
    boolean directWrites) {

  public static final long DEFAULT_RESERVED_SPACE = 1L << 30;
  public static final long DEFAULT_MAX_SHARE_SIZE = 128L << 30;
  public static final double DEFAULT_GC_RATE = 100;
  public static final Duration DEFAULT_GC_PAUSE = Duration.ofHours(1);
  public static final Duration DEFAULT_LEASE_DURATION = Duration.ofDays(31);
  /** See {@link Builder#leaseRenewalGranularity}. */
  public static final Duration DEFAULT_LEASE_RENEWAL_GRANULARITY = Duration.ofHours(1);
  /**
   * Name of the lease database file: inside the storage dir by default (an embedded server),
   * in the node directory's {@code private/} for a node ({@link Builder#leaseDbFile}).
   */
  public static final String LEASE_DB_FILE = "leases.sqlite";
  /** Name of the lease database of versions before 2026-12-03 (MapDB), imported at start. */
  public static final String OLD_LEASE_DB_FILE = "leases.db";

  public static Builder builder(Path storageDir) {
    return new Builder(storageDir);
  }

  /** The space limits the share store enforces. */
  public StoreLimits storeLimits() {
    return new StoreLimits(maxSpace, reservedSpace, maxShareSize, maxOpenWrites,
        maxOpenWritesPerConnection);
  }

  /**
   * Where earlier versions kept the lease database (a MapDB file): beside {@link
   * #leaseDbFile()}, or older still inside the storage dir. A server imports one found there at
   * start ({@code MapDbImport}).
   */
  public java.util.List<Path> oldLeaseDbFiles() {
    return java.util.List.of(leaseDbFile.resolveSibling(OLD_LEASE_DB_FILE),
        storageDir.resolve(OLD_LEASE_DB_FILE));
  }

  /** Validating builder; defaults: no max space, 1G reserved, 128G max share, no bandwidth
   * limits, GC off at 100 shares/s with 1h between passes, 31-day leases, 0.0.0.0:0, at most
   * 4096 open uploads and slot writes server-wide and 256 per connection, direct writes on. */
  public static final class Builder {
    private final Path storageDir;
    private long maxSpace = Long.MAX_VALUE;
    private long reservedSpace = DEFAULT_RESERVED_SPACE;
    private Long maxShareSize;
    private long globalBandwidth;
    private long connectionBandwidth;
    private boolean gcEnabled;
    private double gcSharesPerSecond = DEFAULT_GC_RATE;
    private Duration gcPause = DEFAULT_GC_PAUSE;
    private Duration leaseDuration = DEFAULT_LEASE_DURATION;
    private Duration leaseRenewalGranularity = DEFAULT_LEASE_RENEWAL_GRANULARITY;
    private String host = "0.0.0.0";
    private int port;
    private int maxOpenWrites = StoreLimits.DEFAULT_MAX_OPEN_WRITES;
    private int maxOpenWritesPerConnection = StoreLimits.DEFAULT_MAX_OPEN_WRITES_PER_CONNECTION;
    private Path leaseDbFile;
    private boolean directWrites = true;

    private Builder(Path storageDir) {
      this.storageDir = Objects.requireNonNull(storageDir, "storage dir");
    }

    public Builder maxSpace(long bytes) {
      this.maxSpace = positive("max space", bytes);
      return this;
    }

    public Builder maxSpace(String size) {
      return maxSpace(ByteSize.parse(size));
    }

    public Builder reservedSpace(long bytes) {
      this.reservedSpace = notNegative("reserved space", bytes);
      return this;
    }

    public Builder reservedSpace(String size) {
      return reservedSpace(ByteSize.parse(size));
    }

    public Builder maxShareSize(long bytes) {
      this.maxShareSize = positive("max share size", bytes);
      return this;
    }

    public Builder maxShareSize(String size) {
      return maxShareSize(ByteSize.parse(size));
    }

    /** Bytes per second over all connections, each direction; 0 = unlimited. */
    public Builder globalBandwidth(long bytesPerSecond) {
      this.globalBandwidth = notNegative("global bandwidth", bytesPerSecond);
      return this;
    }

    /** Bytes per second per connection, each direction; 0 = unlimited. */
    public Builder connectionBandwidth(long bytesPerSecond) {
      this.connectionBandwidth = notNegative("per-connection bandwidth", bytesPerSecond);
      return this;
    }

    /**
     * Whether uploads write whole blocks with direct I/O where the disk allows it (default
     * true; the store's {@code DirectWrites} says why), or every byte through the page cache.
     */
    public Builder directWrites(boolean enabled) {
      this.directWrites = enabled;
      return this;
    }

    public Builder gcEnabled(boolean enabled) {
      this.gcEnabled = enabled;
      return this;
    }

    public Builder gcSharesPerSecond(double rate) {
      if (!(rate > 0) || Double.isInfinite(rate)) {
        throw new IllegalArgumentException("gc rate must be a positive number of shares per "
            + "second, got " + rate);
      }
      this.gcSharesPerSecond = rate;
      return this;
    }

    public Builder gcPause(Duration pause) {
      if (pause.isNegative()) {
        throw new IllegalArgumentException("gc pause must not be negative, got " + pause);
      }
      this.gcPause = pause;
      return this;
    }

    public Builder leaseDuration(Duration duration) {
      if (duration.isNegative() || duration.isZero()) {
        throw new IllegalArgumentException("lease duration must be positive, got " + duration);
      }
      this.leaseDuration = duration;
      return this;
    }

    /**
     * The least move of an expiry a renewal makes (also at most a hundredth of the lease
     * duration); a smaller one writes nothing. Default 1 h; 0: every renewal that moves an
     * expiry writes. See storage-layout.md section 5.
     */
    public Builder leaseRenewalGranularity(Duration granularity) {
      if (granularity.isNegative() || granularity.compareTo(Duration.ofDays(1)) > 0) {
        throw new IllegalArgumentException("lease renewal granularity must be 0 to 1 day, got "
            + granularity);
      }
      this.leaseRenewalGranularity = granularity;
      return this;
    }

    public Builder host(String host) {
      if (host == null || host.isBlank()) {
        throw new IllegalArgumentException("host must not be blank");
      }
      this.host = host;
      return this;
    }

    /** TCP port; 0 picks a free one. */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be in 0..65535, got " + port);
      }
      this.port = port;
      return this;
    }

    /**
     * Where the lease database lives (default: {@code leases.db} in the storage dir). A node
     * keeps it out of the storage dir, so the share tree holds only shares; it must not be
     * inside {@code shares/}.
     */
    public Builder leaseDbFile(Path file) {
      Objects.requireNonNull(file, "lease database file");
      Path shares = storageDir.toAbsolutePath().normalize().resolve("shares");
      if (file.toAbsolutePath().normalize().startsWith(shares)) {
        throw new IllegalArgumentException("lease database " + file + " must not be inside the"
            + " share tree " + shares);
      }
      this.leaseDbFile = file;
      return this;
    }

    /** Most open uploads plus staged slot writes over the server (each holds a file). */
    public Builder maxOpenWrites(int count) {
      this.maxOpenWrites = (int) positive("max open writes", count);
      return this;
    }

    /** Most open uploads plus staged slot writes one connection may hold. */
    public Builder maxOpenWritesPerConnection(int count) {
      this.maxOpenWritesPerConnection = (int) positive("max open writes per connection", count);
      return this;
    }

    /**
     * @throws IllegalArgumentException for an explicit max share size above max space, or a
     *     per-connection bandwidth above the global one
     */
    public StorageConfig build() {
      long shareLimit;
      if (maxShareSize == null) {
        shareLimit = Math.min(DEFAULT_MAX_SHARE_SIZE, maxSpace);
      } else if (maxShareSize > maxSpace) {
        throw new IllegalArgumentException("max share size " + ByteSize.format(maxShareSize)
            + " is above max space " + ByteSize.format(maxSpace));
      } else {
        shareLimit = maxShareSize;
      }
      if (globalBandwidth > 0 && connectionBandwidth > globalBandwidth) {
        throw new IllegalArgumentException("per-connection bandwidth " + connectionBandwidth
            + " B/s is above the global bandwidth " + globalBandwidth + " B/s");
      }
      return new StorageConfig(storageDir, maxSpace, reservedSpace, shareLimit,
          globalBandwidth, connectionBandwidth, gcEnabled, gcSharesPerSecond, gcPause,
          leaseDuration, leaseRenewalGranularity, host, port, maxOpenWrites, maxOpenWritesPerConnection,
          leaseDbFile != null ? leaseDbFile : storageDir.resolve(LEASE_DB_FILE), directWrites);
    }

    private static long positive(String what, long value) {
      if (value <= 0) {
        throw new IllegalArgumentException(what + " must be positive, got " + value);
      }
      return value;
    }

    private static long notNegative(String what, long value) {
      if (value < 0) {
        throw new IllegalArgumentException(what + " must not be negative, got " + value);
      }
      return value;
    }
  }
}
