package org.cairnfs.caps;

import java.util.Arrays;

/**
 * RFC 4648 base32 in lower case without padding, the alphabet of every cap string.
 *
 * <p>Decoding is strict: upper case, padding, characters outside the alphabet and
 * non-canonical trailing bits are rejected, so each byte string has exactly one text form
 * and a cap string can be compared as text.
 */
public final class Base32 {
  private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
  private static final byte[] DECODE = new byte[128];

  static {
    Arrays.fill(DECODE, (byte) -1);
    for (int i = 0; i < ALPHABET.length; i++) {
      DECODE[ALPHABET[i]] = (byte) i;
    }
  }

  private Base32() {}

  /** Length of the text form of {@code byteCount} bytes. */
  public static int encodedLength(int byteCount) {
    return (int) ((byteCount * 8L + 4) / 5);
  }

  public static String encode(byte[] data) {
    StringBuilder out = new StringBuilder(encodedLength(data.length));
    int buffer = 0;
    int bits = 0;
    for (byte b : data) {
      buffer = (buffer << 8) | (b & 0xff);
      bits += 8;
      while (bits >= 5) {
        out.append(ALPHABET[(buffer >>> (bits - 5)) & 31]);
        bits -= 5;
      }
    }
    if (bits > 0) {
      out.append(ALPHABET[(buffer << (5 - bits)) & 31]);
    }
    return out.toString();
  }

  /**
   * Decodes canonical lower-case unpadded base32.
   *
   * @throws IllegalArgumentException naming the offending character or length
   */
  public static byte[] decode(CharSequence text) {
    return decode(text, 0, text.length());
  }

  /**
   * Decodes {@code text[from, to)}; positions in error messages count from the start of
   * {@code text}, so a parser can point into the whole cap string.
   */
  static byte[] decode(CharSequence text, int from, int to) {
    int len = to - from;
    int rem = len % 8;
    if (rem == 1 || rem == 3 || rem == 6) {
      throw new IllegalArgumentException("base32 text of length " + len + " is impossible");
    }
    byte[] out = new byte[(int) (len * 5L / 8)];
    int buffer = 0;
    int bits = 0;
    int pos = 0;
    for (int i = from; i < to; i++) {
      char c = text.charAt(i);
      int v = c < 128 ? DECODE[c] : -1;
      if (v < 0) {
        throw new IllegalArgumentException(
            "bad base32 character '" + printable(c) + "' at position " + i);
      }
      buffer = (buffer << 5) | v;
      bits += 5;
      if (bits >= 8) {
        out[pos++] = (byte) (buffer >>> (bits - 8));
        bits -= 8;
      }
    }
    if ((buffer & ((1 << bits) - 1)) != 0) {
      throw new IllegalArgumentException("base32 text has non-zero trailing bits");
    }
    return out;
  }

  static String printable(char c) {
    return c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\u%04x", (int) c);
  }
}
