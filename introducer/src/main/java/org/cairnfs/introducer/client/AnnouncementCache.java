package org.cairnfs.introducer.client;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.cairnfs.introducer.announcement.Announcement;
import org.cairnfs.introducer.announcement.AnnouncementException;
import org.cairnfs.protocol.message.WireLimits;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The on-disk copy of the announcements a client knows, so a restarted node finds the grid while
 * every introducer is down ({@code docs/specs/introducer-cache.md}).
 *
 * <p>Written whole to a temporary file in the same directory, forced to disk, then renamed over
 * the old one, so a reader sees the old or the new cache, never a torn one. Every announcement
 * is re-verified on load: the cache is no more trusted than the network.
 *
 * <p>A cache has a size limit ({@link #maxBytesFor}: what a client may hold, plus framing). A
 * file over it is refused whole at load, having read no more than the limit plus one byte, and
 * a save that would pass it fails, so a flood once written cannot come back at every start.
 */
public final class AnnouncementCache {
  private static final Logger log = LoggerFactory.getLogger(AnnouncementCache.class);
  static final byte[] MAGIC = {'C', 'A', 'N', 'C'};
  static final int VERSION = 1;
  /** Most entries a cache file may hold. */
  public static final int MAX_ENTRIES = 100_000;
  /** Bytes of the header, and of each entry's framing (last seen and length). */
  static final int HEADER_BYTES = 10;
  static final int ENTRY_OVERHEAD = 12;

  private final Path file;
  private final long maxBytes;

  /** A cache sized for the client defaults ({@link GridMembership#DEFAULT_MAX_SERVERS} servers, {@link GridMembership#DEFAULT_MAX_HELD_BYTES}). */
  public AnnouncementCache(Path file) {
    this(file, maxBytesFor(GridMembership.DEFAULT_MAX_SERVERS, GridMembership.DEFAULT_MAX_HELD_BYTES));
  }

  /** A cache whose file may be at most {@code maxBytes} long. */
  public AnnouncementCache(Path file, long maxBytes) {
    if (maxBytes < HEADER_BYTES) {
      throw new IllegalArgumentException("cache limit must be >= " + HEADER_BYTES + " bytes, got " + maxBytes);
    }
    this.file = file.toAbsolutePath();
    this.maxBytes = maxBytes;
  }

  /** The largest cache of {@code servers} entries holding {@code announcementBytes} in all. */
  public static long maxBytesFor(int servers, long announcementBytes) {
    return HEADER_BYTES + (long) ENTRY_OVERHEAD * servers + announcementBytes;
  }

  public long maxBytes() {
    return maxBytes;
  }

  public Path file() {
    return file;
  }

  /** One cached announcement and when this node last received a new sequence of it. */
  public record Entry(Announcement announcement, Instant lastSeen) {}

  /**
   * Reads the cache; a missing file is an empty cache, and a corrupt one is logged as a warning
   * and treated as empty (the node will learn the grid again from its introducers).
   */
  public List<Entry> load() {
    try {
      return read();
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (IOException e) {
      log.warn("cannot read announcement cache {}: {}; starting without it", file, e.toString());
      return List.of();
    } catch (CacheTooLargeException e) {
      log.warn("ignoring announcement cache {}: {}; starting without it (it is rewritten with the "
          + "servers this node holds)", file, e.getMessage());
      return List.of();
    } catch (CacheFormatException e) {
      log.warn("ignoring corrupt announcement cache {}: {}", file, e.getMessage());
      return List.of();
    }
  }

  /**
   * Reads and decodes the cache, reading at most the limit plus one byte.
   *
   * @throws NoSuchFileException if there is no cache
   * @throws CacheTooLargeException if the file is longer than {@link #maxBytes()}
   * @throws CacheFormatException naming the structural fault
   */
  List<Entry> read() throws IOException, CacheFormatException {
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
    }
    if (bytes.length > maxBytes) {
      long size = bytes.length;
      try {
        size = Math.max(size, Files.size(file));
      } catch (IOException gone) {
        // report what was read
      }
      throw new CacheTooLargeException("the file is " + size + " bytes, over the limit of "
          + maxBytes + " bytes (more than this node ever writes)");
    }
    return decode(bytes);
  }

  /**
   * Replaces the cache atomically with {@code entries}.
   *
   * @throws IOException if writing fails or the entries encode to more than {@link #maxBytes()}
   */
  public void save(List<Entry> entries) throws IOException {
    byte[] bytes = encode(entries);
    if (bytes.length > maxBytes) {
      throw new IOException(entries.size() + " entries encode to " + bytes.length
          + " bytes, over the cache limit of " + maxBytes);
    }
    Path dir = file.getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  static byte[] encode(List<Entry> entries) {
    if (entries.size() > MAX_ENTRIES) {
      throw new IllegalArgumentException("at most " + MAX_ENTRIES + " cache entries, got " + entries.size());
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.write(MAGIC);
      out.writeShort(VERSION);
      out.writeInt(entries.size());
      for (Entry e : entries) {
        out.writeLong(e.lastSeen().toEpochMilli());
        byte[] a = e.announcement().toBytes();
        out.writeInt(a.length);
        out.write(a);
      }
    } catch (IOException impossible) {
      throw new IllegalStateException(impossible);
    }
    return bytes.toByteArray();
  }

  /** Parses the whole file; a bad announcement inside is skipped, a bad structure fails all. */
  static List<Entry> decode(byte[] bytes) throws CacheFormatException {
    ByteBuffer in = ByteBuffer.wrap(bytes);
    if (in.remaining() < 10) {
      throw new CacheFormatException("file is " + bytes.length + " bytes, shorter than the 10-byte header");
    }
    byte[] magic = new byte[4];
    in.get(magic);
    if (!java.util.Arrays.equals(magic, MAGIC)) {
      throw new CacheFormatException("bad magic at offset 0");
    }
    int version = in.getShort() & 0xFFFF;
    if (version != VERSION) {
      throw new CacheFormatException("unsupported cache version " + version);
    }
    int count = in.getInt();
    if (count < 0 || count > MAX_ENTRIES) {
      throw new CacheFormatException("entry count " + count + " at offset 6 is outside 0.." + MAX_ENTRIES);
    }
    List<Entry> out = new ArrayList<>(Math.min(count, 1024));
    for (int i = 0; i < count; i++) {
      int at = in.position();
      if (in.remaining() < 12) {
        throw new CacheFormatException("entry " + i + " at offset " + at + " is truncated");
      }
      long lastSeen = in.getLong();
      int length = in.getInt();
      if (length < 0 || length > WireLimits.MAX_ANNOUNCEMENT || length > in.remaining()) {
        throw new CacheFormatException("entry " + i + " at offset " + at + " has bad length " + length);
      }
      byte[] a = new byte[length];
      in.get(a);
      if (lastSeen < 0) {
        throw new CacheFormatException("entry " + i + " at offset " + at + " has negative last-seen time");
      }
      try {
        out.add(new Entry(Announcement.parse(a), Instant.ofEpochMilli(lastSeen)));
      } catch (AnnouncementException e) {
        log.warn("skipping cached announcement {} at offset {}: {}", i, at, e.getMessage());
      }
    }
    if (in.hasRemaining()) {
      throw new CacheFormatException(in.remaining() + " trailing bytes after " + count + " entries");
    }
    return out;
  }

  /** The cache file's structure is broken. */
  static class CacheFormatException extends Exception {
    CacheFormatException(String message) {
      super(message);
    }
  }

  /** The cache file is longer than this client may ever write. */
  static final class CacheTooLargeException extends CacheFormatException {
    CacheTooLargeException(String message) {
      super(message);
    }
  }
}
