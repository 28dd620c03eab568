package org.cairnfs.fs.files;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.LongAdder;
import org.cairnfs.caps.Cap;
import org.cairnfs.caps.ChunkedReadCap;
import org.cairnfs.caps.ImmutableReadCap;
import org.cairnfs.caps.LiteralCap;
import org.cairnfs.caps.immutable.EncodingParams;
import org.cairnfs.caps.immutable.IntegrityException;
import org.cairnfs.caps.immutable.PlaintextSource;
import org.cairnfs.caps.manifest.ChunkRef;
import org.cairnfs.caps.manifest.ManifestFormatException;
import org.cairnfs.caps.manifest.NodeKeyPolicy;
import org.cairnfs.fs.grid.Await;
import org.cairnfs.fs.grid.GridClient;
import org.cairnfs.fs.grid.ImmutableFile;

/**
 * Regular files on the grid as chunked files (DESIGN.md "Chunked file"): every chunk a
 * convergent immutable file, a manifest tree listing them, a file of one chunk just that chunk's
 * cap and a tiny file a literal. Why chunks: a write into the middle of a huge file or an append
 * re-encodes the chunks it touches and the manifest path above them, not the file; chunks
 * encode and transfer in parallel; identical chunks are stored once.
 *
 * <p>Every operation runs on the grid client's worker threads and is bounded in memory by the
 * configured parallelism times the chunk size ({@link FilesConfig}), whatever the file size.
 * Futures fail with the grid's typed exceptions: {@link org.cairnfs.fs.grid.HappinessException}
 * (an upload could not be placed), {@link org.cairnfs.fs.grid.NotEnoughSharesException} (too
 * few shares found), {@link IntegrityException} (shares or a manifest failed verification),
 * other {@link IOException}s from servers and sources, {@link IllegalArgumentException} for a
 * cap that is not a file's read cap or a range outside the file.
 *
 * <p>Accepted caps: {@code cairn:lit:}, {@code cairn:chk:} (one chunk) and {@code cairn:cf-ro:}.
 */
public final class ChunkedFiles {
  private final GridClient grid;
  private final FilesConfig config;
  private final EncodingParams params;
  private final GridNodeStore nodes;
  private final NodeKeyPolicy policy;
  private final LongAdder chunksUploaded = new LongAdder();
  private final LongAdder chunkBytesUploaded = new LongAdder();
  private final LongAdder chunkShareBytes = new LongAdder();
  private final LongAdder holesWritten = new LongAdder();
  /**
   * KiB of chunks in the making across every upload and rewrite: what bounds their memory. A
   * chunk weighs its length, so many small files upload together where few full chunks do.
   */
  private final java.util.concurrent.Semaphore chunkKib;
  private final int budgetKib;
  private final java.util.concurrent.atomic.AtomicInteger kibInUse =
      new java.util.concurrent.atomic.AtomicInteger();
  private final java.util.concurrent.atomic.AtomicInteger kibPeak =
      new java.util.concurrent.atomic.AtomicInteger();

  private ChunkedFiles(GridClient grid, FilesConfig config) {
    this.grid = Objects.requireNonNull(grid, "grid");
    this.config = Objects.requireNonNull(config, "config");
    this.params = config.params().orElse(grid.config().params());
    this.nodes = new GridNodeStore(grid, params, config.nodeCacheBytes());
    this.policy = NodeKeyPolicy.convergent(grid.secrets().convergenceSecret());
    this.budgetKib = (int) Math.max(1, (long) config.chunkBudget() * config.chunkSize() >> 10);
    this.chunkKib = new java.util.concurrent.Semaphore(budgetKib);
  }

  public static ChunkedFiles create(GridClient grid, FilesConfig config) {
    return new ChunkedFiles(grid, config);
  }

  public FilesConfig config() {
    return config;
  }

  /**
   * Uploads the stream as a new file, reading it once, in order: chunk after chunk is cut and
   * handed to an upload, up to {@link FilesConfig#parallelUploads()} at once, and the manifest
   * is written as chunks complete. The stream is not closed.
   */
  public CompletableFuture<Cap> upload(InputStream in) {
    Objects.requireNonNull(in, "in");
    return async(() -> new StreamUpload(this, in).run());
  }

  /**
   * Stores the version {@code edit} describes. With a base that can be edited (a chunked file,
   * or a one-chunk file no longer than the chunk size), only the chunks the dirty ranges, the
   * truncation boundary or the resized last chunk touch are encoded again, plus the manifest
   * nodes above them; every other chunk keeps its cap. Otherwise the file is built anew.
   */
  public CompletableFuture<Cap> write(FileEdit edit) {
    Objects.requireNonNull(edit, "edit");
    return async(() -> new FileRewrite(this, edit).run());
  }

  /** Bytes {@code [offset, offset + length)} of the file (fewer at its end). */
  public CompletableFuture<byte[]> read(Cap file, long offset, int length) {
    return async(() -> {
      try (InputStream in = open(file, offset, length)) {
        return in.readAllBytes();
      }
    });
  }

  /**
   * A stream of bytes {@code [offset, offset + length)} of the file (to its end at most),
   * fetching up to {@link FilesConfig#parallelDownloads()} chunks ahead of the reader and only
   * the chunks, and within them the segments, the range covers. Holes read as zeros without
   * touching the network. Blocking; close it to stop.
   */
  public InputStream open(Cap file, long offset, long length) {
    checkRange(offset, length);
    long size = sizeOf(file);
    long end = Math.min(size, offset + Math.min(length, Long.MAX_VALUE - offset));
    if (file instanceof ChunkedReadCap c) {
      return new ChunkStream(this, c, offset, Math.max(offset, end));
    } else if (file instanceof ImmutableReadCap c) {
      ImmutableFile f = grid.open(c);
      return new java.io.FilterInputStream(f.openStream(offset, Math.max(0, end - offset))) {
        @Override
        public void close() throws IOException {
          try {
            super.close();
          } finally {
            f.close();
          }
        }
      };
    }
    LiteralCap literal = (LiteralCap) file;
    int from = (int) Math.min(offset, size);
    return new java.io.ByteArrayInputStream(literal.data(), from, (int) Math.max(0, end - from));
  }

