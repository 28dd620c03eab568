package org.cairnfs.caps;

/**
 * Parses cap strings (grammar in docs/specs/caps.md).
 *
 * <p>Only canonical forms are accepted, so {@code parse(s).toString().equals(s)} for every
 * string that parses. Messages name the kind, the field and the fault, and point at the
 * offending position; they never echo key material.
 */
final class CapParser {
  /** No cap of any kind, known or future, may be longer; checked before anything else. */
  static final int MAX_LENGTH = 4096;

  private CapParser() {}

  static Cap parse(String text) {
    if (text == null) {
      throw new CapFormatException("cap string is missing");
    }
    if (text.length() > MAX_LENGTH) {
      throw new CapFormatException(
          "cap string is too long: " + text.length() + " characters, the maximum is "
              + MAX_LENGTH);
    }
    if (!text.startsWith(Cap.SCHEME)) {
      throw new CapFormatException("not a Cairn cap: it must start with '" + Cap.SCHEME + "'");
    }
    String kind = kindOf(text);
    CapKind known = CapKind.byPrefix(kind);
    if (known == null) {
      return new UnknownCap(text);
    }
    FieldCursor fields = new FieldCursor(text, known, Cap.SCHEME.length() + kind.length());
    Cap cap = switch (known) {
      case LITERAL -> literal(fields);
      case LITERAL_DIRECTORY -> new LiteralDirectoryCap(literal(fields));
      case IMMUTABLE_READ -> immutableRead(fields);
      case IMMUTABLE_DIRECTORY_READ -> new ImmutableDirectoryReadCap(immutableRead(fields));
      case IMMUTABLE_VERIFY -> immutableVerify(fields);
      case IMMUTABLE_DIRECTORY_VERIFY -> new ImmutableDirectoryVerifyCap(immutableVerify(fields));
      case MUTABLE_WRITE -> mutableWrite(fields);
      case DIRECTORY_WRITE -> new DirectoryWriteCap(mutableWrite(fields));
      case MUTABLE_READ -> mutableRead(fields);
      case DIRECTORY_READ -> new DirectoryReadCap(mutableRead(fields));
      case MUTABLE_VERIFY -> mutableVerify(fields);
      case DIRECTORY_VERIFY -> new DirectoryVerifyCap(mutableVerify(fields));
      case CHUNKED_READ -> chunkedRead(fields);
      case CHUNKED_VERIFY -> chunkedVerify(fields);
    };
    fields.end();
    return cap;
  }

