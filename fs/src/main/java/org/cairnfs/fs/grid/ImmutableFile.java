package org.cairnfs.fs.grid;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;
import org.cairnfs.caps.ImmutableReadCap;
import org.cairnfs.caps.immutable.EncodingParams;
import org.cairnfs.caps.immutable.ImmutableDecoder;
import org.cairnfs.caps.immutable.ShareLayout;
import org.cairnfs.caps.share.ShareSource;
import org.cairnfs.protocol.identity.NodeId;

/**
 * An immutable file open for reading from the grid: any byte range, fetching only the segments
 * it covers, every block verified ({@link ImmutableDecoder}) before a byte is returned.
 *
 * <p>Opening asks servers in parallel who holds which share ({@link ShareLocator}); the first
 * read fetches the front of the k fastest shares (data shares first among similar servers, which
 * spares Reed-Solomon work) in one request each, then reads blocks with read-ahead. A share that
 * fails verification is dropped and the next one opened; a server that errs, times out or
 * disconnects is replaced by another holding the same share ({@link RemoteShare}). Corruption
 * that leaves fewer than k good shares fails loudly ({@link
 * org.cairnfs.caps.immutable.IntegrityException}); wrong bytes are never returned.
 *
 * <p>Memory: about k x read-ahead plus each open share's hash trees, whatever the file size.
 * Reads on one file are served one at a time (the decoder is sequential); open the file twice to
 * read two places in parallel. Async methods run on the client's worker threads.
 */
public final class ImmutableFile implements AutoCloseable {
  private final ImmutableReadCap cap;
  private final ServerPool pool;
  private final GridConfig config;
  private final Executor executor;
  private final ShareLocator locator;
  private final ReentrantLock lock = new ReentrantLock();
  private final List<RemoteShare> sources = new ArrayList<>();
  private ImmutableDecoder decoder;
  private ShareLayout layout;
  private volatile boolean closed;

  ImmutableFile(ImmutableReadCap cap, ServerPool pool, GridConfig config, Executor executor) {
    this.cap = cap;
    this.pool = pool;
    this.config = config;
    this.executor = executor;
    this.locator = new ShareLocator(pool, cap.index(), cap.k(), cap.n(), config.readTimeout(),
        config.locateGrace()).start();
  }

  public ImmutableReadCap cap() {
    return cap;
  }

  /** Plaintext length in bytes (from the cap; no network). */
  public long size() {
    return cap.size();
  }

  /** Bytes {@code [offset, offset + length)} (fewer at the end of the file). */
  public CompletableFuture<byte[]> read(long offset, int length) {
    return readPieces(offset, length).thenApply(ImmutableFile::joined);
  }

  /**
   * Bytes {@code [offset, offset + length)} (fewer at the end of the file) as consecutive
   * pieces, at most one segment each, not joined. Why: a reader that streams them (a chunk of a
   * download) spares a copy of every byte and an array of the whole range, which for a chunk of
   * megabytes is a "humongous" object to G1 (docs/benchmarks/network.md).
   */
  public CompletableFuture<List<byte[]>> readPieces(long offset, int length) {
    if (offset < 0 || length < 0) {
      return CompletableFuture.failedFuture(new IllegalArgumentException(
          "offset and length must be >= 0, got " + offset + " and " + length));
    }
    return CompletableFuture.supplyAsync(() -> {
      try {
        return piecesBlocking(offset, length);
      } catch (IOException e) {
        throw new CompletionException(e);
      }
    }, executor);
  }

  /**
   * A stream of bytes {@code [offset, offset + length)} (to the end of the file at most),
   * decoded ahead on a worker thread while the caller consumes. Blocking; close it to stop.
   */
  public InputStream openStream(long offset, long length) {
    if (offset < 0 || length < 0) {
      throw new IllegalArgumentException("offset and length must be >= 0, got " + offset
          + " and " + length);
    }
    long end = Math.min(cap.size(), offset + Math.min(length, Long.MAX_VALUE - offset));
    return new FileStream(this, offset, Math.max(offset, end), executor);
  }

  /** The whole file as a stream. */
  public InputStream openStream() {
    return openStream(0, cap.size());
  }

