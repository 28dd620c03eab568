package org.cairnfs.caps;

import java.util.Arrays;
import java.util.Optional;
import org.cairnfs.caps.crypto.Tag;
import org.cairnfs.caps.crypto.TaggedHash;

/**
 * Verify authority over a mutable slot: the verifying-key fingerprint alone, from which the
 * storage index follows and against which every version's signature is checked.
 */
public record MutableVerifyCap(byte[] fingerprint) implements Cap {
  public MutableVerifyCap {
    fingerprint = Fields.exact("fingerprint", fingerprint, Fields.HASH_LENGTH);
  }

  /** H(mutable-storage-index, fingerprint) truncated to 16 bytes. */
  public static StorageIndex indexOf(byte[] fingerprint) {
    return StorageIndex.truncating(TaggedHash.of(Tag.MUTABLE_STORAGE_INDEX, fingerprint));
  }

  @Override
  public byte[] fingerprint() {
    return fingerprint.clone();
  }

  @Override
  public MutableVerifyCap readOnly() {
    return this;
  }

  @Override
  public Optional<Cap> verifyCap() {
    return Optional.of(this);
  }

  @Override
  public Optional<StorageIndex> storageIndex() {
    return Optional.of(indexOf(fingerprint));
  }

  @Override
  public boolean isReadable() {
    return false;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MutableVerifyCap c && Arrays.equals(fingerprint, c.fingerprint);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(fingerprint);
  }

  @Override
  public String toString() {
    return CapFormatter.format(this);
  }
}
