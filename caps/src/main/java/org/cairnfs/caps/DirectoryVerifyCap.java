package org.cairnfs.caps;

import java.util.Optional;

/** Verify authority over a directory. */
public record DirectoryVerifyCap(MutableVerifyCap file) implements DirectoryCap {
  public DirectoryVerifyCap {
    DirectoryCap.required(file, "DirectoryVerifyCap");
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
  public String toString() {
    return CapFormatter.format(this);
  }
}
