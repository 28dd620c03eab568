package org.cairnfs.caps;

import java.util.Optional;

/** A tiny immutable directory carried whole inside its cap. */
public record LiteralDirectoryCap(LiteralCap file) implements DirectoryCap {
  public LiteralDirectoryCap {
    DirectoryCap.required(file, "LiteralDirectoryCap");
  }

  @Override
  public LiteralDirectoryCap readOnly() {
    return this;
  }

  @Override
  public Optional<Cap> verifyCap() {
    return Optional.empty();
  }

  @Override
  public String toString() {
    return CapFormatter.format(this);
  }
}
