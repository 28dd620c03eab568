package org.cairnfs.caps;

/** Formats caps to their canonical strings (grammar in docs/specs/caps.md). */
final class CapFormatter {
  private CapFormatter() {}

  static String format(Cap cap) {
    throw new UnsupportedOperationException("TODO(caps helper): format " + cap.getClass());
  }
}
