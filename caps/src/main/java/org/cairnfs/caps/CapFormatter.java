package org.cairnfs.caps;

/**
 * Formats caps to their canonical strings (grammar in docs/specs/caps.md).
 *
 * <p>Every record validated its fields on construction, so formatting cannot fail; the output
 * is the one string {@link CapParser} accepts for that cap.
 */
final class CapFormatter {
  private CapFormatter() {}

  static String format(Cap cap) {
    if (cap instanceof LiteralCap c) {
      return literal(CapKind.LITERAL, c);
    } else if (cap instanceof LiteralDirectoryCap c) {
      return literal(CapKind.LITERAL_DIRECTORY, c.file());
    } else if (cap instanceof ImmutableReadCap c) {
      return immutableRead(CapKind.IMMUTABLE_READ, c);
    } else if (cap instanceof ImmutableDirectoryReadCap c) {
      return immutableRead(CapKind.IMMUTABLE_DIRECTORY_READ, c.file());
    } else if (cap instanceof ImmutableVerifyCap c) {
      return immutableVerify(CapKind.IMMUTABLE_VERIFY, c);
    } else if (cap instanceof ImmutableDirectoryVerifyCap c) {
      return immutableVerify(CapKind.IMMUTABLE_DIRECTORY_VERIFY, c.file());
    } else if (cap instanceof MutableWriteCap c) {
      return mutableWrite(CapKind.MUTABLE_WRITE, c);
    } else if (cap instanceof DirectoryWriteCap c) {
      return mutableWrite(CapKind.DIRECTORY_WRITE, c.file());
    } else if (cap instanceof MutableReadCap c) {
      return mutableRead(CapKind.MUTABLE_READ, c);
    } else if (cap instanceof DirectoryReadCap c) {
      return mutableRead(CapKind.DIRECTORY_READ, c.file());
    } else if (cap instanceof MutableVerifyCap c) {
      return mutableVerify(CapKind.MUTABLE_VERIFY, c);
    } else if (cap instanceof DirectoryVerifyCap c) {
      return mutableVerify(CapKind.DIRECTORY_VERIFY, c.file());
    } else if (cap instanceof ChunkedReadCap c) {
      return chunked(CapKind.CHUNKED_READ, c.readKey(), c.extensionHash(), c.k(), c.n(),
          c.chunkSize(), c.size());
    } else if (cap instanceof ChunkedVerifyCap c) {
      return chunked(CapKind.CHUNKED_VERIFY, c.manifestKey(), c.extensionHash(), c.k(), c.n(),
          c.chunkSize(), c.size());
    } else if (cap instanceof UnknownCap c) {
      return c.text();
    }
    throw new IllegalStateException("no string form for " + cap.getClass().getName());
  }

  private static StringBuilder start(CapKind kind) {
    return new StringBuilder(160).append(Cap.SCHEME).append(kind.prefix());
  }

  private static String literal(CapKind kind, LiteralCap c) {
    return start(kind).append(':').append(Base32.encode(c.data())).toString();
  }

  private static String immutableRead(CapKind kind, ImmutableReadCap c) {
    return start(kind).append(':').append(Base32.encode(c.key()))
        .append(':').append(Base32.encode(c.extensionHash()))
        .append(':').append(c.k()).append(':').append(c.n()).append(':').append(c.size())
        .toString();
  }

  private static String immutableVerify(CapKind kind, ImmutableVerifyCap c) {
    return start(kind).append(':').append(c.index())
        .append(':').append(Base32.encode(c.extensionHash()))
        .append(':').append(c.k()).append(':').append(c.n()).append(':').append(c.size())
        .toString();
  }

  private static String chunked(CapKind kind, byte[] key, byte[] extensionHash, int k, int n,
      int chunkSize, long size) {
    return start(kind).append(':').append(Base32.encode(key))
        .append(':').append(Base32.encode(extensionHash))
        .append(':').append(k).append(':').append(n).append(':').append(chunkSize)
        .append(':').append(size).toString();
  }

  private static String mutableWrite(CapKind kind, MutableWriteCap c) {
    return start(kind).append(':').append(Base32.encode(c.writeKey()))
        .append(':').append(Base32.encode(c.fingerprint())).toString();
  }

  private static String mutableRead(CapKind kind, MutableReadCap c) {
    return start(kind).append(':').append(Base32.encode(c.readKey()))
        .append(':').append(Base32.encode(c.fingerprint())).toString();
  }

  private static String mutableVerify(CapKind kind, MutableVerifyCap c) {
    return start(kind).append(':').append(Base32.encode(c.fingerprint())).toString();
  }
}
