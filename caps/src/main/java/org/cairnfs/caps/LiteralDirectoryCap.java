package org.cairnfs.caps;

import java.util.Optional;

/** A tiny immutable directory carried whole inside its cap. */
public record LiteralDirectoryCap(LiteralCap file) implements Cap {
  public LiteralDirectoryCap {
    if (file == null) {
      throw new CapFormatException("LiteralDirectoryCap needs its file cap");
    }
  }

  @Override
  public LiteralDirectoryCap readOnly() {
    return this;
  }

  @Override
  public Optional<Cap> verifyCap() {
    return Optional.empty();
  }

  @Override
  public Optional<StorageIndex> storageIndex() {
    return file.storageIndex();
  }

  @Override
  public boolean isDirectory() {
    return true;
  }

  @Override
  public String toString() {
    return CapFormatter.format(this);
  }
}
