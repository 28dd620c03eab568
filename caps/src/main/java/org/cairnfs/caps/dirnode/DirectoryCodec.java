package org.cairnfs.caps.dirnode;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;

/**
 * The byte form of a directory's plaintext (layout in {@code docs/specs/dirnode.md}).
 *
 * <p>Deterministic: the same entries always give the same bytes (entries sorted by name bytes,
 * fixed-width big-endian integers, no optional padding), so unchanged directories hash equal
 * and the golden test can pin the format. Decoding is strict and bounded: every length is
 * checked against the bytes that remain before anything is allocated, names must be strictly
 * ascending (which also forbids duplicates), and trailing bytes are an error. Both directions
 * are linear in the encoded size. The entry layouts themselves are in {@link EntryCodec}.
 */
public final class DirectoryCodec {
  /** ASCII "CDIR". */
  static final byte[] MAGIC = {'C', 'D', 'I', 'R'};
  /** The flat version without special kinds or xattrs. */
  public static final int VERSION = 1;
  /** The flat version whose entries carry a device number and xattrs (kinds 3..6 allowed). */
  public static final int VERSION_3 = 3;
  public static final int MAX_ENTRIES = 1_000_000;
  static final int HEADER_LENGTH = 9;

  private DirectoryCodec() {}

  /**
   * The canonical bytes of {@code contents}: version 3 when some entry needs it (a special
   * kind or xattrs), else version 1, byte for byte what versions before 3 wrote.
   */
  public static byte[] encode(DirectoryContents contents) {
    boolean v3 = EntryCodec.needsVersion3(contents.entries());
    long total = HEADER_LENGTH;
    for (DirectoryEntry e : contents.entries()) {
      total += EntryCodec.length(e, v3);
    }
    if (total > Integer.MAX_VALUE - 8) {
      throw new DirectoryFormatException("directory encodes to " + total
          + " bytes, more than one array holds");
    }
    ByteBuffer b = ByteBuffer.allocate((int) total);
    b.put(MAGIC).put((byte) (v3 ? VERSION_3 : VERSION)).putInt(contents.size());
    for (DirectoryEntry e : contents.entries()) {
      EntryCodec.write(b, e, v3);
    }
    return b.array();
  }

  /**
   * Parses flat directory plaintext (version 1 or 3).
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
    if (version != VERSION && version != VERSION_3) {
      throw new DirectoryFormatException("unknown directory version " + version);
    }
    boolean v3 = version == VERSION_3;
    long count = r.u32();
    if (count > MAX_ENTRIES) {
      throw new DirectoryFormatException("entry count " + count + " exceeds " + MAX_ENTRIES);
    }
    if (count > (long) (bytes.length - HEADER_LENGTH) / EntryCodec.minLength(v3)) {
      throw new DirectoryFormatException("entry count " + count + " cannot fit in "
          + (bytes.length - HEADER_LENGTH) + " bytes");
    }
    return DirectoryContents.ofSorted(EntryCodec.readAll(r, (int) count, v3));
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
