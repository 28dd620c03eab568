package org.cairnfs.caps;

import java.util.Arrays;
import java.util.Optional;
import org.cairnfs.caps.crypto.Tag;
import org.cairnfs.caps.crypto.TaggedHash;

/**
 * Write authority over a mutable slot: the write key (which decrypts the signing key stored in
 * the share) and the fingerprint of the verifying key (which pins the slot).
 */
public record MutableWriteCap(byte[] writeKey, byte[] fingerprint) implements Cap {
  public MutableWriteCap {
    writeKey = Fields.exact("write key", writeKey, Fields.KEY_LENGTH);
    fingerprint = Fields.exact("fingerprint", fingerprint, Fields.HASH_LENGTH);
  }

  @Override
  public byte[] writeKey() {
    return writeKey.clone();
  }

  @Override
  public byte[] fingerprint() {
    return fingerprint.clone();
  }

  @Override
  public MutableReadCap readOnly() {
    return new MutableReadCap(TaggedHash.of(Tag.MUTABLE_READ_KEY, writeKey), fingerprint);
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
  public boolean isWritable() {
    return true;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MutableWriteCap c && Arrays.equals(writeKey, c.writeKey)
        && Arrays.equals(fingerprint, c.fingerprint);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(writeKey) + Arrays.hashCode(fingerprint);
  }

  @Override
  public String toString() {
    return CapFormatter.format(this);
  }
}
