package org.cairnfs.caps;

import java.util.Optional;

/** A directory frozen in an immutable file; it has no write form. */
public record ImmutableDirectoryReadCap(ImmutableReadCap file) implements Cap {
  public ImmutableDirectoryReadCap {
    if (file == null) {
      throw new CapFormatException("ImmutableDirectoryReadCap needs its file cap");
    }
  }

  @Override
  public ImmutableDirectoryReadCap readOnly() {
    return this;
  }

  @Override
  public Optional<Cap> verifyCap() {
    return Optional.of(new ImmutableDirectoryVerifyCap(file.verifier()));
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
