package org.cairnfs.caps.dirnode;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;

/**
 * The byte form of a directory's plaintext (layout in {@code docs/specs/dirnode.md}).
 *
 * <p>Deterministic: the same entries always give the same bytes (entries sorted by name bytes,
 * fixed-width big-endian integers, no optional padding), so unchanged directories hash equal
 * and the golden test can pin the format. Decoding is strict and bounded: every length is
 * checked against the bytes that remain before anything is allocated, names must be strictly
 * ascending (which also forbids duplicates), and trailing bytes are an error. Both directions
 * are linear in the encoded size.
 */
public final class DirectoryCodec {
  /** ASCII "CDIR". */
  static final byte[] MAGIC = {'C', 'D', 'I', 'R'};
  public static final int VERSION = 1;
  public static final int MAX_ENTRIES = 1_000_000;
  static final int HEADER_LENGTH = 9;
  /** Smallest possible entry: 1-byte name, no caps, no target. */
  static final int MIN_ENTRY_LENGTH = 1 + 1 + 1 + 2 + 2 + 8 + 2 + 12 + 12 + 2;

  private DirectoryCodec() {}

  /** The canonical bytes of {@code contents}. */
  public static byte[] encode(DirectoryContents contents) {
    long total = HEADER_LENGTH;
    for (DirectoryEntry e : contents.entries()) {
      total += entryLength(e);
    }
    if (total > Integer.MAX_VALUE - 8) {
      throw new DirectoryFormatException("directory encodes to " + total
          + " bytes, more than one array holds");
    }
    ByteBuffer b = ByteBuffer.allocate((int) total);
    b.put(MAGIC).put((byte) VERSION).putInt(contents.size());
    for (DirectoryEntry e : contents.entries()) {
      writeEntry(b, e);
    }
    return b.array();
  }

  /** Encoded length of one entry (also what it adds to a leaf page). */
  static int entryLength(DirectoryEntry e) {
    return MIN_ENTRY_LENGTH - 1 + e.name().byteLength()
        + e.readCap().map(String::length).orElse(0)
        + e.writeCap().map(s -> s.boxUnsafe().length).orElse(0)
        + e.metadata().symlinkTarget().map(t -> utf8(t).length).orElse(0);
  }

  /** Writes one entry in the layout of docs/specs/dirnode.md ("Each entry"). */
  static void writeEntry(ByteBuffer b, DirectoryEntry e) {
    byte[] name = e.name().utf8Unsafe();
    b.put((byte) name.length).put(name);
    EntryMetadata m = e.metadata();
    b.put((byte) m.kind().code());
    byte[] readCap = e.readCap().map(c -> c.getBytes(StandardCharsets.US_ASCII))
        .orElse(new byte[0]);
    b.putShort((short) readCap.length).put(readCap);
    byte[] sealed = e.writeCap().map(SealedWriteCap::boxUnsafe).orElse(new byte[0]);
    b.putShort((short) sealed.length).put(sealed);
    b.putLong(m.size()).putShort((short) m.mode());
    putTime(b, m.mtime());
    putTime(b, m.ctime());
    byte[] target = m.symlinkTarget().map(DirectoryCodec::utf8).orElse(new byte[0]);
    b.putShort((short) target.length).put(target);
  }

  /**
   * Parses directory plaintext.
   *
   * @throws DirectoryFormatException naming the entry index and field at fault; nothing else
   */
  public static DirectoryContents decode(byte[] bytes) {
    Reader r = new Reader(bytes);
    r.need(HEADER_LENGTH, "header");
    if (!Arrays.equals(bytes, 0, 4, MAGIC, 0, 4)) {
      throw new DirectoryFormatException("not a directory: bad magic");
    }
    r.pos = 4;
    int version = r.u8();
    if (version != VERSION) {
      throw new DirectoryFormatException("unknown directory version " + version);
    }
    long count = r.u32();
    if (count > MAX_ENTRIES) {
      throw new DirectoryFormatException("entry count " + count + " exceeds " + MAX_ENTRIES);
    }
    if (count > (long) (bytes.length - HEADER_LENGTH) / MIN_ENTRY_LENGTH) {
      throw new DirectoryFormatException("entry count " + count + " cannot fit in "
          + (bytes.length - HEADER_LENGTH) + " bytes");
    }
    return DirectoryContents.ofSorted(readEntries(r, (int) count));
  }

