package org.cairnfs.caps.dirnode;

import java.text.Normalizer;
import java.util.Arrays;

/**
 * One path component of a directory, as stored: UTF-8 in Unicode NFC, 1..255 bytes, without
 * '/' or NUL, and not "." or "..".
 *
 * <p>Why NFC: the same visible name typed on macOS (NFD) and Linux (usually NFC) must name the
 * same entry, so {@link #of} normalizes whatever the frontend hands in. Stored bytes are
 * canonical, so parsing rejects a name that is not already NFC instead of silently changing it.
 * Entries sort by their UTF-8 bytes (unsigned), which is the order on disk.
 */
public final class EntryName implements Comparable<EntryName> {
  public static final int MAX_BYTES = 255;
  private final String text;
  private final byte[] utf8;

  private EntryName(String text, byte[] utf8) {
    this.text = text;
    this.utf8 = utf8;
  }

  /**
   * The entry name for {@code text}, normalized to NFC.
   *
   * @throws DirectoryFormatException naming the rule the name breaks
   */
  public static EntryName of(String text) {
    if (text == null) {
      throw new DirectoryFormatException("entry name is missing");
    }
    String nfc = Normalizer.normalize(text, Normalizer.Form.NFC);
    byte[] utf8 = StrictUtf8.encode(nfc, "entry name");
    check(nfc, utf8);
    return new EntryName(nfc, utf8);
  }

  /** Parses stored bytes: strict UTF-8, already NFC, same rules as {@link #of}. */
  static EntryName fromStored(byte[] utf8) {
    String text = StrictUtf8.decode(utf8, 0, utf8.length, "entry name");
    if (!Normalizer.isNormalized(text, Normalizer.Form.NFC)) {
      throw new DirectoryFormatException("stored entry name " + quote(text) + " is not NFC");
    }
    check(text, utf8);
    return new EntryName(text, utf8);
  }

  private static void check(String text, byte[] utf8) {
    if (utf8.length == 0) {
      throw new DirectoryFormatException("entry name is empty");
    }
    if (utf8.length > MAX_BYTES) {
      throw new DirectoryFormatException("entry name " + quote(text.substring(0, 20))
          + "... is " + utf8.length + " UTF-8 bytes, more than " + MAX_BYTES);
    }
    if (text.equals(".") || text.equals("..")) {
      throw new DirectoryFormatException("entry name must not be " + quote(text));
    }
    for (byte b : utf8) {
      if (b == '/' || b == 0) {
        throw new DirectoryFormatException("entry name " + quote(text)
            + " contains " + (b == 0 ? "NUL" : "'/'"));
      }
    }
  }

  private static String quote(String s) {
    return "\"" + s.replace("\0", "\\0") + "\"";
  }

  /** The NFC text. */
  public String text() {
    return text;
  }

  /** The stored UTF-8 bytes (a copy). */
  public byte[] utf8() {
    return utf8.clone();
  }

  int byteLength() {
    return utf8.length;
  }

  byte[] utf8Unsafe() {
    return utf8;
  }

  @Override
  public int compareTo(EntryName o) {
    return Arrays.compareUnsigned(utf8, o.utf8);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EntryName n && Arrays.equals(utf8, n.utf8);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(utf8);
  }

  @Override
  public String toString() {
    return text;
  }
}
