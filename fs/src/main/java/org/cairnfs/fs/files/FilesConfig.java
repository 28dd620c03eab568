package org.cairnfs.fs.files;

import java.util.Optional;
import org.cairnfs.caps.ChunkedReadCap;
import org.cairnfs.caps.immutable.EncodingParams;

/**
 * How {@link ChunkedFiles} cuts and moves files: the chunk size of new files (a file keeps the
 * chunk size it was made with), how many chunks are encoded and uploaded at once, how many are
 * fetched ahead when reading, and the bytes of manifest nodes kept in memory. Memory of one
 * transfer is about the parallelism times the chunk size, whatever the file size.
 *
 * <p>The default chunk size, 4 MiB, comes from the table in docs/chunk-size.md.
 */
public final class FilesConfig {
  /** The default chunk size of new files (docs/chunk-size.md). */
  public static final int DEFAULT_CHUNK_SIZE = 4 << 20;
  /**
   * Four chunks of one upload in the making at once: an upload waits on the servers' durable
   * closes as much as on the CPU, so more chunks than cores keep both busy (docs/chunk-size.md:
   * x1.19 over two through the mount on 2 cores). What bounds memory is {@link
   * #DEFAULT_CHUNK_BUDGET}, shared by every upload of the client.
   */
  public static final int DEFAULT_PARALLEL_UPLOADS = 4;
  /**
   * Full chunks' worth of bytes in the making at once across every upload and rewrite of one
   * client (a chunk weighs its length, so small files share it): one per 128 MiB of heap, 2 to
   * 4. Each holds the chunk plus up to n x 2.25 MiB of unacknowledged share writes (GridConfig's
   * window and run), about 30 MiB at 3-of-10: four fit the 512 MiB heap of
   * cli/jvm.options with the demo's ten servers beside them, however many files upload at once
   * (a mount uploads four large files together). A 4 GiB round trip with four in a 256 MiB heap
   * with ten servers peaked at 255 MiB live, so such a heap gets two.
   */
  public static final int DEFAULT_CHUNK_BUDGET =
      (int) Math.max(2, Math.min(4, Runtime.getRuntime().maxMemory() / (128L << 20)));
  /** Parallelism times chunk size may not exceed this (one transfer's buffers). */
  public static final long MAX_BUFFERED = 1L << 30;

  private final int chunkSize;
  private final int parallelUploads;
  private final int parallelDownloads;
  private final int chunkBudget;
  private final long nodeCacheBytes;
  private final EncodingParams params;

  private FilesConfig(Builder b) {
    this.chunkSize = b.chunkSize;
    this.parallelUploads = b.parallelUploads;
    this.parallelDownloads = b.parallelDownloads;
    this.chunkBudget = b.chunkBudget;
    this.nodeCacheBytes = b.nodeCacheBytes;
    this.params = b.params;
  }

  public static Builder builder() {
    return new Builder();
  }

  public static FilesConfig defaults() {
    return builder().build();
  }

  public int chunkSize() {
    return chunkSize;
  }

  /** Chunks encoded and uploaded at once by one upload or write. */
  public int parallelUploads() {
    return parallelUploads;
  }

  /** Chunks fetched at once (read-ahead) by one read or stream. */
  public int parallelDownloads() {
    return parallelDownloads;
  }

  /** Full chunks' worth of bytes in the making across all uploads (memory's bound). */
  public int chunkBudget() {
    return chunkBudget;
  }

  /** Bytes of decrypted manifest nodes cached (shared by every operation). */
  public long nodeCacheBytes() {
    return nodeCacheBytes;
  }

  /** Encoding parameters of chunks and nodes; empty means the grid client's. */
  public Optional<EncodingParams> params() {
    return Optional.ofNullable(params);
  }

  @Override
  public String toString() {
    return "FilesConfig[chunkSize=" + chunkSize + ", parallelUploads=" + parallelUploads
        + ", parallelDownloads=" + parallelDownloads + ", chunkBudget=" + chunkBudget
        + ", nodeCacheBytes=" + nodeCacheBytes
        + ", params=" + params + "]";
  }

  /** Builder whose setters refuse bad values, naming them. */
  public static final class Builder {
    private int chunkSize = DEFAULT_CHUNK_SIZE;
    private int parallelUploads = DEFAULT_PARALLEL_UPLOADS;
    private int parallelDownloads = 4;
    private int chunkBudget = DEFAULT_CHUNK_BUDGET;
    private long nodeCacheBytes = 4 << 20;
    private EncodingParams params;

    private Builder() {}

    public Builder chunkSize(int bytes) {
      if (bytes < ChunkedReadCap.MIN_CHUNK_SIZE || bytes > ChunkedReadCap.MAX_CHUNK_SIZE) {
        throw new IllegalArgumentException("chunk size must be " + ChunkedReadCap.MIN_CHUNK_SIZE
            + ".." + ChunkedReadCap.MAX_CHUNK_SIZE + " bytes, got " + bytes);
      }
      this.chunkSize = bytes;
      return this;
    }

    public Builder parallelUploads(int chunks) {
      this.parallelUploads = parallelism(chunks, "parallel uploads");
      return this;
    }

    public Builder parallelDownloads(int chunks) {
      this.parallelDownloads = parallelism(chunks, "parallel downloads");
      return this;
    }

    /** Full chunks' worth of bytes in the making at once across every upload of the client. */
    public Builder chunkBudget(int chunks) {
      this.chunkBudget = parallelism(chunks, "chunk budget");
      return this;
    }

    public Builder nodeCacheBytes(long bytes) {
      if (bytes < 0 || bytes > 1L << 30) {
        throw new IllegalArgumentException("node cache must be 0..1 GiB, got " + bytes);
      }
      this.nodeCacheBytes = bytes;
      return this;
    }

    /** Encoding parameters of chunks and nodes (default: the grid client's). */
    public Builder params(EncodingParams params) {
      if (params == null) {
        throw new IllegalArgumentException("params must not be null");
      }
      this.params = params;
      return this;
    }

    /**
     * @throws IllegalArgumentException if a parallelism times the chunk size exceeds {@link
     *     #MAX_BUFFERED}
     */
    public FilesConfig build() {
      long most = (long) Math.max(Math.max(parallelUploads, chunkBudget), parallelDownloads)
          * chunkSize;
      if (most > MAX_BUFFERED) {
        throw new IllegalArgumentException("parallelism " + most / chunkSize + " x chunk size "
            + chunkSize + " = " + most
            + " bytes buffered, more than " + MAX_BUFFERED);
      }
      return new FilesConfig(this);
    }

    private static int parallelism(int value, String what) {
      if (value < 1 || value > 64) {
        throw new IllegalArgumentException(what + " must be 1..64, got " + value);
      }
      return value;
    }
  }
}
