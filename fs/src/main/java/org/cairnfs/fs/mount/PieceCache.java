package org.cairnfs.fs.mount;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.zip.CRC32C;
import org.cairnfs.caps.crypto.CryptoProviders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verified, decrypted pieces of base versions kept on local disk, so a re-read does not go back
 * to the grid: the kernel drops scattered pages of a file it cached (some kernels within
 * seconds), and each hole it then reads through the mount would otherwise cost a segment fetch
 * and its verification (docs/benchmarks/mount.md). Caps name immutable content, so a piece
 * never goes stale.
 *
 * <p>One sparse file per cap under the directory, holding the {@link BaseReads#PIECE}-aligned
 * pieces stored so far (which, a bit set in memory says); bounded in bytes and to {@link
 * #MAX_FILES} files, whole files of the least recently used caps deleted first (a cap that
 * alone fills the bound keeps what it has). Nothing persists: the directory is emptied when
 * the cache opens and closes. While the disk has less free space than the bound, nothing is
 * stored and what is held is dropped, so the cache never takes the space the write-back spool
 * needs. Plaintext on disk, as the spool is: the cache dir is the user's own (0700).
 *
 * <p>Each piece's CRC32C is kept in memory and checked on every read: a piece the disk lost or
 * changed (a write that failed only at writeback, on a disk that filled meanwhile, reads back as
 * zeros) is dropped and read from the grid again, never served.
 *
 * <p>Thread-safe. A read racing an eviction of its file is a miss.
 */
final class PieceCache implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PieceCache.class);
  private static final long PIECE = BaseReads.PIECE;
  private static final long SPACE_CHECK_NANOS = 1_000_000_000L;
  /** Files (each an open descriptor) at most; the least recently used go first. */
  static final int MAX_FILES = 64;

  private final Path dir;
  private final long maxBytes;
  private final LongSupplier freeBytes;
  /** Entries by cap, least recently used first (guarded by itself). */
  private final Map<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
  private long storedBytes;
  private long spaceCheckedAt;
  private boolean roomOnDisk = true;
  private boolean closed;

  /** One cap's file and which of its pieces it holds (guarded by itself). */
  private static final class Entry {
    final FileChannel file;
    final Path path;
    final BitSet present = new BitSet();
    /** The CRC32C of each piece held, by index. */
    final Map<Integer, Integer> crcs = new HashMap<>();
    /** Where the content ends, once a short last piece was stored; else -1. */
    long end = -1;
    boolean evicted;

    Entry(Path path) throws IOException {
      this.path = path;
      this.file = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
          StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
    }
  }

  private PieceCache(Path dir, long maxBytes, LongSupplier freeBytes) {
    this.dir = dir;
    this.maxBytes = maxBytes;
    this.freeBytes = freeBytes;
  }

  /** Opens (emptying) {@code dir}; {@code maxBytes} of 0 makes a cache that keeps nothing. */
  static PieceCache open(Path dir, long maxBytes) throws IOException {
    return open(dir, maxBytes, () -> {
      try {
        return Files.getFileStore(dir).getUsableSpace();
      } catch (IOException e) {
        return 0;
      }
    });
  }

  /** With another measure of free disk space (tests). */
  static PieceCache open(Path dir, long maxBytes, LongSupplier freeBytes) throws IOException {
    if (maxBytes < 0) {
      throw new IllegalArgumentException("read cache size must be >= 0, got " + maxBytes);
    }
    Files.createDirectories(dir);
    empty(dir);
    return new PieceCache(dir, maxBytes, freeBytes);
  }

  /**
   * The bytes [offset, offset + length) of {@code cap}, or null unless every piece they touch
   * is held. Shorter than {@code length} only where the content ends (as a grid read is).
   */
  byte[] read(String cap, long offset, int length) {
    Entry e;
    synchronized (entries) {
      e = entries.get(cap);
    }
    if (e == null || length <= 0 || offset < 0 || offset > Long.MAX_VALUE - length) {
      return null;
    }
    long stop;
    long wholeStop; // the end of the last piece touched: whole pieces are read, to check them
    int first;
    int[] crcs;
    synchronized (e) {
      if (e.evicted) {
        return null;
      }
      stop = e.end >= 0 ? Math.min(offset + length, e.end) : offset + length;
      if (stop <= offset) {
        return null; // at or past the end: let the grid say what is there
      }
      long last = (stop - 1) / PIECE;
      if (last >= Integer.MAX_VALUE) {
        return null;
      }
      first = (int) (offset / PIECE);
      int missing = e.present.nextClearBit(first);
      if (missing <= last) {
        return null;
      }
      wholeStop = (last + 1) * PIECE;
      if (e.end >= 0) {
        wholeStop = Math.min(wholeStop, e.end);
      }
      crcs = new int[(int) (last - first + 1)];
      for (int i = 0; i < crcs.length; i++) {
        crcs[i] = e.crcs.get(first + i);
      }
    }
    long from = (long) first * PIECE;
    ByteBuffer whole = ByteBuffer.allocate((int) (wholeStop - from));
    try {
      while (whole.hasRemaining()) {
        if (e.file.read(whole, from + whole.position()) < 0) {
          break; // shorter than written: the check below finds it
        }
      }
    } catch (ClosedChannelException ex) {
      forget(cap); // evicted, or closed by an interrupt: a new file for the next store
      return null;
    } catch (IOException ex) {
      return null; // a disk error: the grid has it
    }
    for (int i = 0; i < crcs.length; i++) {
      int at = (int) (i * PIECE);
      int n = (int) Math.min(PIECE, whole.capacity() - at);
      if (whole.position() < at + n || crc(whole.array(), at, n) != crcs[i]) {
        LOG.warn("read cache: piece {} of a file in {} changed on disk; reading it from the grid",
            first + i, dir);
        dropPiece(cap, e, first + i);
        return null;
      }
    }
    if (from == offset && whole.capacity() == stop - offset) {
      return whole.array();
    }
    return Arrays.copyOfRange(whole.array(), (int) (offset - from), (int) (stop - from));
  }

  private static int crc(byte[] bytes, int offset, int length) {
    CRC32C c = new CRC32C();
    c.update(bytes, offset, length);
    return (int) c.getValue();
  }

  /** Forgets one piece found damaged, so that the next read of it stores it again. */
  private void dropPiece(String cap, Entry e, int index) {
    synchronized (entries) {
      synchronized (e) {
        if (e.evicted || !e.present.get(index)) {
          return;
        }
        e.present.clear(index);
        e.crcs.remove(index);
      }
      storedBytes -= PIECE;
    }
  }

  /**
   * Keeps {@code piece}, the bytes of {@code cap} at {@code offset}: aligned to a piece, and a
   * whole piece unless it is the last (then the content ends after it). Others are ignored.
   */
  void store(String cap, long offset, byte[] piece) {
    if (maxBytes == 0 || offset < 0 || offset % PIECE != 0 || piece.length == 0
        || piece.length > PIECE || offset / PIECE >= Integer.MAX_VALUE) {
      return;
    }
    int index = (int) (offset / PIECE);
    int crc = crc(piece, 0, piece.length);
    Entry e;
    synchronized (entries) {
      if (closed || !room(piece.length)) {
        return;
      }
      e = entries.get(cap);
      if (e == null) {
        try {
          e = new Entry(dir.resolve(nameOf(cap)));
        } catch (IOException ex) {
          LOG.debug("read cache: cannot open a file in {}: {}", dir, ex.toString());
          return;
        }
        entries.put(cap, e);
      }
      // Room is made before the write: other caps' files go first (past MAX_FILES too); a cap
      // that alone fills the bound keeps what it has and stores no more.
      storedBytes += PIECE;
      evictOver(e);
      if (storedBytes > maxBytes) {
        storedBytes -= PIECE;
        return;
      }
    }
    boolean kept = false;
    boolean closedUnder = false;
    synchronized (e) {
      if (!e.evicted && !e.present.get(index)) {
        try {
          ByteBuffer in = ByteBuffer.wrap(piece);
          while (in.hasRemaining()) {
            e.file.write(in, offset + in.position());
          }
          e.present.set(index);
          e.crcs.put(index, crc);
          if (piece.length < PIECE) {
            e.end = offset + piece.length;
          }
          kept = true;
        } catch (ClosedChannelException ex) {
          closedUnder = true; // evicted, or closed by an interrupt
        } catch (IOException ex) {
          // the disk refused: not cached
        }
      }
    }
    if (!kept) {
      synchronized (entries) {
        storedBytes -= PIECE; // the room made for it (an eviction counts only pieces kept)
      }
      if (closedUnder) {
        forget(cap);
      }
    }
  }

  /** Drops the entry of {@code cap} if its file was closed under it. */
  private void forget(String cap) {
    synchronized (entries) {
      Entry e = entries.get(cap);
      if (e != null && !e.file.isOpen()) {
        entries.remove(cap);
        storedBytes -= drop(e);
      }
    }
  }

  /** Bytes held (pieces counted whole). */
  long storedBytes() {
    synchronized (entries) {
      return storedBytes;
    }
  }

  /** Empties the directory; later stores are ignored and reads miss. */
  @Override
  public void close() {
    synchronized (entries) {
      closed = true;
      dropAll();
    }
    try {
      empty(dir);
    } catch (IOException e) {
      LOG.warn("could not empty the read cache {}: {}", dir, e.toString());
    }
  }

  /**
   * Whether a piece may be stored: the bound and the disk allow it. A disk with less free space
   * than the bound gets back what the cache holds, for the spool. Under the map's lock.
   */
  private boolean room(int length) {
    if (length > maxBytes) {
      return false;
    }
    long now = System.nanoTime();
    if (spaceCheckedAt == 0 || now - spaceCheckedAt > SPACE_CHECK_NANOS) {
      spaceCheckedAt = now;
      roomOnDisk = freeBytes.getAsLong() > maxBytes;
      if (!roomOnDisk && !entries.isEmpty()) {
        LOG.info("read cache: the disk has less free space than the cache's bound ({} bytes);"
            + " dropping the {} bytes it holds", maxBytes, storedBytes);
        dropAll();
      }
    }
    return roomOnDisk;
  }

  /**
   * Drops least recently used files but {@code keep} until the bounds (bytes and {@link
   * #MAX_FILES}) hold. Map's lock held.
   */
  private void evictOver(Entry keep) {
    Iterator<Entry> it = entries.values().iterator();
    while ((storedBytes > maxBytes || entries.size() > MAX_FILES) && it.hasNext()) {
      Entry e = it.next();
      if (e == keep) {
        continue;
      }
      it.remove();
      storedBytes -= drop(e);
    }
  }

  /** Drops every file. Map's lock held. */
  private void dropAll() {
    for (Entry e : entries.values()) {
      storedBytes -= drop(e);
    }
    entries.clear();
  }

  /** Closes and deletes an entry's file; returns the bytes it was counted for. */
  private static long drop(Entry e) {
    long held;
    synchronized (e) {
      e.evicted = true;
      held = e.present.cardinality() * PIECE;
    }
    try {
      e.file.close();
      Files.deleteIfExists(e.path);
    } catch (IOException ex) {
      LOG.debug("read cache: could not delete {}: {}", e.path, ex.toString());
    }
    return held;
  }

  private static void empty(Path dir) throws IOException {
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path f : files) {
        Files.deleteIfExists(f);
      }
    }
  }

  private static String nameOf(String cap) {
    byte[] digest = CryptoProviders.sha256().digest(cap.getBytes(StandardCharsets.UTF_8));
    return HexFormat.of().formatHex(digest, 0, 16);
  }
}
