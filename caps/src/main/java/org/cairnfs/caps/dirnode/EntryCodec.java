package org.cairnfs.caps.dirnode;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The entry layouts of docs/specs/dirnode.md, shared by flat directories and leaf pages:
 * version 1 (kinds 0..2, no device number, no xattrs) and version 3 (the version-1 layout, then
 * a device number and the xattrs).
 *
 * <p>Which layout a structure uses is decided once for all its entries ({@link
 * #needsVersion3}): version 3 exactly when some entry cannot be said in version 1, so
 * directories without the new fields keep their version-1 bytes and every accepted input has
 * one encoding.
 */
final class EntryCodec {
  /** Smallest version-1 entry: 1-byte name, no caps, no target. */
  static final int MIN_V1_LENGTH = 1 + 1 + 1 + 2 + 2 + 8 + 2 + 12 + 12 + 2;
  /** What the version-3 layout adds to every entry at least: u32 rdev, u16 xattr count. */
  static final int V3_EXTRA = 4 + 2;
  static final int MIN_V3_LENGTH = MIN_V1_LENGTH + V3_EXTRA;
  /** Per xattr besides its name and value: u8 name length, u16 value length. */
  static final int XATTR_FRAMING = 1 + 2;

  private EntryCodec() {}

  /** Whether a structure holding {@code entries} must use the version-3 entry layout. */
  static boolean needsVersion3(Collection<DirectoryEntry> entries) {
    for (DirectoryEntry e : entries) {
      if (e.metadata().needsVersion3()) {
        return true;
      }
    }
    return false;
  }

  static int minLength(boolean v3) {
    return v3 ? MIN_V3_LENGTH : MIN_V1_LENGTH;
  }

  /** Encoded length of {@code e} in the version-3 layout when {@code v3}, else version 1. */
  static int length(DirectoryEntry e, boolean v3) {
    int n = MIN_V1_LENGTH - 1 + e.name().byteLength()
        + e.readCap().map(String::length).orElse(0)
        + e.writeCap().map(s -> s.boxUnsafe().length).orElse(0)
        + e.metadata().symlinkTarget().map(t -> utf8(t).length).orElse(0);
    if (v3) {
      n += V3_EXTRA;
      for (Map.Entry<String, byte[]> x : e.metadata().xattrs().entrySet()) {
        n += XATTR_FRAMING + StrictUtf8.encode(x.getKey(), "xattr name").length
            + x.getValue().length;
      }
    }
    return n;
  }

  /** Writes one entry; {@code v3} must hold if the entry needs version 3. */
  static void write(ByteBuffer b, DirectoryEntry e, boolean v3) {
    EntryMetadata m = e.metadata();
    if (!v3 && m.needsVersion3()) {
      throw new IllegalStateException("entry \"" + e.name() + "\" needs the version-3 layout");
    }
    byte[] name = e.name().utf8Unsafe();
    b.put((byte) name.length).put(name);
    b.put((byte) m.kind().code());
    byte[] readCap = e.readCap().map(c -> c.getBytes(StandardCharsets.US_ASCII))
        .orElse(new byte[0]);
    b.putShort((short) readCap.length).put(readCap);
    byte[] sealed = e.writeCap().map(SealedWriteCap::boxUnsafe).orElse(new byte[0]);
    b.putShort((short) sealed.length).put(sealed);
    b.putLong(m.size()).putShort((short) m.mode());
    putTime(b, m.mtime());
    putTime(b, m.ctime());
    byte[] target = m.symlinkTarget().map(EntryCodec::utf8).orElse(new byte[0]);
    b.putShort((short) target.length).put(target);
    if (v3) {
      b.putInt((int) m.rdev());
      List<byte[][]> xattrs = sortedXattrs(m.xattrs());
      b.putShort((short) xattrs.size());
      for (byte[][] x : xattrs) {
        b.put((byte) x[0].length).put(x[0]).putShort((short) x[1].length).put(x[1]);
      }
    }
  }

  /**
   * Name and value pairs in unsigned byte order of the UTF-8 names, the order on the wire; it
   * differs from String order once a name holds a supplementary character (U+1F600 sorts
   * before U+FFFD as UTF-16, after it as UTF-8).
   */
  private static List<byte[][]> sortedXattrs(Map<String, byte[]> xattrs) {
    List<byte[][]> out = new ArrayList<>(xattrs.size());
    for (Map.Entry<String, byte[]> x : xattrs.entrySet()) {
      out.add(new byte[][] {StrictUtf8.encode(x.getKey(), "xattr name"), x.getValue()});
    }
    out.sort((a, c) -> Arrays.compareUnsigned(a[0], c[0]));
    return out;
  }

  /**
   * Reads {@code count} entries, strictly ascending by name, that must end exactly at the end
   * of the bytes; in version 3 at least one of them must need it (else the version-1 bytes are
   * the canonical form).
   */
  static DirectoryEntry[] readAll(DirectoryCodec.Reader r, int count, boolean v3) {
    DirectoryEntry[] entries = new DirectoryEntry[count];
    boolean needed = false;
    for (int i = 0; i < entries.length; i++) {
      try {
        entries[i] = read(r, v3);
      } catch (DirectoryFormatException e) {
        throw new DirectoryFormatException("entry " + i + ": " + e.getMessage());
      }
      needed |= entries[i].metadata().needsVersion3();
      if (i > 0 && entries[i - 1].name().compareTo(entries[i].name()) >= 0) {
        throw new DirectoryFormatException("entry " + i + " (\"" + entries[i].name()
            + "\") is not after \"" + entries[i - 1].name() + "\" in byte order");
      }
    }
    if (r.pos != r.bytes.length) {
      throw new DirectoryFormatException((r.bytes.length - r.pos)
          + " trailing bytes after the last entry");
    }
    if (v3 && !needed) {
      throw new DirectoryFormatException("version 3 but no entry needs it (no special kind, no"
          + " xattrs): not canonical");
    }
    return entries;
  }

  static DirectoryEntry read(DirectoryCodec.Reader r, boolean v3) {
    int nameLength = r.u8();
    EntryName name = EntryName.fromStored(r.bytes(nameLength, "name"));
    int kindCode = r.u8();
    EntryKind kind = EntryKind.ofCode(kindCode);
    if (kind.isSpecial() && !v3) {
      // ofCode knows codes 3..6 now; versions 1 and 2 never had them
      throw new DirectoryFormatException("entry kind " + kindCode + " (" + kind
          + ") exists only in format version 3");
    }
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
    long rdev = 0;
    Map<String, byte[]> xattrs = Map.of();
    if (v3) {
      rdev = r.u32();
      if (rdev != 0 && !kind.isDevice()) {
        throw new DirectoryFormatException("device number " + rdev + " on a " + kind);
      }
      xattrs = readXattrs(r);
    }
    return new DirectoryEntry(name, readCap, sealed,
        new EntryMetadata(kind, size, mode, mtime, ctime, target, rdev, xattrs));
  }

  private static Map<String, byte[]> readXattrs(DirectoryCodec.Reader r) {
    int count = r.u16();
    if (count > EntryMetadata.MAX_XATTRS) {
      throw new DirectoryFormatException(count + " xattrs, at most "
          + EntryMetadata.MAX_XATTRS);
    }
    // smallest xattr: 1-byte name, empty value
    if (count > (r.bytes.length - r.pos) / (XATTR_FRAMING + 1)) {
      throw new DirectoryFormatException(count + " xattrs cannot fit in "
          + (r.bytes.length - r.pos) + " bytes");
    }
    Map<String, byte[]> xattrs = new LinkedHashMap<>();
    byte[] previous = null;
    long total = 0;
    for (int i = 0; i < count; i++) {
      int nameLength = r.u8();
      if (nameLength == 0) {
        throw new DirectoryFormatException("xattr " + i + ": empty name");
      }
      byte[] name = r.bytes(nameLength, "xattr name");
      if (previous != null && Arrays.compareUnsigned(previous, name) >= 0) {
        throw new DirectoryFormatException("xattr " + i + ": name is not after the one before"
            + " it in byte order");
      }
      int valueLength = r.u16();
      total += nameLength + valueLength;
      if (total > EntryMetadata.MAX_XATTR_BYTES) {
        throw new DirectoryFormatException("xattr " + i + ": names and values take more than "
            + EntryMetadata.MAX_XATTR_BYTES + " bytes");
      }
      String text = StrictUtf8.decode(name, 0, nameLength, "xattr name");
      if (text.indexOf('\0') >= 0) {
        throw new DirectoryFormatException("xattr " + i + ": name contains NUL");
      }
      xattrs.put(text, r.bytes(valueLength, "xattr value"));
      previous = name;
    }
    return xattrs;
  }

  private static void putTime(ByteBuffer b, Instant t) {
    b.putLong(t.getEpochSecond()).putInt(t.getNano());
  }

  private static byte[] utf8(String s) {
    return StrictUtf8.encode(s, "symlink target");
  }
}