  /** The size of a file from its cap alone. */
  public static long sizeOf(Cap file) {
    if (file instanceof LiteralCap l) {
      return l.size();
    } else if (file instanceof ImmutableReadCap c) {
      return c.size();
    } else if (file instanceof ChunkedReadCap c) {
      return c.size();
    }
    throw new IllegalArgumentException("not a file read cap: " + (file == null ? "null"
        : file.getClass().getSimpleName()));
  }

  /** What this instance has sent so far (for tests, benchmarks and status). */
  public Counters counters() {
    return new Counters(chunksUploaded.sum(), chunkBytesUploaded.sum(), holesWritten.sum(),
        nodes.nodesWritten(), nodes.nodeLookups(),
        chunkShareBytes.sum() + nodes.shareBytesSent());
  }

  /**
   * Totals since creation.
   *
   * @param chunksUploaded chunks encoded and placed (found-already-stored ones included)
   * @param chunkBytesUploaded plaintext bytes of those chunks
   * @param holesWritten chunks of zeros stored as holes (nothing uploaded)
   * @param nodesWritten manifest node files stored
   * @param nodeLookups manifest nodes looked up by walks, from the cache or the grid
   * @param shareBytesSent share bytes sent to servers for chunks and nodes
   */
  public record Counters(long chunksUploaded, long chunkBytesUploaded, long holesWritten,
      long nodesWritten, long nodeLookups, long shareBytesSent) {}

  // ---- shared by the operations ----

  GridClient grid() {
    return grid;
  }

  GridNodeStore nodes() {
    return nodes;
  }

  NodeKeyPolicy policy() {
    return policy;
  }

  Executor workers() {
    return grid.workers();
  }

  /**
   * Stores one chunk's bytes: zeros (beyond literal size) as a hole, anything else as a
   * convergent immutable file (a literal when tiny).
   */
  CompletableFuture<ChunkRef> storeChunk(byte[] data) {
    if (data.length > LiteralCap.MAX_SIZE && allZero(data)) {
      return CompletableFuture.completedFuture(hole(data.length));
    }
    return grid.upload(PlaintextSource.of(data), params, true).thenApply(r -> {
      if (r.index().isPresent()) {
        chunksUploaded.increment();
        chunkBytesUploaded.add(data.length);
        chunkShareBytes.add(r.bytesSent());
      }
      return ChunkRef.of(r.cap());
    });
  }

  /**
   * Starts {@code make} (the upload of a chunk of {@code length} bytes) once the client's {@link
   * FilesConfig#chunkBudget()} (that many full chunks, counted in KiB) has room for it, waiting
   * on this (an upload's own) thread; the room is given back when the chunk's future completes,
   * however it ends. A chunk larger than the whole budget waits for all of it.
   */
  CompletableFuture<ChunkRef> inChunkSlot(long length, Work<CompletableFuture<ChunkRef>> make)
      throws IOException {
    int kib = (int) Math.max(1, Math.min(budgetKib, (length + 1023) >> 10));
    try {
      chunkKib.acquire(kib);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted waiting for room in the chunk budget");
    }
    kibPeak.accumulateAndGet(kibInUse.addAndGet(kib), Math::max);
    CompletableFuture<ChunkRef> f;
    try {
      f = make.run();
    } catch (IOException | RuntimeException e) {
      free(kib);
      throw e;
    }
    f.whenComplete((r, t) -> free(kib));
    return f;
  }

  private void free(int kib) {
    kibInUse.addAndGet(-kib);
    chunkKib.release(kib);
  }

  /** The most KiB of the chunk budget ever taken at once (tests). */
  int chunkBudgetPeakKib() {
    return kibPeak.get();
  }

  /** A chunk of zeros that is never made: a hole. */
  ChunkRef hole(long length) {
    holesWritten.increment();
    return new ChunkRef.Hole(length);
  }

  private static boolean allZero(byte[] data) {
    for (byte b : data) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }

  /** Blocking work that may throw IOException, as a future on the worker threads. */
  @FunctionalInterface
  interface Work<T> {
    T run() throws IOException;
  }

  <T> CompletableFuture<T> async(Work<T> work) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return work.run();
      } catch (IOException e) {
        throw new CompletionException(e);
      } catch (ManifestFormatException e) {
        throw new CompletionException(malformed(e));
      }
    }, grid.workers());
  }

  /** A manifest that verified but does not parse was made wrong by its uploader. */
  static IntegrityException malformed(ManifestFormatException e) {
    IntegrityException ie = new IntegrityException("malformed manifest: " + e.getMessage(),
        Map.of());
    ie.initCause(e);
    return ie;
  }

  /** The value of a future; its failure as the IOException behind it. */
  static <T> T join(CompletableFuture<T> future) throws IOException {
    try {
      return future.join();
    } catch (CompletionException | java.util.concurrent.CancellationException e) {
      Throwable cause = Await.unwrap(e);
      if (cause instanceof RuntimeException re && !(cause instanceof CompletionException)) {
        throw re;
      }
      throw Await.asIo(e);
    }
  }

  private static void checkRange(long offset, long length) {
    if (offset < 0 || length < 0) {
      throw new IllegalArgumentException("offset and length must be >= 0, got " + offset
          + " and " + length);
    }
  }
}
