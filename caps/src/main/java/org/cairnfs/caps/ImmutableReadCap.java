package org.cairnfs.caps;

import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import org.cairnfs.caps.crypto.Tag;
import org.cairnfs.caps.crypto.TaggedHash;

/**
 * Read authority over an immutable file: the AES key plus everything needed to find and verify
 * its shares (the extension block hash pins the whole share set).
 */
public record ImmutableReadCap(byte[] key, byte[] extensionHash, int k, int n, long size)
    implements Cap {
  public ImmutableReadCap {
    key = Fields.exact("key", key, Fields.KEY_LENGTH);
    extensionHash = Fields.exact("extension hash", extensionHash, Fields.HASH_LENGTH);
    Fields.params(k, n, size);
  }

  @Override
  public byte[] key() {
    return key.clone();
  }

  @Override
  public byte[] extensionHash() {
    return extensionHash.clone();
  }

  /** The storage index: H(immutable-storage-index, key) truncated to 16 bytes. */
  public StorageIndex index() {
    return StorageIndex.truncating(TaggedHash.of(Tag.IMMUTABLE_STORAGE_INDEX, key));
  }

  @Override
  public Cap readOnly() {
    return this;
  }

  @Override
  public Optional<Cap> verifyCap() {
    return Optional.of(verifier());
  }

  public ImmutableVerifyCap verifier() {
    return new ImmutableVerifyCap(index(), extensionHash, k, n, size);
  }

  @Override
  public Optional<StorageIndex> storageIndex() {
    return Optional.of(index());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ImmutableReadCap c && Arrays.equals(key, c.key)
        && Arrays.equals(extensionHash, c.extensionHash) && k == c.k && n == c.n
        && size == c.size;
  }

  @Override
  public int hashCode() {
    return Objects.hash(Arrays.hashCode(key), Arrays.hashCode(extensionHash), k, n, size);
  }

  @Override
  public String toString() {
    return CapFormatter.format(this);
  }
}
