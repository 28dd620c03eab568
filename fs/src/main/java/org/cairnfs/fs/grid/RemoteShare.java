package org.cairnfs.fs.grid;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.caps.immutable.ShareFormatException;
import org.cairnfs.caps.immutable.ShareHeader;
import org.cairnfs.caps.share.ShareSource;
import org.cairnfs.protocol.identity.NodeId;
import org.cairnfs.protocol.message.WireLimits;

/**
 * One share number of a file being read, as the blocking {@link ShareSource} the caps decoder
 * verifies, fed by asynchronous, pipelined reads from whichever server holds it.
 *
 * <p>Why this shape: the decoder asks for small pieces one at a time (prefix, tree nodes, one
 * block); sent one by one over the network that would be a round trip each. Instead the share's
 * whole front (header, extension block, chain and both hash trees) comes in one ReadRange, and
 * blocks are {@linkplain #prefetch fetched ahead} in runs of whole blocks up to a megabyte, so
 * the decoder's reads are served from memory and only wait when the network is behind.
 *
 * <p>A read that fails (error, timeout, disconnect, short answer) switches to the next server
 * holding the same share number, fastest first; only when none is left does the decoder see
 * the failure and drop the share. Not thread-safe: one decoder reads it; prefetches are
 * requested by the same thread.
 */
final class RemoteShare implements ShareSource {
  /** Tree-region misses fetch an aligned window this large, not just 32 bytes. */
  static final int TREE_WINDOW = 64 << 10;

  private record Range(long start, int length, CompletableFuture<ByteBuffer> data) {
    long end() {
      return start + length;
    }
  }

  private final StorageIndex index;
  private final int number;
  private final ShareLocator locator;
  private final Duration timeout;
  private final int maxBuffered;
  private final Set<NodeId> failedServers = new HashSet<>();
  private final TreeMap<Long, Range> ranges = new TreeMap<>();
  private ShareLocator.Holder holder;
  private final long frontGuess;
  private CompletableFuture<byte[]> front;
  private byte[] frontBytes;
  /** Where the blocks start (from the header), -1 until known. */
  private long treeEnd = -1;
  /** Where the share ends, once a short answer showed it. */
  private long knownEnd = Long.MAX_VALUE;
  private boolean opened;

  RemoteShare(StorageIndex index, int number, ShareLocator locator, Duration timeout,
      long frontGuess, int maxBuffered) {
    this.index = index;
    this.number = number;
    this.locator = locator;
    this.timeout = timeout;
    this.frontGuess = Math.max(frontGuess, 512);
    this.maxBuffered = maxBuffered;
  }

  int number() {
    return number;
  }

  /** Whether the decoder has started reading this share (its front was fetched). */
  boolean opened() {
    return opened;
  }

  /** Starts fetching the front now (the decoder will ask for it next). */
  void prefetchFront() {
    try {
      if (front == null && frontBytes == null && current() != null) {
        front = fetch(0, frontLength());
      }
    } catch (IOException e) {
      // no server: the decoder's read will report it
    }
  }

  /**
   * Starts fetching bytes {@code [from, to)} of the share, in runs not yet fetched or fetching.
   * A run longer than one request is cut at a multiple of {@code unit} bytes from {@code from}
   * (the block length), so no block straddles two answers: a straddling block would be fetched
   * again whole, and waited for, when the decoder reaches it.
   */
  void prefetch(long from, long to, int unit) {
    ShareLocator.Holder h;
    try {
      h = current();
    } catch (IOException e) {
      return;
    }
    if (h == null) {
      return;
    }
    long at = from;
    while (at < to) {
      Map.Entry<Long, Range> covering = ranges.floorEntry(at);
      if (covering != null && covering.getValue().end() > at) {
        at = covering.getValue().end();
        continue;
      }
      Map.Entry<Long, Range> following = ranges.higherEntry(at);
      long end = Math.min(to, at + requestLength(at - from, unit));
      if (following != null) {
        end = Math.min(end, following.getKey());
      }
      ranges.put(at, new Range(at, (int) (end - at), fetchView(at, (int) (end - at))));
      at = end;
    }
    trim(from);
  }

  /**
   * How much one request asks for from {@code offset} bytes past a block boundary: whole blocks
   * up to {@link WireLimits#MAX_CHUNK} (the rest of the current block first), or the limit
   * itself when a block is larger.
   */
  static int requestLength(long offset, int unit) {
    if (unit <= 0 || unit > WireLimits.MAX_CHUNK) {
      return WireLimits.MAX_CHUNK;
    }
    return WireLimits.MAX_CHUNK / unit * unit - (int) (offset % unit);
  }

  @Override
  public void read(long offset, byte[] dst, int off, int len) throws IOException {
    IOException last = null;
    while (true) {
      ShareLocator.Holder h = current();
      if (h == null) {
        if (last != null) {
          throw last;
        }
        throw new IOException("no reachable server holds share " + number + " of " + index);
      }
      try {
        readFromCurrent(offset, dst, off, len);
        return;
      } catch (IOException e) {
        last = e;
        failover(h);
      }
    }
  }

