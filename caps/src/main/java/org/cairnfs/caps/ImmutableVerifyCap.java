package org.cairnfs.caps;

import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/** Verify authority over an immutable file: can check and repair shares, cannot decrypt. */
public record ImmutableVerifyCap(
    StorageIndex index, byte[] extensionHash, int k, int n, long size) implements Cap {
  public ImmutableVerifyCap {
    if (index == null) {
      throw new CapFormatException("storage index is missing");
    }
    extensionHash = Fields.exact("extension hash", extensionHash, Fields.HASH_LENGTH);
    Fields.params(k, n, size);
  }

  @Override
  public byte[] extensionHash() {
    return extensionHash.clone();
  }

  @Override
  public Cap readOnly() {
    return this;
  }

  @Override
  public Optional<Cap> verifyCap() {
    return Optional.of(this);
  }

  @Override
  public Optional<StorageIndex> storageIndex() {
    return Optional.of(index);
  }

  @Override
  public boolean isReadable() {
    return false;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ImmutableVerifyCap c && index.equals(c.index)
        && Arrays.equals(extensionHash, c.extensionHash) && k == c.k && n == c.n
        && size == c.size;
  }

  @Override
  public int hashCode() {
    return Objects.hash(index, Arrays.hashCode(extensionHash), k, n, size);
  }

  @Override
  public String toString() {
    return CapFormatter.format(this);
  }
}
