package org.cairnfs.caps;

import java.util.Optional;

/** Verify authority over an immutable directory. */
public record ImmutableDirectoryVerifyCap(ImmutableVerifyCap file) implements DirectoryCap {
  public ImmutableDirectoryVerifyCap {
    DirectoryCap.required(file, "ImmutableDirectoryVerifyCap");
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
  public String toString() {
    return CapFormatter.format(this);
  }
}
