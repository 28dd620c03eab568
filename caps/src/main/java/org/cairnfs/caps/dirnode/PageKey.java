package org.cairnfs.caps.dirnode;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * A separator in a paged directory's inner node: 1 to 255 bytes compared unsigned with entry
 * names' UTF-8. Child i of a node holds the names n with {@code key(i) <= n < key(i+1)}. A
 * separator need not be a name itself: writers use the shortest prefix of the right child's
 * first name that still sorts after the left child's last name, which keeps inner pages small.
 */
public final class PageKey implements Comparable<PageKey> {
  public static final int MAX_BYTES = EntryName.MAX_BYTES;
  private final byte[] bytes;

  private PageKey(byte[] bytes) {
    this.bytes = bytes;
  }

  /** Wraps stored separator bytes (1..255, copied). */
  public static PageKey of(byte[] bytes) {
    if (bytes == null || bytes.length < 1 || bytes.length > MAX_BYTES) {
      throw new DirectoryFormatException("a separator is 1.." + MAX_BYTES + " bytes, got "
          + (bytes == null ? "none" : bytes.length));
    }
    return new PageKey(bytes.clone());
  }

  /** The separator equal to a name. */
  public static PageKey of(EntryName name) {
    return new PageKey(name.utf8Unsafe());
  }

  /**
   * The shortest prefix of {@code right} that sorts after {@code left}; requires {@code left <
   * right}.
   */
  public static PageKey between(EntryName left, EntryName right) {
    byte[] l = left.utf8Unsafe();
    byte[] r = right.utf8Unsafe();
    if (Arrays.compareUnsigned(l, r) >= 0) {
      throw new IllegalArgumentException("\"" + left + "\" does not sort before \"" + right
          + "\"");
    }
    for (int length = 1; length < r.length; length++) {
      if (Arrays.compareUnsigned(r, 0, length, l, 0, l.length) > 0) {
        return new PageKey(Arrays.copyOf(r, length));
      }
    }
    return new PageKey(r);
  }

  /** Signed comparison of this key with a name. */
  public int compareTo(EntryName name) {
    return Arrays.compareUnsigned(bytes, name.utf8Unsafe());
  }

  @Override
  public int compareTo(PageKey o) {
    return Arrays.compareUnsigned(bytes, o.bytes);
  }

  public int length() {
    return bytes.length;
  }

  byte[] bytesUnsafe() {
    return bytes;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PageKey k && Arrays.equals(bytes, k.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return "PageKey[" + HexFormat.of().formatHex(bytes) + "]";
  }
}
