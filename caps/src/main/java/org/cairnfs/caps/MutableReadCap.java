package org.cairnfs.caps;

import java.util.Arrays;
import java.util.Optional;

/** Read authority over a mutable slot: the read key and the verifying-key fingerprint. */
public record MutableReadCap(byte[] readKey, byte[] fingerprint) implements Cap {
  public MutableReadCap {
    readKey = Fields.exact("read key", readKey, Fields.KEY_LENGTH);
    fingerprint = Fields.exact("fingerprint", fingerprint, Fields.HASH_LENGTH);
  }

  @Override
  public byte[] readKey() {
    return readKey.clone();
  }

  @Override
  public byte[] fingerprint() {
    return fingerprint.clone();
  }

  @Override
  public MutableReadCap readOnly() {
    return this;
  }

  @Override
  public Optional<Cap> verifyCap() {
    return Optional.of(new MutableVerifyCap(fingerprint));
  }

  @Override
  public Optional<StorageIndex> storageIndex() {
    return Optional.of(MutableVerifyCap.indexOf(fingerprint));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MutableReadCap c && Arrays.equals(readKey, c.readKey)
        && Arrays.equals(fingerprint, c.fingerprint);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(readKey) + Arrays.hashCode(fingerprint);
  }

  @Override
  public String toString() {
    return CapFormatter.format(this);
  }
}
