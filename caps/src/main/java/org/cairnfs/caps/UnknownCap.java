package org.cairnfs.caps;

import java.util.Optional;

/**
 * A {@code cairn:} string of a kind this version does not know. It is kept verbatim and passed
 * on (for example as a directory entry) so that caps from newer versions survive older code.
 */
public record UnknownCap(String text) implements Cap {
  public UnknownCap {
    if (text == null || !text.startsWith(SCHEME)) {
      throw new CapFormatException("an unknown cap must still start with '" + SCHEME + "'");
    }
  }

  @Override
  public Cap readOnly() {
    return this;
  }

  @Override
  public Optional<Cap> verifyCap() {
    return Optional.empty();
  }

  @Override
  public Optional<StorageIndex> storageIndex() {
    return Optional.empty();
  }

  @Override
  public boolean isReadable() {
    return false;
  }

  @Override
  public String toString() {
    return text;
  }
}
