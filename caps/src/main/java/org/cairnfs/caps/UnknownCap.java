package org.cairnfs.caps;

import java.util.Optional;

/**
 * A {@code cairn:} string of a kind this version does not know. It is kept verbatim and passed
 * on (for example as a directory entry) so that caps from newer versions survive older code.
 *
 * <p>Its authority is unknown, so it is treated as the strongest it could be: {@link
 * #readOnly()} returns it only when its kind ends in {@code -ro} or {@code -v} (the suffixes
 * every read and verify kind carries, now and in future versions) and otherwise throws {@link
 * UnknownCapAuthorityException}. A caller building a read-only view (a directory read cap's
 * listing, a share link) must drop or refuse such an entry rather than leak a possible write
 * cap.
 */
public record UnknownCap(String text) implements Cap {
  public UnknownCap {
    if (text == null || !text.startsWith(SCHEME)) {
      throw new CapFormatException("an unknown cap must still start with '" + SCHEME + "'");
    }
    if (text.length() > CapParser.MAX_LENGTH) {
      throw new CapFormatException(
          "cap string is too long: " + text.length() + " characters, the maximum is "
              + CapParser.MAX_LENGTH);
    }
    String kind = CapParser.kindOf(text);
    if (CapKind.byPrefix(kind) != null) {
      throw new CapFormatException(
          "kind '" + kind + "' is known to this version; parse it with Cap.parse");
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        throw new CapFormatException(
            "cairn:" + kind + " cap: bad character '" + Base32.printable(c) + "' at position "
                + i + " (caps are printable ASCII without spaces)");
      }
    }
  }

  /** The kind: the text between {@code cairn:} and the next colon. */
  public String kind() {
    return CapParser.kindOf(text);
  }

  /**
   * This cap, when its kind ends in {@code -ro} or {@code -v} and so names read or verify
   * authority.
   *
   * @throws UnknownCapAuthorityException for any other kind, which might grant write authority
   */
  @Override
  public UnknownCap readOnly() {
    String kind = kind();
    if (kind.endsWith("-ro") || kind.endsWith("-v")) {
      return this;
    }
    throw new UnknownCapAuthorityException(kind);
  }

  @Override
  public Optional<Cap> verifyCap() {
    return Optional.empty();
  }

  @Override
  public Optional<StorageIndex> storageIndex() {
    return Optional.empty();
  }

  /** False: this version can use none of the authority it may carry. */
  @Override
  public boolean isReadable() {
    return false;
  }

  @Override
  public String toString() {
    return text;
  }
}
