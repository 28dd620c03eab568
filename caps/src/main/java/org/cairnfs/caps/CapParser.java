package org.cairnfs.caps;

/** Parses cap strings (grammar in docs/specs/caps.md). */
final class CapParser {
  private CapParser() {}

  static Cap parse(String text) {
    throw new UnsupportedOperationException("TODO(caps helper): parse " + text);
  }
}