  /**
   * The kind: the text after {@code cairn:} up to the next colon or the end, which must match
   * {@code [a-z0-9.-]+}.
   */
  static String kindOf(String text) {
    int start = Cap.SCHEME.length();
    int end = text.indexOf(':', start);
    if (end < 0) {
      end = text.length();
    }
    if (end == start) {
      throw new CapFormatException("cap kind is empty at position " + start);
    }
    for (int i = start; i < end; i++) {
      char c = text.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-')) {
        throw new CapFormatException(
            "bad character '" + Base32.printable(c) + "' in cap kind at position " + i
                + " (kinds are [a-z0-9.-]+)");
      }
    }
    return text.substring(start, end);
  }

  private static LiteralCap literal(FieldCursor f) {
    int maxChars = Base32.encodedLength(LiteralCap.MAX_SIZE);
    f.next("literal data");
    if (f.length() > maxChars) {
      throw f.fault("is too long: " + f.length() + " characters, at most " + maxChars
          + " (" + LiteralCap.MAX_SIZE + " bytes)");
    }
    return new LiteralCap(f.base32());
  }

  private static ImmutableReadCap immutableRead(FieldCursor f) {
    byte[] key = f.next("key").bytes(Fields.KEY_LENGTH);
    byte[] extensionHash = f.next("extension hash").bytes(Fields.HASH_LENGTH);
    Params p = params(f);
    return new ImmutableReadCap(key, extensionHash, p.k, p.n, p.size);
  }

  private static ImmutableVerifyCap immutableVerify(FieldCursor f) {
    StorageIndex index = StorageIndex.of(f.next("storage index").bytes(StorageIndex.LENGTH));
    byte[] extensionHash = f.next("extension hash").bytes(Fields.HASH_LENGTH);
    Params p = params(f);
    return new ImmutableVerifyCap(index, extensionHash, p.k, p.n, p.size);
  }

  private static MutableWriteCap mutableWrite(FieldCursor f) {
    byte[] writeKey = f.next("write key").bytes(Fields.KEY_LENGTH);
    return new MutableWriteCap(writeKey, f.next("fingerprint").bytes(Fields.HASH_LENGTH));
  }

  private static MutableReadCap mutableRead(FieldCursor f) {
    byte[] readKey = f.next("read key").bytes(Fields.KEY_LENGTH);
    return new MutableReadCap(readKey, f.next("fingerprint").bytes(Fields.HASH_LENGTH));
  }

  private static MutableVerifyCap mutableVerify(FieldCursor f) {
    return new MutableVerifyCap(f.next("fingerprint").bytes(Fields.HASH_LENGTH));
  }

  private static ChunkedReadCap chunkedRead(FieldCursor f) {
    byte[] key = f.next("read key").bytes(Fields.KEY_LENGTH);
    byte[] extensionHash = f.next("extension hash").bytes(Fields.HASH_LENGTH);
    ChunkedParams p = chunkedParams(f);
    return new ChunkedReadCap(key, extensionHash, p.k, p.n, p.chunkSize, p.size);
  }

  private static ChunkedVerifyCap chunkedVerify(FieldCursor f) {
    byte[] key = f.next("manifest key").bytes(Fields.KEY_LENGTH);
    byte[] extensionHash = f.next("extension hash").bytes(Fields.HASH_LENGTH);
    ChunkedParams p = chunkedParams(f);
    return new ChunkedVerifyCap(key, extensionHash, p.k, p.n, p.chunkSize, p.size);
  }

  private record ChunkedParams(int k, int n, int chunkSize, long size) {}

  private static ChunkedParams chunkedParams(FieldCursor f) {
    long k = f.next("k").number();
    long n = f.next("n").number();
    long chunkSize = f.next("chunk size").number();
    long size = f.next("size").number();
    checkKn(f, k, n);
    if (chunkSize < ChunkedReadCap.MIN_CHUNK_SIZE || chunkSize > ChunkedReadCap.MAX_CHUNK_SIZE) {
      throw f.fault("chunk size", "must be in [" + ChunkedReadCap.MIN_CHUNK_SIZE + ", "
          + ChunkedReadCap.MAX_CHUNK_SIZE + "], got " + chunkSize);
    }
    if (size < 1) {
      throw f.fault("size", "must be at least 1, got " + size);
    }
    return new ChunkedParams((int) k, (int) n, (int) chunkSize, size);
  }

  private record Params(int k, int n, long size) {}

  private static Params params(FieldCursor f) {
    long k = f.next("k").number();
    long n = f.next("n").number();
    long size = f.next("size").number();
    checkKn(f, k, n);
    return new Params((int) k, (int) n, size);
  }

  private static void checkKn(FieldCursor f, long k, long n) {
    if (n > Fields.MAX_SHARES) {
      throw f.fault("n", "must be at most " + Fields.MAX_SHARES + ", got " + n);
    }
    if (k > n) {
      throw f.fault("k", "(" + k + ") must not exceed n (" + n + ")");
    }
    if (k < 1) {
      throw f.fault("k", "must be at least 1, got " + k);
    }
  }

  /**
   * Walks the colon-separated fields after the kind, remembering where the current one sits so
   * that faults can name it and point into the string.
   */
  private static final class FieldCursor {
    /** Long.MAX_VALUE has 19 digits. */
    private static final int MAX_DIGITS = 19;

    private final String text;
    private final CapKind kind;
    /** Index of the colon before the next field, or text.length() when none is left. */
    private int cursor;
    private String name = "kind";
    private int start;
    private int end;

    FieldCursor(String text, CapKind kind, int cursor) {
      this.text = text;
      this.kind = kind;
      this.cursor = cursor;
    }

    FieldCursor next(String field) {
      if (cursor >= text.length()) {
        throw new CapFormatException(
            label() + "missing field '" + field + "' at position " + text.length());
      }
      name = field;
      start = cursor + 1;
      int colon = text.indexOf(':', start);
      end = colon < 0 ? text.length() : colon;
      cursor = end;
      return this;
    }

    void end() {
      if (cursor < text.length()) {
        throw new CapFormatException(
            label() + "extra field at position " + (cursor + 1) + " after '" + name + "'");
      }
    }

    int length() {
      return end - start;
    }

    byte[] bytes(int byteCount) {
      int chars = Base32.encodedLength(byteCount);
      if (length() != chars) {
        throw fault("must be " + chars + " base32 characters (" + byteCount + " bytes), got "
            + length());
      }
      return base32();
    }

    byte[] base32() {
      try {
        return Base32.decode(text, start, end);
      } catch (IllegalArgumentException e) {
        throw fault("is not canonical base32: " + e.getMessage());
      }
    }

    long number() {
      if (length() == 0) {
        throw fault("is empty, expected a decimal number");
      }
      for (int i = start; i < end; i++) {
        char c = text.charAt(i);
        if (c < '0' || c > '9') {
          throw fault("is not a decimal number: bad character '" + Base32.printable(c)
              + "' at position " + i);
        }
      }
      if (text.charAt(start) == '0' && length() > 1) {
        throw fault("has a leading zero at position " + start);
      }
      if (length() > MAX_DIGITS) {
        throw fault("overflows: " + length() + " digits, the maximum is " + Long.MAX_VALUE);
      }
      try {
        return Long.parseLong(text, start, end, 10);
      } catch (NumberFormatException e) {
        throw fault("overflows: the maximum is " + Long.MAX_VALUE);
      }
    }

    CapFormatException fault(String what) {
      return fault(name, what);
    }

    CapFormatException fault(String field, String what) {
      return new CapFormatException(label() + field + " " + what);
    }

    private String label() {
      return Cap.SCHEME + kind.prefix() + " cap: ";
    }
  }
}
