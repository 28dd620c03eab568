package org.cairnfs.caps;

import java.util.Arrays;
import java.util.Optional;

/** A tiny file carried whole inside its cap; nothing is stored on servers. */
public record LiteralCap(byte[] data) implements Cap {
  /** Files up to this size are carried in the cap instead of being uploaded. */
  public static final int MAX_SIZE = 55;

  public LiteralCap {
    if (data == null) {
      throw new CapFormatException("literal data is missing");
    }
    if (data.length > MAX_SIZE) {
      throw new CapFormatException(
          "literal data must be at most " + MAX_SIZE + " bytes, got " + data.length);
    }
    data = data.clone();
  }

  @Override
  public byte[] data() {
    return data.clone();
  }

  public long size() {
    return data.length;
  }

  @Override
  public Cap readOnly() {
    return this;
  }

  @Override
  public Optional<Cap> verifyCap() {
    return Optional.empty();
  }

  @Override
  public Optional<StorageIndex> storageIndex() {
    return Optional.empty();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LiteralCap c && Arrays.equals(data, c.data);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return CapFormatter.format(this);
  }
}
