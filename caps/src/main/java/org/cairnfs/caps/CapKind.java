package org.cairnfs.caps;

import java.util.HashMap;
import java.util.Map;

/**
 * The kind prefixes this version knows, one per cap record. A prefix never changes meaning:
 * a new kind of cap gets a new prefix (docs/specs/caps.md, "Compatibility").
 */
enum CapKind {
  LITERAL("lit"),
  IMMUTABLE_READ("chk"),
  IMMUTABLE_VERIFY("chk-v"),
  MUTABLE_WRITE("mut"),
  MUTABLE_READ("mut-ro"),
  MUTABLE_VERIFY("mut-v"),
  DIRECTORY_WRITE("dir"),
  DIRECTORY_READ("dir-ro"),
  DIRECTORY_VERIFY("dir-v"),
  IMMUTABLE_DIRECTORY_READ("dir-chk"),
  IMMUTABLE_DIRECTORY_VERIFY("dir-chk-v"),
  LITERAL_DIRECTORY("dir-lit"),
  CHUNKED_READ("cf-ro"),
  CHUNKED_VERIFY("cf-v");

  private static final Map<String, CapKind> BY_PREFIX = new HashMap<>();

  static {
    for (CapKind k : values()) {
      BY_PREFIX.put(k.prefix, k);
    }
  }

  private final String prefix;

  CapKind(String prefix) {
    this.prefix = prefix;
  }

  /** The text between {@code cairn:} and the next colon. */
  String prefix() {
    return prefix;
  }

  /** The known kind with this prefix, or null. */
  static CapKind byPrefix(String prefix) {
    return BY_PREFIX.get(prefix);
  }
}
