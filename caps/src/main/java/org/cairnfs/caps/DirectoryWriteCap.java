package org.cairnfs.caps;

import java.util.Optional;

/** Write authority over a directory: a mutable file holding the entry list. */
public record DirectoryWriteCap(MutableWriteCap file) implements DirectoryCap {
  public DirectoryWriteCap {
    DirectoryCap.required(file, "DirectoryWriteCap");
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
  public String toString() {
    return CapFormatter.format(this);
  }
}
