package org.cairnfs.caps;

import java.util.Optional;

/** A directory frozen in an immutable file; it has no write form. */
public record ImmutableDirectoryReadCap(ImmutableReadCap file) implements DirectoryCap {
  public ImmutableDirectoryReadCap {
    DirectoryCap.required(file, "ImmutableDirectoryReadCap");
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
  public String toString() {
    return CapFormatter.format(this);
  }
}