  /** Shares dropped so far and why (for check/repair and messages). */
  public Map<Integer, String> badShares() {
    lock.lock();
    try {
      return decoder == null ? Map.of() : decoder.badShares();
    } finally {
      lock.unlock();
    }
  }

  /** Stops reading: later reads fail, and fetched data is let go. */
  @Override
  public void close() {
    closed = true;
    if (lock.tryLock()) {
      try {
        sources.clear();
        decoder = null;
      } finally {
        lock.unlock();
      }
    }
  }

  /** Blocking range read (worker threads and the stream). */
  byte[] readBlocking(long offset, int length) throws IOException {
    return joined(piecesBlocking(offset, length));
  }

  private static byte[] joined(List<byte[]> pieces) {
    if (pieces.size() == 1) {
      return pieces.get(0);
    }
    int total = 0;
    for (byte[] p : pieces) {
      total += p.length;
    }
    byte[] out = new byte[total];
    int at = 0;
    for (byte[] p : pieces) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }

  /**
   * The range as one piece per segment it covers: a whole segment's plaintext as the decoder
   * made it (no copy), a partial one cut out. Empty at or past the end.
   */
  private List<byte[]> piecesBlocking(long offset, int length) throws IOException {
    long end = Math.min(cap.size(), offset + (long) length);
    if (offset >= end) {
      return List.of();
    }
    lock.lock();
    try {
      open();
      int segmentSize = layout.params().segmentSize();
      int first = (int) (offset / segmentSize);
      int last = (int) ((end - 1) / segmentSize);
      List<byte[]> pieces = new ArrayList<>(last - first + 1);
      for (int s = first; s <= last; s++) {
        byte[] segment = segment(s, last);
        long segStart = (long) s * segmentSize;
        int from = (int) (Math.max(offset, segStart) - segStart);
        int to = (int) (Math.min(end, segStart + segment.length) - segStart);
        pieces.add(from == 0 && to == segment.length ? segment
            : Arrays.copyOfRange(segment, from, to));
      }
      return pieces;
    } finally {
      lock.unlock();
    }
  }

  /** Decrypted segment {@code s}, prefetching blocks up to segment {@code lastWanted}. Locked. */
  byte[] segment(int s, int lastWanted) throws IOException {
    int ahead = Math.max(1, config.readAhead() / Math.max(1, layout.blockLength(0)));
    int to = Math.min(lastWanted, s + ahead - 1); // callers keep lastWanted in the file
    long from = layout.blockOffset(s);
    long until = layout.blockOffset(to) + layout.blockLength(to);
    Map<Integer, String> bad = decoder.badShares();
    for (RemoteShare source : sources) {
      if (source.opened() && !bad.containsKey(source.number())) {
        source.prefetch(from, until, layout.blockLength(s));
      }
    }
    try {
      return decoder.readSegment(s);
    } catch (IOException e) {
      if (!readAgainElsewhere()) {
        throw e;
      }
      open();
      return segment(s, lastWanted);
    }
  }

  /**
   * After a failed read: true, with the decoder dropped, when some bad share numbers have copies
   * on other servers (a repair or an upload that met full servers put them there), known
   * already or found further along the ring, so that reading again uses those copies.
   */
  private boolean readAgainElsewhere() throws IOException {
    if (!otherCopiesOfBadShares() && !locatedFurther()) {
      return false;
    }
    decoder = null;
    sources.clear();
    return true;
  }

  /**
   * Drops the servers whose copies failed from the locator; true when at least one bad share
   * number has a copy elsewhere. Each call removes a holder, so retries end.
   */
  private boolean otherCopiesOfBadShares() {
    Map<Integer, String> bad = decoder.badShares();
    boolean another = false;
    for (RemoteShare source : sources) {
      if (bad.containsKey(source.number()) && source.server().isPresent()) {
        another |= locator.exclude(source.number(), source.server().get());
      }
    }
    return another;
  }

  /**
   * No other known copy of a bad share: asks the locator's next batches of servers, each
   * further along the ring than any asked before, until k share numbers are known again. True
   * when some were asked and k are known; false when every server had been asked already or
   * even the whole ring does not hold k. Each call asks at least one new batch or returns
   * false, so retries end.
   */
  private boolean locatedFurther() throws IOException {
    while (Await.get(locator.askFurther(), config.readTimeout().multipliedBy(2),
        "locating shares further along the ring")) {
      if (locator.located().size() >= cap.k()) {
        return true;
      }
    }
    return false;
  }

