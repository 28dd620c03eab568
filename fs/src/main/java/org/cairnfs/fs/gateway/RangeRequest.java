package org.cairnfs.fs.gateway;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The meaning of a {@code Range} header against a representation of known size (RFC 9110
 * section 14): serve the whole (no header, another unit, bad syntax, too many ranges, ranges
 * together longer than the whole), nothing can be served (416), or these ranges (206), in the
 * order asked.
 */
sealed interface RangeRequest {
  /** More ranges than this in one header are ignored (the whole is served). */
  int MAX_RANGES = 64;

  /** Serve the whole representation with 200. */
  record Whole() implements RangeRequest {}

  /** No range of the header overlaps the representation: 416. */
  record Unsatisfiable() implements RangeRequest {}

  /** The satisfiable ranges, clipped to the representation, in the order asked. */
  record Ranges(List<ByteRange> ranges) implements RangeRequest {
    public Ranges {
      ranges = List.copyOf(ranges);
      if (ranges.isEmpty()) {
        throw new IllegalArgumentException("no ranges");
      }
    }
  }

  static RangeRequest of(String header, long size) {
    if (header == null) {
      return new Whole();
    }
    String h = header.trim();
    int eq = h.indexOf('=');
    if (eq < 0 || !h.substring(0, eq).trim().toLowerCase(Locale.ROOT).equals("bytes")) {
      return new Whole();
    }
    String[] specs = h.substring(eq + 1).split(",", -1);
    if (specs.length > MAX_RANGES) {
      return new Whole();
    }
    List<ByteRange> out = new ArrayList<>();
    boolean any = false;
    for (String raw : specs) {
      String s = raw.trim();
      if (s.isEmpty()) {
        continue; // RFC 9110 allows empty list elements
      }
      int dash = s.indexOf('-');
      if (dash < 0) {
        return new Whole();
      }
      String a = s.substring(0, dash).trim();
      String b = s.substring(dash + 1).trim();
      if (a.isEmpty()) {
        long suffix = number(b);
        if (suffix < 0) {
          return new Whole();
        }
        any = true;
        if (suffix > 0 && size > 0) {
          out.add(new ByteRange(Math.max(0, size - suffix), size - 1));
        }
        continue;
      }
      long first = number(a);
      long last = b.isEmpty() ? Long.MAX_VALUE : number(b);
      if (first < 0 || last < 0 || last < first) {
        return new Whole();
      }
      any = true;
      if (first < size) {
        out.add(new ByteRange(first, Math.min(last, size - 1)));
      }
    }
    if (!any) {
      return new Whole();
    }
    // overlapping ranges asking more than the whole (bytes=0-,0-,...) would have the file read
    // and sent many times for one short header: they get the whole, once (RFC 9110 14.2 allows)
    long asked = 0;
    for (ByteRange r : out) {
      asked += r.length(); // each at most size, and the sum so far too: no overflow
      if (asked > size) {
        return new Whole();
      }
    }
    return out.isEmpty() ? new Unsatisfiable() : new Ranges(out);
  }

  /** A non-negative decimal, or -1 if the text is not one (or does not fit a long). */
  private static long number(String s) {
    if (s.isEmpty() || s.length() > 18) {
      return s.length() > 18 && s.chars().allMatch(c -> c >= '0' && c <= '9') ? Long.MAX_VALUE : -1;
    }
    long v = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }
}
