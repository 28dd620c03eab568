package org.cairnfs.fs.dirs;

import com.github.benmanes.caffeine.cache.AsyncCache;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
import org.cairnfs.caps.Cap;
import org.cairnfs.caps.LiteralCap;
import org.cairnfs.caps.dirnode.PageRef;
import org.cairnfs.caps.immutable.ImmutableEncoder;
import org.cairnfs.caps.immutable.PlaintextSource;
import org.cairnfs.fs.grid.Await;
import org.cairnfs.fs.grid.GridClient;
import org.cairnfs.fs.grid.ImmutableFile;

/**
 * A directory's pages on the grid: each page an immutable file under the directory's convergent
 * page encoder (so an unchanged page, or one re-put by a retried publish, lands on the shares
 * already there and is not sent again), read back verified and kept in a cache shared by every
 * directory of the client. Pages never change, so the cache needs no invalidation: a new
 * version of a directory names new pages.
 *
 * <p>Writes are pipelined: {@link #put} encodes the page locally to learn its cap (pages are
 * small, so this costs microseconds), starts the upload and returns; up to {@link #WINDOW}
 * uploads run at once, and {@link #awaitWrites()} waits for them all before the root that names
 * them may be published. Reads ahead are windowed too: a listing announces the pages it will
 * read ({@link #prefetch}) and each page read starts fetching the next {@link #WINDOW}.
 *
 * <p>One instance serves one directory operation, on one thread.
 */
final class GridPageStore implements PageStore {
  static final int WINDOW = 16;

  private final GridClient grid;
  private final Optional<ImmutableEncoder> encoder;
  private final AsyncCache<String, byte[]> cache;
  private final CostCounters costs;
  private final Duration timeout;
  private final Semaphore uploads = new Semaphore(WINDOW);
  private final List<CompletableFuture<Void>> pending = new ArrayList<>();
  private final List<PageRef.Stored> ahead = new ArrayList<>();
  private final Map<String, Integer> aheadIndex = new HashMap<>();

  /**
   * @param encoder the directory's page encoder; empty for a reader (puts then fail)
   */
  GridPageStore(GridClient grid, Optional<ImmutableEncoder> encoder,
      AsyncCache<String, byte[]> cache, CostCounters costs) {
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
    Cap cap = e.encode(PlaintextSource.of(page), (i, length) -> (offset, b, off, n) -> { });
    PageRef ref = PageRef.of(cap);
    String key = cap.toString();
    byte[] copy = page.clone();
    cache.put(key, CompletableFuture.completedFuture(copy));
    try {
      uploads.acquire();
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while writing directory pages");
    }
    CompletableFuture<Void> upload;
    try {
      upload = grid.upload(PlaintextSource.of(copy), e).thenAccept(r -> {
        if (!r.cap().equals(cap)) {
          throw new CompletionException(new IOException("a directory page uploaded as "
              + r.index().map(Object::toString).orElse("a literal") + ", not under the cap "
              + "it encoded to locally"));
        }
        costs.pageWritten(copy.length, r.bytesSent());
      });
    } catch (RuntimeException ex) {
      uploads.release();
      throw ex;
    }
    pending.add(upload.whenComplete((v, ex) -> uploads.release()));
    return ref;
  }

  /** Waits until every page put so far is on the grid; the first failure is thrown. */
  void awaitWrites() throws IOException {
    IOException first = null;
    for (CompletableFuture<Void> f : pending) {
      try {
        Await.get(f, timeout, "uploading a directory page");
      } catch (IOException e) {
        if (first == null) {
          first = e;
        }
      }
    }
    pending.clear();
    if (first != null) {
      throw first;
    }
  }

  @Override
  public byte[] get(PageRef.Stored page) throws IOException {
    CompletableFuture<byte[]> wanted = load(page);
    Integer at = aheadIndex.get(page.cap().toString());
    if (at != null) {
      for (int i = at + 1; i <= at + WINDOW && i < ahead.size(); i++) {
        load(ahead.get(i));
      }
    }
    return Await.get(wanted, timeout, "reading a directory page");
  }

  @Override
  public void prefetch(List<PageRef.Stored> pages) {
    ahead.clear();
    aheadIndex.clear();
    for (PageRef.Stored p : pages) {
      aheadIndex.put(p.cap().toString(), ahead.size());
      ahead.add(p);
    }
    for (int i = 0; i < WINDOW && i < pages.size(); i++) {
      load(pages.get(i));
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