  /** Segment {@code s} for a streaming reader, taking the lock for just that segment. */
  byte[] streamSegment(int s, int lastWanted) throws IOException {
    lock.lock();
    try {
      open();
      return segment(s, lastWanted);
    } finally {
      lock.unlock();
    }
  }

  ShareLayout layout() throws IOException {
    lock.lock();
    try {
      open();
      return layout;
    } finally {
      lock.unlock();
    }
  }

  /** Locates shares and opens the decoder on the first read. Locked. */
  private void open() throws IOException {
    if (closed) {
      throw new IOException("file " + cap.index() + " was closed");
    }
    if (decoder != null) {
      return;
    }
    Await.get(locator.ready(), config.readTimeout().multipliedBy(2), "locating shares");
    if (locator.located().size() < cap.k()) {
      Await.get(locator.finished(), config.readTimeout(), "locating shares");
      if (locator.located().size() < cap.k()) {
        // servers that refused while down may be back: ask them again before failing
        Set<NodeId> trying = pool.retryForRead(locator.problems().keySet(), locator.started());
        if (!trying.isEmpty()) {
          // each listing times out after readTimeout: a margin, so this wait never wins
          Await.get(locator.ask(trying), config.readTimeout().multipliedBy(2),
              "locating shares");
        }
      }
      if (locator.located().size() < cap.k()) {
        throw new NotEnoughSharesException(cap.index(), locator.located(), cap.k(),
            locator.asked(), locator.serversKnown(), describe(locator.problems()));
      }
    }
    long frontGuess = guessTreeEnd();
    Map<Integer, ShareSource> byNumber = new TreeMap<>();
    for (int i = 0; i < cap.n(); i++) {
      RemoteShare source = new RemoteShare(cap.index(), i, locator, config.readTimeout(),
          frontGuess, Math.max(config.readAhead() * 2, 1 << 20));
      sources.add(source);
      byNumber.put(i, source);
    }
    Comparator<Integer> preference = preference();
    List<Integer> order = new ArrayList<>(byNumber.keySet());
    order.sort(preference);
    for (int i = 0; i < Math.min(cap.k(), order.size()); i++) {
      sources.get(order.get(i)).prefetchFront();
    }
    decoder = ImmutableDecoder.of(cap, byNumber, preference);
    try {
      layout = decoder.layout();
    } catch (IOException e) {
      // The first k shares tried may all fail before any segment is read.
      if (!readAgainElsewhere()) {
        throw e;
      }
      open();
    }
  }

  /**
   * Located shares before unlocated ones; among located, those on servers answering within
   * twice the k-th fastest (plus 50 ms) come first, data shares before parity there, then the
   * slower ones fastest first.
   */
  private Comparator<Integer> preference() {
    Map<Integer, Long> latency = new TreeMap<>();
    for (int share : locator.located()) {
      latency.put(share, locator.holders(share).get(0).latencyNanos());
    }
    List<Long> sorted = new ArrayList<>(latency.values());
    sorted.sort(null);
    long kth = sorted.get(cap.k() - 1); // open() found k at least
    long fast = 2 * kth + Duration.ofMillis(50).toNanos();
    return Comparator.<Integer>comparingLong(share -> {
      Long l = latency.get(share);
      return l == null ? Long.MAX_VALUE : l <= fast ? 0 : l;
    }).thenComparingInt(share -> share);
  }

  /** Where the hash trees likely end, if the file used this client's segment size. */
  private long guessTreeEnd() {
    EncodingParams guess = new EncodingParams(cap.k(), cap.k(), cap.n(),
        config.params().segmentSize());
    try {
      return ShareLayout.of(guess, cap.size()).blocksOffset();
    } catch (IllegalArgumentException e) {
      return 64 << 10;
    }
  }

  private String describe(Map<NodeId, String> problems) {
    if (problems.isEmpty()) {
      return "";
    }
    return "; unreachable: " + problems.entrySet().stream()
        .map(e -> pool.describe(e.getKey()) + " (" + e.getValue() + ")")
        .collect(Collectors.joining(", "));
  }
}
