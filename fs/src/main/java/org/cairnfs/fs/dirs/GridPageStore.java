package org.cairnfs.fs.dirs;

import com.github.benmanes.caffeine.cache.AsyncCache;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.cairnfs.caps.LiteralCap;
import org.cairnfs.caps.dirnode.PageRef;
import org.cairnfs.caps.immutable.ImmutableEncoder;
import org.cairnfs.caps.immutable.PlaintextSource;
import org.cairnfs.fs.grid.Await;
import org.cairnfs.fs.grid.GridClient;
import org.cairnfs.fs.grid.ImmutableFile;
import org.cairnfs.fs.grid.UploadResult;

/**
 * A directory's pages on the grid: each page an immutable file under the directory's convergent
 * page encoder (so an unchanged page, or one re-put by a retried publish, lands on the shares
 * already there and is not sent again), read back verified and kept in a cache shared by every
 * directory of the client. Pages never change, so the cache needs no invalidation: a new
 * version of a directory names new pages.
 */
final class GridPageStore implements PageStore {
  private final GridClient grid;
  private final Optional<ImmutableEncoder> encoder;
  private final AsyncCache<String, byte[]> cache;
  private final CostCounters costs;
  private final Duration timeout;

  /**
   * @param encoder the directory's page encoder; empty for a reader (puts then fail)
   */
  GridPageStore(GridClient grid, Optional<ImmutableEncoder> encoder, AsyncCache<String, byte[]> cache,
      CostCounters costs) {
    this.grid = grid;
    this.encoder = encoder;
    this.cache = cache;
    this.costs = costs;
    this.timeout = grid.config().stallTimeout().multipliedBy(10);
  }

  @Override
  public PageRef put(byte[] page) throws IOException {
    if (page.length <= LiteralCap.MAX_SIZE) {
      return PageRef.of(new LiteralCap(page));
    }
    ImmutableEncoder e = encoder.orElseThrow(() -> new IllegalStateException(
        "pages are written only through a directory write cap"));
    UploadResult r = Await.get(grid.upload(PlaintextSource.of(page), e), timeout,
        "uploading a directory page");
    PageRef ref = PageRef.of(r.cap());
    if (ref instanceof PageRef.Stored s) {
      cache.put(s.cap().toString(), CompletableFuture.completedFuture(page.clone()));
      costs.pageWritten(page.length, r.bytesSent());
    }
    return ref;
  }

  @Override
  public byte[] get(PageRef.Stored page) throws IOException {
    return Await.get(load(page), timeout, "reading a directory page");
  }

  @Override
  public void prefetch(List<PageRef.Stored> pages) {
    for (PageRef.Stored p : pages) {
      load(p);
    }
  }

  /** The page from the cache, or a fetch started on a worker (failed fetches are not kept). */
  private CompletableFuture<byte[]> load(PageRef.Stored page) {
    return cache.get(page.cap().toString(), (key, executor) -> CompletableFuture.supplyAsync(
        () -> {
          try {
            return fetch(page);
          } catch (IOException e) {
            throw new CompletionException(e);
          }
        }, grid.workers()));
  }

  private byte[] fetch(PageRef.Stored page) throws IOException {
    try (ImmutableFile f = grid.open(page.cap())) {
      byte[] bytes = Await.get(f.read(0, (int) page.size()), timeout, "reading a directory page");
      costs.pageFetched();
      return bytes;
    }
  }
}
