package org.cairnfs.caps;

import java.util.Optional;

/** Verify authority over an immutable directory. */
public record ImmutableDirectoryVerifyCap(ImmutableVerifyCap file) implements Cap {
  public ImmutableDirectoryVerifyCap {
    if (file == null) {
      throw new CapFormatException("ImmutableDirectoryVerifyCap needs its file cap");
    }
  }

  @Override
  public ImmutableDirectoryVerifyCap readOnly() {
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
