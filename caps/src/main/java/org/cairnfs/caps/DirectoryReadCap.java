package org.cairnfs.caps;

import java.util.Optional;

/** Read authority over a directory: lists entries and yields read caps of children only. */
public record DirectoryReadCap(MutableReadCap file) implements Cap {
  public DirectoryReadCap {
    if (file == null) {
      throw new CapFormatException("DirectoryReadCap needs its file cap");
    }
  }

  @Override
  public DirectoryReadCap readOnly() {
    return this;
  }

  @Override
  public Optional<Cap> verifyCap() {
    return Optional.of(new DirectoryVerifyCap(new MutableVerifyCap(file.fingerprint())));
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
