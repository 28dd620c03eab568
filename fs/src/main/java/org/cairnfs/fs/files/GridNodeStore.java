package org.cairnfs.fs.files;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.LongAdder;
import org.cairnfs.caps.ImmutableReadCap;
import org.cairnfs.caps.immutable.EncodingParams;
import org.cairnfs.caps.immutable.PlaintextSource;
import org.cairnfs.caps.manifest.NodeStore;
import org.cairnfs.fs.grid.Await;
import org.cairnfs.fs.grid.GridClient;
import org.cairnfs.fs.grid.ImmutableFile;
import org.cairnfs.fs.grid.UploadResult;

/**
 * Manifest nodes as immutable files on the grid: stored under the key the manifest codec
 * derived, read back verified, and kept decrypted in a cache bounded in bytes, so a stream over
 * a file of many leaves fetches each node once and a range read of a cached file fetches none.
 * Nodes are immutable, so the cache never goes stale. Calls block; run them on worker threads.
 */
final class GridNodeStore implements NodeStore {
  private final GridClient grid;
  private final EncodingParams params;
  private final Cache<ImmutableReadCap, byte[]> cache;
  private final LongAdder written = new LongAdder();
  private final LongAdder lookups = new LongAdder();
  private final LongAdder bytesSent = new LongAdder();

  GridNodeStore(GridClient grid, EncodingParams params, long cacheBytes) {
    this.grid = grid;
    this.params = params;
    this.cache = Caffeine.newBuilder().maximumWeight(cacheBytes)
        .weigher((ImmutableReadCap cap, byte[] node) -> node.length + 64).build();
  }

  @Override
  public EncodingParams params() {
    return params;
  }

  @Override
  public ImmutableReadCap put(byte[] plaintext, byte[] key) throws IOException {
    UploadResult r = join(grid.uploadUnderKey(PlaintextSource.of(plaintext), params, key));
    ImmutableReadCap cap = (ImmutableReadCap) r.cap();
    written.increment();
    bytesSent.add(r.bytesSent());
    cache.put(cap, plaintext.clone());
    return cap;
  }

  @Override
  public byte[] get(ImmutableReadCap file) throws IOException {
    lookups.increment();
    byte[] cached = cache.getIfPresent(file);
    if (cached != null) {
      return cached.clone();
    }
    byte[] node;
    try (ImmutableFile f = grid.open(file)) {
      node = join(f.read(0, (int) file.size()));
    }
    cache.put(file, node);
    return node.clone();
  }

  long nodesWritten() {
    return written.sum();
  }

  /** Node lookups, cache hits included: the walks' work, whether or not a server was asked. */
  long nodeLookups() {
    return lookups.sum();
  }

  long shareBytesSent() {
    return bytesSent.sum();
  }

  /** The value of a grid future, its failure as the IOException the grid gave. */
  static <T> T join(CompletableFuture<T> future) throws IOException {
    try {
      return future.join();
    } catch (CompletionException | java.util.concurrent.CancellationException e) {
      throw Await.asIo(e);
    }
  }
}