  /**
   * Reads {@code count} entries, strictly ascending by name, that must end exactly at the end
   * of the bytes.
   */
  static DirectoryEntry[] readEntries(Reader r, int count) {
    DirectoryEntry[] entries = new DirectoryEntry[count];
    for (int i = 0; i < entries.length; i++) {
      try {
        entries[i] = readEntry(r);
      } catch (DirectoryFormatException e) {
        throw new DirectoryFormatException("entry " + i + ": " + e.getMessage());
      }
      if (i > 0 && entries[i - 1].name().compareTo(entries[i].name()) >= 0) {
        throw new DirectoryFormatException("entry " + i + " (\"" + entries[i].name()
            + "\") is not after \"" + entries[i - 1].name() + "\" in byte order");
      }
    }
    if (r.pos != r.bytes.length) {
      throw new DirectoryFormatException((r.bytes.length - r.pos)
          + " trailing bytes after the last entry");
    }
    return entries;
  }

  static DirectoryEntry readEntry(Reader r) {
    int nameLength = r.u8();
    EntryName name = EntryName.fromStored(r.bytes(nameLength, "name"));
    EntryKind kind = EntryKind.ofCode(r.u8());
    int capLength = r.u16();
    Optional<String> readCap = capLength == 0 ? Optional.empty()
        : Optional.of(new String(r.bytes(capLength, "read cap"), StandardCharsets.ISO_8859_1));
    int sealedLength = r.u16();
    Optional<SealedWriteCap> sealed = sealedLength == 0 ? Optional.empty()
        : Optional.of(new SealedWriteCap(r.bytes(sealedLength, "sealed write cap")));
    long size = r.u64();
    int mode = r.u16();
    Instant mtime = r.time("mtime");
    Instant ctime = r.time("ctime");
    int targetLength = r.u16();
    Optional<String> target = targetLength == 0 ? Optional.empty()
        : Optional.of(StrictUtf8.decode(r.bytes(targetLength, "symlink target"), 0,
            targetLength, "symlink target"));
    return new DirectoryEntry(name, readCap, sealed,
        new EntryMetadata(kind, size, mode, mtime, ctime, target));
  }

  private static void putTime(ByteBuffer b, Instant t) {
    b.putLong(t.getEpochSecond()).putInt(t.getNano());
  }

  private static byte[] utf8(String s) {
    return StrictUtf8.encode(s, "symlink target");
  }

  /** Bounds-checked big-endian reads with messages naming the entry. */
  static final class Reader {
    final byte[] bytes;
    int pos;

    Reader(byte[] bytes) {
      this.bytes = bytes;
    }

    void need(int n, String what) {
      if (bytes.length - pos < n) {
        throw new DirectoryFormatException(what + " needs " + n + " bytes, only "
            + (bytes.length - pos) + " remain");
      }
    }

    int u8() {
      need(1, "a byte");
      return bytes[pos++] & 0xff;
    }

    int u16() {
      need(2, "a 16-bit field");
      int v = ((bytes[pos] & 0xff) << 8) | (bytes[pos + 1] & 0xff);
      pos += 2;
      return v;
    }

    long u32() {
      need(4, "a 32-bit field");
      long v = ByteBuffer.wrap(bytes, pos, 4).getInt() & 0xffffffffL;
      pos += 4;
      return v;
    }

    long u64() {
      need(8, "a 64-bit field");
      long v = ByteBuffer.wrap(bytes, pos, 8).getLong();
      pos += 8;
      if (v < 0) {
        throw new DirectoryFormatException("size exceeds 2^63-1");
      }
      return v;
    }

    Instant time(String what) {
      need(12, what);
      ByteBuffer b = ByteBuffer.wrap(bytes, pos, 12);
      long seconds = b.getLong();
      long nanos = b.getInt() & 0xffffffffL;
      pos += 12;
      if (nanos > 999_999_999L || seconds < Instant.MIN.getEpochSecond()
          || seconds > Instant.MAX.getEpochSecond()) {
        throw new DirectoryFormatException(what + " out of range");
      }
      return Instant.ofEpochSecond(seconds, nanos);
    }

    byte[] bytes(int n, String what) {
      need(n, what);
      byte[] out = Arrays.copyOfRange(bytes, pos, pos + n);
      pos += n;
      return out;
    }
  }
}
