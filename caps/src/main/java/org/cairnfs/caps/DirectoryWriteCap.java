package org.cairnfs.caps;

import java.util.Optional;

/** Write authority over a directory: a mutable file holding the entry list. */
public record DirectoryWriteCap(MutableWriteCap file) implements Cap {
  public DirectoryWriteCap {
    if (file == null) {
      throw new CapFormatException("DirectoryWriteCap needs its file cap");
    }
  }

  @Override
  public DirectoryReadCap readOnly() {
    return new DirectoryReadCap(file.readOnly());
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
  public boolean isWritable() {
    return true;
  }

  @Override
  public String toString() {
    return CapFormatter.format(this);
  }
}
