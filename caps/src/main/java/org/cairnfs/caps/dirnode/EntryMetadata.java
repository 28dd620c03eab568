package org.cairnfs.caps.dirnode;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What {@code stat} needs about a child without fetching it: kind, size, permission bits,
 * times with nanosecond precision, and for symlinks the target.
 *
 * <p>Times are kept to the nanosecond because rsync, make and git compare them exactly; a
 * round trip through the directory must not round them.
 *
 * @param mode permission bits including setuid, setgid and sticky ({@code 0..07777}); the file
 *     type is carried by {@code kind}, not by mode
 * @param symlinkTarget present exactly when {@code kind} is SYMLINK; 1..4095 UTF-8 bytes, no NUL
 * @param rdev the device number of a character or block device ({@code 0..2^32-1}, Linux's
 *     {@code new_encode_dev} form); 0 for every other kind
 * @param xattrs application extended attributes, full names ({@code user.x}) to values: names of
 *     1..255 UTF-8 bytes without NUL; at most {@link #MAX_XATTRS} of them, names and values
 *     together at most {@link #MAX_XATTR_BYTES} bytes, so an entry always fits a directory page.
 *     The map is a sorted copy; do not modify the arrays it returns.
 */
public record EntryMetadata(EntryKind kind, long size, int mode, Instant mtime, Instant ctime,
    Optional<String> symlinkTarget, long rdev, Map<String, byte[]> xattrs) {
  public static final int MAX_MODE = 07777;
  public static final int MAX_SYMLINK_BYTES = 4095;
  /** Bytes of xattr names and values one entry may carry, in all. */
  public static final int MAX_XATTR_BYTES = 32 * 1024;
  public static final int MAX_XATTR_NAME_BYTES = 255;
  /**
   * Xattrs one entry may carry. Each costs 3 bytes of framing in a directory beside its name
   * and value; without this bound 16 000 two-byte names would frame to 48 KiB more than {@link
   * #MAX_XATTR_BYTES} and one entry could outgrow a 64 KiB page.
   */
  public static final int MAX_XATTRS = 1024;
  public static final long MAX_RDEV = 0xffff_ffffL;

  public EntryMetadata {
    if (kind == null || mtime == null || ctime == null || symlinkTarget == null
        || xattrs == null) {
      throw new DirectoryFormatException("metadata needs kind, mtime, ctime, symlink target and"
          + " xattrs");
    }
    if (size < 0) {
      throw new DirectoryFormatException("size must not be negative, got " + size);
    }
    if (kind.isSpecial() && size != 0) {
      throw new DirectoryFormatException("a " + kind + " has size 0, got " + size);
    }
    if (rdev < 0 || rdev > MAX_RDEV || (rdev != 0 && !kind.isDevice())) {
      throw new DirectoryFormatException("device number " + rdev + " is out of range or not on"
          + " a device (" + kind + ")");
    }
    if (mode < 0 || mode > MAX_MODE) {
      throw new DirectoryFormatException("mode must be in 0..07777, got 0"
          + Integer.toOctalString(mode));
    }
    if ((kind == EntryKind.SYMLINK) != symlinkTarget.isPresent()) {
      throw new DirectoryFormatException(kind == EntryKind.SYMLINK
          ? "a symlink needs a target" : "only a symlink has a target, not a " + kind);
    }
    symlinkTarget.ifPresent(EntryMetadata::checkTarget);
    xattrs = copyXattrs(xattrs);
  }

  /** Metadata without device number or xattrs. */
  public EntryMetadata(EntryKind kind, long size, int mode, Instant mtime, Instant ctime,
      Optional<String> symlinkTarget) {
    this(kind, size, mode, mtime, ctime, symlinkTarget, 0, Map.of());
  }

  /** Metadata of a regular file or directory (no symlink target). */
  public static EntryMetadata of(EntryKind kind, long size, int mode, Instant mtime,
      Instant ctime) {
    return new EntryMetadata(kind, size, mode, mtime, ctime, Optional.empty());
  }

  /** Metadata of a symlink; its size is the target's length in UTF-8 bytes, as lstat says. */
  public static EntryMetadata symlink(String target, int mode, Instant mtime, Instant ctime) {
    long size = target == null ? 0 : target.getBytes(StandardCharsets.UTF_8).length;
    return new EntryMetadata(EntryKind.SYMLINK, size, mode, mtime, ctime,
        Optional.ofNullable(target));
  }

  /** Metadata of a FIFO, socket or device node ({@code rdev} 0 unless a device). */
  public static EntryMetadata special(EntryKind kind, long rdev, int mode, Instant mtime,
      Instant ctime) {
    if (!kind.isSpecial()) {
      throw new DirectoryFormatException(kind + " is not a special file");
    }
    return new EntryMetadata(kind, 0, mode, mtime, ctime, Optional.empty(), rdev, Map.of());
  }

  /** The same metadata with these xattrs. */
  public EntryMetadata withXattrs(Map<String, byte[]> newXattrs) {
    return new EntryMetadata(kind, size, mode, mtime, ctime, symlinkTarget, rdev, newXattrs);
  }

  /**
   * Whether only directory format version 3 can hold this metadata: a kind of code 3 or more,
   * or xattrs.
   */
  public boolean needsVersion3() {
    return kind.isSpecial() || !xattrs.isEmpty();
  }

  /** Bytes the xattrs take: names (UTF-8) and values. */
  public static long xattrBytes(Map<String, byte[]> xattrs) {
    long n = 0;
    for (Map.Entry<String, byte[]> x : xattrs.entrySet()) {
      n += StrictUtf8.encode(x.getKey(), "xattr name").length + x.getValue().length;
    }
    return n;
  }

  private static Map<String, byte[]> copyXattrs(Map<String, byte[]> xattrs) {
    if (xattrs.isEmpty()) {
      return Map.of();
    }
    if (xattrs.size() > MAX_XATTRS) {
      throw new DirectoryFormatException(xattrs.size() + " xattrs, at most " + MAX_XATTRS);
    }
    TreeMap<String, byte[]> copy = new TreeMap<>();
    long total = 0;
    for (Map.Entry<String, byte[]> x : xattrs.entrySet()) {
      String name = x.getKey();
      byte[] value = x.getValue();
      if (name == null || value == null) {
        throw new DirectoryFormatException("an xattr needs a name and a value");
      }
      int nameBytes = StrictUtf8.encode(name, "xattr name").length;
      if (nameBytes == 0 || nameBytes > MAX_XATTR_NAME_BYTES || name.indexOf('\0') >= 0) {
        throw new DirectoryFormatException("xattr name must be 1.." + MAX_XATTR_NAME_BYTES
            + " UTF-8 bytes without NUL, got " + nameBytes);
      }
      total += nameBytes + value.length;
      copy.put(name, value.clone());
    }
    if (total > MAX_XATTR_BYTES) {
      throw new DirectoryFormatException("xattrs take " + total + " bytes, more than "
          + MAX_XATTR_BYTES);
    }
    return Collections.unmodifiableMap(copy);
  }

  /** Equal when every field is, xattr values compared by content. */
  @Override
  public boolean equals(Object o) {
    if (!(o instanceof EntryMetadata m)) {
      return false;
    }
    if (kind != m.kind || size != m.size || mode != m.mode || rdev != m.rdev
        || !mtime.equals(m.mtime) || !ctime.equals(m.ctime)
        || !symlinkTarget.equals(m.symlinkTarget) || xattrs.size() != m.xattrs.size()) {
      return false;
    }
    for (Map.Entry<String, byte[]> x : xattrs.entrySet()) {
      byte[] other = m.xattrs.get(x.getKey());
      if (other == null || !Arrays.equals(x.getValue(), other)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    int h = Objects.hash(kind, size, mode, mtime, ctime, symlinkTarget, rdev);
    for (Map.Entry<String, byte[]> x : xattrs.entrySet()) {
      h = 31 * h + x.getKey().hashCode() * 17 + Arrays.hashCode(x.getValue());
    }
    return h;
  }

  private static void checkTarget(String target) {
    byte[] utf8 = StrictUtf8.encode(target, "symlink target");
    if (utf8.length == 0 || utf8.length > MAX_SYMLINK_BYTES) {
      throw new DirectoryFormatException("symlink target must be 1.." + MAX_SYMLINK_BYTES
          + " UTF-8 bytes, got " + utf8.length);
    }
    if (target.indexOf('\0') >= 0) {
      throw new DirectoryFormatException("symlink target contains NUL");
    }
  }
}
