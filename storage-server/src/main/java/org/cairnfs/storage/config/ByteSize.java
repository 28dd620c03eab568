package org.cairnfs.storage.config;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Parses sizes as operators write them: {@code 200G}, {@code 1.5T}, {@code 500M}, {@code 10k},
 * {@code 4096}.
 *
 * <p>Grammar: {@code <decimal number>[<unit>][i][B]}, surrounding spaces ignored. Units are
 * binary and case-insensitive: k = 2^10, M = 2^20, G = 2^30, T = 2^40, P = 2^50; no unit means
 * bytes. So {@code 1.5k}, {@code 1.5KiB} and {@code 1.5KB} are all 1536. Fractions of a byte
 * are rounded down. The result must fit in a signed 64-bit count.
 */
public final class ByteSize {
  private static final String UNITS = "kmgtp";

  private ByteSize() {}

  /** @throws IllegalArgumentException quoting the text and saying what is wrong */
  public static long parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException("size is missing");
    }
    String s = text.strip();
    int end = s.length();
    if (end > 0 && (s.charAt(end - 1) == 'B' || s.charAt(end - 1) == 'b')) {
      end--;
    }
    if (end > 0 && (s.charAt(end - 1) == 'i' || s.charAt(end - 1) == 'I')) {
      end--;
      if (end == 0 || UNITS.indexOf(Character.toLowerCase(s.charAt(end - 1))) < 0) {
        throw bad(text, "'i' must follow a unit letter (k, M, G, T, P)");
      }
    }
    int shift = 0;
    if (end > 0) {
      int unit = UNITS.indexOf(Character.toLowerCase(s.charAt(end - 1)));
      if (unit >= 0) {
        shift = 10 * (unit + 1);
        end--;
      }
    }
    String number = s.substring(0, end);
    if (number.isEmpty()) {
      throw bad(text, "no number before the unit");
    }
    for (int i = 0; i < number.length(); i++) {
      char c = number.charAt(i);
      if (!(c >= '0' && c <= '9') && c != '.') {
        throw bad(text, "unexpected character '" + c + "'; expected e.g. 200G, 1.5T, 500M, 10k");
      }
    }
    BigDecimal value;
    try {
      value = new BigDecimal(number);
    } catch (NumberFormatException e) {
      throw bad(text, "'" + number + "' is not a number");
    }
    BigDecimal bytes = value.multiply(BigDecimal.valueOf(2).pow(shift))
        .setScale(0, RoundingMode.DOWN);
    if (bytes.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
      throw bad(text, "more than " + Long.MAX_VALUE + " bytes");
    }
    return bytes.longValueExact();
  }

  /** A short human form, e.g. {@code 1.5G}; exact only for round values. */
  public static String format(long bytes) {
    String units = "KMGTP";
    double value = bytes;
    int unit = -1;
    while (value >= 1024 && unit < units.length() - 1) {
      value /= 1024;
      unit++;
    }
    if (unit < 0) {
      return bytes + "B";
    }
    String number = BigDecimal.valueOf(value).setScale(1, RoundingMode.HALF_UP)
        .stripTrailingZeros().toPlainString();
    return number + units.charAt(unit);
  }

  private static IllegalArgumentException bad(String text, String why) {
    return new IllegalArgumentException("bad size \"" + text + "\": " + why);
  }
}