  private void readFromCurrent(long offset, byte[] dst, int off, int len) throws IOException {
    if (frontBytes == null && (treeEnd < 0 || offset < treeEnd)) {
      front();
    }
    if (offset + len > knownEnd) {
      throw new EOFException("share " + number + " ends at " + knownEnd + ", needed "
          + (offset + len));
    }
    byte[] f = frontBytes;
    if (f != null && offset + len <= f.length) {
      System.arraycopy(f, (int) offset, dst, off, len);
      opened = true;
      return;
    }
    Map.Entry<Long, Range> e = ranges.floorEntry(offset);
    Range r = e == null ? null : e.getValue();
    if (r == null || r.end() < offset + len) {
      long start = offset;
      int length = len;
      // tree reads start at their window (neighbours come along), unless the window's start
      // would push the read past what one request may ask
      if (offset < treeEnd && len + offset % TREE_WINDOW <= WireLimits.MAX_CHUNK) {
        start = offset - offset % TREE_WINDOW;
        length = (int) Math.min(WireLimits.MAX_CHUNK, Math.max(len + (offset - start),
            TREE_WINDOW));
      }
      r = new Range(start, length, fetchView(start, length));
      ranges.put(start, r);
    }
    ByteBuffer data = Await.get(r.data(), timeout, "reading share " + number);
    int got = data.limit();
    if (got < r.length()) {
      knownEnd = Math.min(knownEnd, r.start() + got);
    }
    int from = (int) (offset - r.start());
    if (got < from + len) {
      throw new EOFException("share " + number + " ends at " + (r.start() + got)
          + ", needed " + (offset + len));
    }
    data.get(from, dst, off, len);
    if (offset + len == r.end() && r.start() >= treeEnd) {
      ranges.remove(r.start()); // consumed by a sequential reader
    }
  }

  /**
   * Fetches the front region: header to the end of the hash trees when known (at most {@link
   * GridConfig#MAX_TREE_PREFETCH}), else a guess from the expected layout, then the rest of the
   * trees once the header says where they end.
   */
  private void front() throws IOException {
    if (front == null) {
      prefetchFront();
      if (front == null) {
        throw new IOException("no server for share " + number);
      }
    }
    int asked = frontLength();
    byte[] first = Await.get(front, timeout, "reading the front of share " + number);
    if (first.length < asked) {
      knownEnd = Math.min(knownEnd, first.length);
    }
    if (treeEnd < 0) {
      try {
        treeEnd = ShareHeader.parse(first).blocksOffset();
      } catch (ShareFormatException e) {
        frontBytes = first; // the decoder rejects it with the reason
        return;
      }
    }
    long wanted = Math.min(treeEnd, GridConfig.MAX_TREE_PREFETCH);
    if (wanted <= first.length || first.length < asked) {
      frontBytes = first;
      return;
    }
    List<CompletableFuture<byte[]>> rest = new ArrayList<>();
    for (long at = first.length; at < wanted; at += WireLimits.MAX_CHUNK) {
      rest.add(fetch(at, (int) Math.min(WireLimits.MAX_CHUNK, wanted - at)));
    }
    byte[] all = Arrays.copyOf(first, (int) wanted);
    int at = first.length;
    for (CompletableFuture<byte[]> piece : rest) {
      byte[] p = Await.get(piece, timeout, "reading the hash trees of share " + number);
      System.arraycopy(p, 0, all, at, p.length);
      at += p.length;
      if (p.length < Math.min(WireLimits.MAX_CHUNK, wanted - (at - p.length))) {
        knownEnd = Math.min(knownEnd, at);
        break;
      }
    }
    frontBytes = at == all.length ? all : Arrays.copyOf(all, at);
  }

  /** Bytes the first front request asks for. */
  private int frontLength() {
    long want = treeEnd >= 0 ? treeEnd : frontGuess;
    return (int) Math.max(1, Math.min(want, Math.min(WireLimits.MAX_CHUNK,
        GridConfig.MAX_TREE_PREFETCH)));
  }

  /** The server this share is read from now, if one was picked. */
  java.util.Optional<NodeId> server() {
    ShareLocator.Holder h = holder;
    return h == null ? java.util.Optional.empty() : java.util.Optional.of(h.server());
  }

  private CompletableFuture<byte[]> fetch(long offset, int length) {
    ShareLocator.Holder h = holder;
    return h.client().readRange(index, number, offset, length);
  }

  /** A block range, as a view of the answer itself (the decoder copies each block out). */
  private CompletableFuture<ByteBuffer> fetchView(long offset, int length) {
    ShareLocator.Holder h = holder;
    return h.client().readRangeView(index, number, offset, length);
  }

  /** The server now read from; picks the fastest not failed. Null when none is left. */
  private ShareLocator.Holder current() throws IOException {
    if (holder != null) {
      return holder;
    }
    for (ShareLocator.Holder h : locator.holders(number)) {
      if (!failedServers.contains(h.server())) {
        holder = h;
        return h;
      }
    }
    if (!locator.finished().isDone()) {
      // Slower servers may still answer: wait for everyone before giving up on this share.
      Await.get(locator.finished(), timeout, "locating share " + number);
      return current();
    }
    return null;
  }

  private void failover(ShareLocator.Holder failed) {
    failedServers.add(failed.server());
    holder = null;
    front = null;
    frontBytes = null;
    knownEnd = Long.MAX_VALUE;
    for (Range r : ranges.values()) {
      r.data().cancel(false);
    }
    ranges.clear();
  }

  /** Drops fetched ranges behind {@code position} and, past the budget, the farthest ahead. */
  private void trim(long position) {
    long buffered = 0;
    for (Iterator<Range> it = ranges.values().iterator(); it.hasNext(); ) {
      Range r = it.next();
      if (r.end() <= position && r.start() >= treeEnd) {
        it.remove();
      } else {
        buffered += r.length();
      }
    }
    while (buffered > maxBuffered && ranges.size() > 1) {
      Range last = ranges.pollLastEntry().getValue();
      last.data().cancel(false);
      buffered -= last.length();
    }
  }

}
