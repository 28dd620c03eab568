package org.cairnfs.fs.mount;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Reads base versions from the grid. A file read sequentially gets a stream from the grid
 * client's download pipeline ({@link GridBackend#open}: several chunks fetched and decoded
 * ahead in parallel, as {@code cairn get} does), so the mount reads at the pipeline's speed
 * instead of one request at a time. A random read goes to the grid directly and stops the
 * file's stream. With a {@link PieceCache}, the pieces streams read are kept on local disk and
 * a later read of them (the kernel dropped its pages) is served from there.
 *
 * <p>The kernel sends a sequential reader's requests from several FUSE threads at once, so they
 * arrive slightly out of order: a stream serves any request within {@link #AHEAD} of its
 * position, keeping the bytes it passed over until their request comes (at most
 * {@link #AHEAD} + {@link #BEHIND} bytes a stream). Memory is bounded: at most {@link #STREAMS}
 * streams (least recently used closed first, idle ones after {@link #IDLE_NANOS}), each holding
 * its kept pieces and the pipeline's read-ahead.
 */
final class BaseReads implements FileData.BaseReader {
  static final int STREAMS = 4;
  static final int HISTORY = 64;
  static final int PIECE = 128 * 1024;
  static final long AHEAD = 4L << 20;
  static final long BEHIND = 2L << 20;
  /** A request this close to the previous one's end counts as sequential. */
  static final long NEAR = 1L << 20;
  private static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(20);

  private final GridBackend grid;
  private final boolean enabled;
  /** Pieces read before, on local disk; null: none kept. */
  private volatile PieceCache cache;
  /** How long a stream may sit unused before another file's read closes it. */
  private final long idleNanos;
  /** Recently read files, by cap (caps name immutable content). */
  private final Map<String, Stream> streams = new LinkedHashMap<>(16, 0.75f, true);

  BaseReads(GridBackend grid, int readAheadBytes) {
    this(grid, readAheadBytes, IDLE_NANOS);
  }

  /** With another idle time: tests, which cannot wait {@link #IDLE_NANOS}. */
  BaseReads(GridBackend grid, int readAheadBytes, long idleNanos) {
    this.grid = grid;
    this.enabled = readAheadBytes > 0;
    this.idleNanos = idleNanos;
  }

  /**
   * From now on keeps the pieces streams read in {@code kept}, and serves reads it holds from
   * there (set once the mount owns its cache dir).
   */
  void keepIn(PieceCache kept) {
    this.cache = kept;
  }

  /** One file's sequential reader: where the last request ended, and maybe an open stream. */
  private static final class Stream {
    final String cap;
    long lastEnd = -1;
    volatile long lastUseNanos;
    /** Whether it holds a stream or pieces (read by eviction without the stream's lock). */
    volatile boolean holding;
    InputStream in;
    /** The offset the stream yields next. */
    long pos;
    boolean eof;
    /** Pieces pulled from the stream and not yet served, by offset. */
    final TreeMap<Long, byte[]> kept = new TreeMap<>();

    Stream(String cap) {
      this.cap = cap;
    }

    void close() {
      if (in != null) {
        try {
          in.close();
        } catch (IOException ignored) {
          // nothing held beyond memory
        }
        in = null;
      }
      kept.clear();
      eof = false;
      holding = false;
    }
  }

  @Override
  public byte[] read(String cap, long offset, int length) throws GridException {
    PieceCache cache = this.cache;
    if (cache != null && length > 0) {
      byte[] kept = cache.read(cap, offset, length);
      if (kept != null) {
        return kept; // read before: the kernel dropped its pages, not the content
      }
    }
    if (!enabled || length == 0) {
      return direct(cache, cap, offset, length);
    }
    Stream s;
    List<Stream> evicted = new ArrayList<>();
    long now = System.nanoTime();
    synchronized (streams) {
      s = streams.computeIfAbsent(cap, Stream::new);
      evict(s, now, evicted);
    }
    for (Stream e : evicted) {
      synchronized (e) {
        e.close();
      }
    }
    synchronized (s) {
      s.lastUseNanos = now;
      boolean sequential = s.lastEnd >= 0 && Math.abs(offset - s.lastEnd) <= NEAR;
      s.lastEnd = offset + length;
      if (s.in == null && sequential) {
        try {
          s.in = grid.open(cap, offset, Long.MAX_VALUE - offset);
          s.pos = offset;
          s.holding = true;
        } catch (RuntimeException e) {
          s.in = null; // no stream for this cap: the direct read below reports what is wrong
        }
      }
      if (s.in != null || !s.kept.isEmpty()) {
        long end = offset + length;
        boolean inReach = offset >= s.pos - BEHIND && end <= s.pos + AHEAD;
        if (!inReach) {
          s.close(); // random access: stop fetching ahead
        } else {
          byte[] out = serve(s, offset, length, cache);
          if (out != null) {
            return out;
          }
        }
      }
    }
    return direct(cache, cap, offset, length);
  }

  /** A grid read; kept in {@code cache} when it is one whole piece, or the last. */
  private byte[] direct(PieceCache cache, String cap, long offset, int length)
      throws GridException {
    byte[] got = await(cap, offset, length);
    if (cache != null && (got.length == PIECE || got.length < Math.min(length, PIECE))) {
      cache.store(cap, offset, got); // shorter than asked: the content ends there
    }
    return got;
  }

  /** Serves from the stream and its kept pieces; null when a part is not there any more. */
  private static byte[] serve(Stream s, long offset, int length, PieceCache cache)
      throws GridException {
    long end = offset + length;
    try {
      while (s.in != null && !s.eof && s.pos < end) {
        // the grid's streams hand over a whole decoded segment of this size without a copy;
        // a stream opened off a piece's start reads up to the next one first, so the pieces
        // after it are aligned (the piece cache keeps only those)
        int step = (int) (PIECE - s.pos % PIECE);
        byte[] piece = s.in.readNBytes(step);
        int n = piece.length;
        if (n < step) {
          s.eof = true;
        }
        if (n > 0) {
          if (cache != null) {
            cache.store(s.cap, s.pos, piece);
          }
          s.kept.put(s.pos, piece);
          s.pos += n;
        }
      }
    } catch (IOException e) {
      s.close();
      throw GridException.of(e.getCause() != null ? e.getCause() : e);
    }
    long stop = Math.min(end, s.pos);
    byte[] exact = s.kept.get(offset);
    if (exact != null && exact.length == length) {
      // a request of exactly one piece (the kernel's aligned sequential reads): hand it over
      tidy(s, offset, end);
      return exact;
    }
    byte[] out = new byte[(int) Math.max(0, stop - offset)];
    long covered = 0;
    Map.Entry<Long, byte[]> first = s.kept.floorEntry(offset);
    Long from = first != null ? first.getKey() : s.kept.ceilingKey(offset);
    if (from != null) {
      for (Map.Entry<Long, byte[]> e : s.kept.tailMap(from, true).entrySet()) {
        long pStart = e.getKey();
        long pEnd = pStart + e.getValue().length;
        if (pStart >= stop) {
          break;
        }
        long a = Math.max(pStart, offset);
        long b = Math.min(pEnd, stop);
        if (b > a) {
          System.arraycopy(e.getValue(), (int) (a - pStart), out, (int) (a - offset),
              (int) (b - a));
          covered += b - a;
        }
      }
    }
    if (covered != out.length) {
      return null; // a hole: that part was served and dropped before; read it directly
    }
    tidy(s, offset, end);
    return out;
  }

  /**
   * Drops pieces the request [offset, end) used up, and those no request in reach can use any
   * more: a request in reach starts at or after pos - BEHIND, so a piece ending there is of no
   * use. Closes a stream at its end with nothing kept.
   */
  private static void tidy(Stream s, long offset, long end) {
    Iterator<Map.Entry<Long, byte[]>> it = s.kept.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<Long, byte[]> e = it.next();
      long pStart = e.getKey();
      long pEnd = pStart + e.getValue().length;
      if ((pStart >= offset && pEnd <= end) || pEnd <= s.pos - BEHIND) {
        it.remove();
      } else if (pStart >= end) {
        break;
      }
    }
    if (s.eof && s.kept.isEmpty()) {
      s.close();
    }
  }

  /** Under the map's lock: closes streams past the count or idle; keeps {@code current}. */
  private void evict(Stream current, long now, List<Stream> out) {
    int open = 0;
    List<Stream> byAge = new ArrayList<>(streams.values()); // least recently used first
    for (int i = byAge.size() - 1; i >= 0; i--) {
      Stream s = byAge.get(i);
      if (s == current) {
        open++;
        continue;
      }
      boolean holds = s.holding;
      if (holds && (open >= STREAMS || now - s.lastUseNanos > idleNanos)) {
        out.add(s);
      } else if (holds) {
        open++;
      }
    }
    if (streams.size() > HISTORY) {
      Iterator<Stream> it = streams.values().iterator();
      while (streams.size() > HISTORY && it.hasNext()) {
        Stream s = it.next();
        if (s != current) {
          it.remove();
          out.add(s);
        }
      }
    }
  }

  /** Streams open now, or holding pieces (tests). */
  int openStreams() {
    synchronized (streams) {
      return (int) streams.values().stream().filter(s -> s.holding).count();
    }
  }

  private byte[] await(String cap, long offset, int length) throws GridException {
    try {
      return grid.read(cap, offset, length).get(5, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new GridException(GridException.Kind.UNREACHABLE, "interrupted");
    } catch (Exception e) {
      throw GridException.of(e);
    }
  }
}
