package org.cairnfs.caps;

import java.util.Optional;

/** Read authority over a directory: lists entries and yields read caps of children only. */
public record DirectoryReadCap(MutableReadCap file) implements DirectoryCap {
  public DirectoryReadCap {
    DirectoryCap.required(file, "DirectoryReadCap");
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
  public String toString() {
    return CapFormatter.format(this);
  }
}
