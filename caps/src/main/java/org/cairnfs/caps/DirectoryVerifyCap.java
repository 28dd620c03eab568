package org.cairnfs.caps;

import java.util.Optional;

/** Verify authority over a directory. */
public record DirectoryVerifyCap(MutableVerifyCap file) implements Cap {
  public DirectoryVerifyCap {
    if (file == null) {
      throw new CapFormatException("DirectoryVerifyCap needs its file cap");
    }
  }

  @Override
  public DirectoryVerifyCap readOnly() {
    return this;
  }

  @Override
  public Optional<Cap> verifyCap() {
    return Optional.of(this);
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
  public boolean isReadable() {
    return false;
  }

  @Override
  public String toString() {
    return CapFormatter.format(this);
  }
}
