package org.cairnfs.fs.mount;

import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Objects;

/**
 * How a mount behaves: its root, cache dir and bound, write-through or write-back, how long
 * directory listings are trusted, how the uploader batches and retries. Built with
 * {@link #builder(String, Path)}; each setter names a bad value.
 */
public record MountConfig(String rootCap, Path cacheDir, long cacheBytes, boolean writeThrough,
    Duration directoryTtl, Duration journalForceInterval, Duration coalesceDelay,
    Duration coalesceLimit, Duration retryInitial, Duration retryMax, Duration backpressureWait,
    int uploadParallelism, int readAheadBytes, long readCacheBytes, int ownerUid, int ownerGid,
    long treeEntries, Duration treeIdle, InstantSource clock) {

  public static Builder builder(String rootCap, Path cacheDir) {
    return new Builder(rootCap, cacheDir);
  }

  /** Validating builder; defaults are documented on each setter. */
  public static final class Builder {
    private final String rootCap;
    private final Path cacheDir;
    private long cacheBytes = 1L << 30;
    private boolean writeThrough;
    private Duration directoryTtl = Duration.ofSeconds(3);
    private Duration journalForceInterval = Duration.ofSeconds(1);
    private Duration coalesceDelay = Duration.ofMillis(300);
    private Duration coalesceLimit = Duration.ofSeconds(30);
    private Duration retryInitial = Duration.ofMillis(500);
    private Duration retryMax = Duration.ofSeconds(30);
    private Duration backpressureWait = Duration.ofSeconds(60);
    private int uploadParallelism = 4;
    private int readAheadBytes = 1 << 20;
    private long readCacheBytes = 1L << 30;
    private int ownerUid;
    private int ownerGid;
    private long treeEntries = Math.max(1_000, Runtime.getRuntime().maxMemory() / 5_000);
    private Duration treeIdle = Duration.ofSeconds(10);
    private InstantSource clock = InstantSource.system();

    private Builder(String rootCap, Path cacheDir) {
      this.rootCap = Objects.requireNonNull(rootCap, "root cap");
      this.cacheDir = Objects.requireNonNull(cacheDir, "cache dir");
    }

    /** Bound on spool bytes (default 1 GiB); past it writes wait for the uploader. */
    public Builder cacheBytes(long bytes) {
      if (bytes < 1 << 20) {
        throw new IllegalArgumentException("cache size must be at least 1 MiB, got " + bytes);
      }
      this.cacheBytes = bytes;
      return this;
    }

    /** Every close waits until its file is on the grid (default false: write-back). */
    public Builder writeThrough(boolean on) {
      this.writeThrough = on;
      return this;
    }

    /** How long a listed directory is trusted before it is listed again (default 3 s). */
    public Builder directoryTtl(Duration ttl) {
      this.directoryTtl = positiveOrZero("directory TTL", ttl);
      return this;
    }

    /**
     * How often the journal is forced to the disk (default 1 s). A close writes its change to the
     * journal (the kernel's, so a kill of the mount loses nothing) and returns; the forcer makes
     * it last a power loss within this interval, as a local file system's commit interval does
     * (ext4: 5 s). Zero forces the journal at every close (each close then waits for an fsync).
     */
    public Builder journalForceInterval(Duration d) {
      this.journalForceInterval = positiveOrZero("journal force interval", d);
      return this;
    }

    /**
     * How long changes must pause before the uploader starts a round (default 300 ms). A
     * steady stream waits at most the coalesce limit, and not at all once sealed (closed) layers
     * hold a sixteenth of the cache bound.
     */
    public Builder coalesceDelay(Duration d) {
      this.coalesceDelay = positiveOrZero("coalesce delay", d);
      return this;
    }

    /**
     * The longest a steady stream of small changes waits for its first round (default 30 s,
     * the kernel's dirty_expire): a copy of many small files finishes before its uploads
     * compete with it for the CPU, and is on the grid at most this long after it began.
     */
    public Builder coalesceLimit(Duration d) {
      this.coalesceLimit = positiveOrZero("coalesce limit", d);
      return this;
    }

    /** First and longest wait between retries of a failed upload (default 0.5 s, 30 s). */
    public Builder retry(Duration initial, Duration max) {
      positiveOrZero("retry initial", initial);
      positiveOrZero("retry max", max);
      if (max.compareTo(initial) < 0) {
        throw new IllegalArgumentException("retry max " + max + " is below initial " + initial);
      }
      this.retryInitial = initial;
      this.retryMax = max;
      return this;
    }

    /** How long a write waits for a full cache to drain before ENOSPC (default 60 s). */
    public Builder backpressureWait(Duration d) {
      this.backpressureWait = positiveOrZero("backpressure wait", d);
      return this;
    }

    /** Files uploaded at once (default 4); small ones (up to 256 KiB) go 8 to a slot. */
    public Builder uploadParallelism(int n) {
      if (n < 1 || n > 256) {
        throw new IllegalArgumentException("upload parallelism must be 1..256, got " + n);
      }
      this.uploadParallelism = n;
      return this;
    }

    /**
     * Read-ahead for sequential readers: any positive value streams them from the grid
     * client's download pipeline, whose depth is the client's (parallel downloads); 0 turns
     * it off, so every read is one grid read. Default 1 MiB (on).
     */
    public Builder readAheadBytes(int n) {
      if (n < 0 || n > 64 << 20) {
        throw new IllegalArgumentException("read-ahead must be 0..64 MiB, got " + n);
      }
      this.readAheadBytes = n;
      return this;
    }

    /**
     * Bytes of read file content kept on local disk (in the cache dir's {@code read/}, emptied
     * at each mount and unmount) so a re-read does not fetch it from the grid again: the
     * kernel may drop pages it cached. Default 1 GiB; 0 keeps nothing. Nothing is kept while
     * the disk has less free space than this.
     */
    public Builder readCacheBytes(long bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException("read cache size must not be negative, got "
            + bytes);
      }
      this.readCacheBytes = bytes;
      return this;
    }

    /** Owner shown for nodes that have no local owner yet (the mounting user). */
    public Builder owner(int uid, int gid) {
      if (uid < 0 || gid < 0) {
        throw new IllegalArgumentException("owner must not be negative: " + uid + ":" + gid);
      }
      this.ownerUid = uid;
      this.ownerGid = gid;
      return this;
    }

    /**
     * How many entries of listed directories the mount keeps in memory (default: one per
     * 5 000 bytes of the heap's limit, about a seventh of it at some 700 bytes an entry; 107 000
     * under the default 512 MiB). Past it, the listings of directories no lookup went through
     * for {@code idle} (default 10 s) and whose entries are all clean (on the grid, closed, no
     * pending change) are dropped, least recently used first, down to three quarters; the next
     * lookup lists them again. Listings an operation in flight uses are never dropped, so the
     * bound can be passed by what is in use and by what was listed in the last {@code idle}.
     */
    public Builder treeEntries(long max, Duration idle) {
      if (max < 1) {
        throw new IllegalArgumentException("tree entries must be at least 1, got " + max);
      }
      this.treeEntries = max;
      this.treeIdle = positiveOrZero("tree idle time", idle);
      return this;
    }

    /** Time source for file times and timers (tests fake it). */
    public Builder clock(InstantSource c) {
      this.clock = Objects.requireNonNull(c, "clock");
      return this;
    }

    public MountConfig build() {
      return new MountConfig(rootCap, cacheDir, cacheBytes, writeThrough, directoryTtl,
          journalForceInterval, coalesceDelay, coalesceLimit, retryInitial, retryMax,
          backpressureWait, uploadParallelism, readAheadBytes, readCacheBytes, ownerUid, ownerGid,
          treeEntries, treeIdle, clock);
    }

    private static Duration positiveOrZero(String what, Duration d) {
      if (d == null || d.isNegative()) {
        throw new IllegalArgumentException(what + " must be zero or positive, got " + d);
      }
      return d;
    }
  }
}
