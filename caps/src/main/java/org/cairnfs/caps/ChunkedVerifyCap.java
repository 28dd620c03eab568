package org.cairnfs.caps;

import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import org.cairnfs.caps.crypto.Tag;
import org.cairnfs.caps.crypto.TaggedHash;

/**
 * Verify authority over a chunked file: decrypts the manifest nodes (chunk storage indexes,
 * extension hashes and parameters are readable inside them) so every chunk and node can be
 * checked and repaired, but holds no key that unseals a chunk key or literal data, so it reads
 * no file content (docs/specs/manifest.md, "Who learns what").
 *
 * @param manifestKey the root node file's immutable key, {@code H(MANIFEST_KEY, read key)}
 */
public record ChunkedVerifyCap(byte[] manifestKey, byte[] extensionHash, int k, int n,
    int chunkSize, long size) implements Cap {
  public ChunkedVerifyCap {
    manifestKey = Fields.exact("manifest key", manifestKey, Fields.KEY_LENGTH);
    extensionHash = Fields.exact("extension hash", extensionHash, Fields.HASH_LENGTH);
    Fields.params(k, n, size);
    Fields.chunked(chunkSize, size);
  }

  @Override
  public byte[] manifestKey() {
    return manifestKey.clone();
  }

  @Override
  public byte[] extensionHash() {
    return extensionHash.clone();
  }

  /** The root node file's storage index. */
  public StorageIndex index() {
    return StorageIndex.truncating(TaggedHash.of(Tag.IMMUTABLE_STORAGE_INDEX, manifestKey));
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
    return Optional.of(index());
  }

  /** False: it reads manifest nodes but no file content. */
  @Override
  public boolean isReadable() {
    return false;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ChunkedVerifyCap c && Arrays.equals(manifestKey, c.manifestKey)
        && Arrays.equals(extensionHash, c.extensionHash) && k == c.k && n == c.n
        && chunkSize == c.chunkSize && size == c.size;
  }

  @Override
  public int hashCode() {
    return Objects.hash(Arrays.hashCode(manifestKey), Arrays.hashCode(extensionHash), k, n,
        chunkSize, size);
  }

  @Override
  public String toString() {
    return CapFormatter.format(this);
  }
}
