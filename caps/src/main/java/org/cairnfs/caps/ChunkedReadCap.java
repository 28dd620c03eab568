package org.cairnfs.caps;

import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import org.cairnfs.caps.crypto.Tag;
import org.cairnfs.caps.crypto.TaggedHash;

/**
 * Read authority over a chunked file: a file stored as a sequence of chunks (immutable files,
 * literals or holes) listed by a manifest (docs/specs/manifest.md).
 *
 * <p>The read key opens the manifest's root node: {@code H(MANIFEST_KEY, readKey)} is the
 * immutable key of the root node file (so its storage index follows), and {@code
 * H(MANIFEST_SEAL_KEY, readKey)} unseals the chunk keys inside it. The extension hash, k and n
 * pin and find the root node file; chunk size and file size fix the shape of the manifest
 * tree, so the root node's length follows from them. There is no write form: a changed file
 * is a new manifest and a new cap.
 */
public record ChunkedReadCap(byte[] readKey, byte[] extensionHash, int k, int n, int chunkSize,
    long size) implements Cap {
  /** Smallest chunk size: above {@link LiteralCap#MAX_SIZE}, so only a last chunk is short. */
  public static final int MIN_CHUNK_SIZE = 4096;
  /** Largest chunk size (1 GiB). */
  public static final int MAX_CHUNK_SIZE = 1 << 30;

  public ChunkedReadCap {
    readKey = Fields.exact("read key", readKey, Fields.KEY_LENGTH);
    extensionHash = Fields.exact("extension hash", extensionHash, Fields.HASH_LENGTH);
    Fields.params(k, n, size);
    Fields.chunked(chunkSize, size);
  }

  /** {@code H(MANIFEST_KEY, readKey)}: the immutable key of a manifest node file. */
  public static byte[] manifestKeyOf(byte[] readKey) {
    return TaggedHash.of(Tag.MANIFEST_KEY, readKey);
  }

  @Override
  public byte[] readKey() {
    return readKey.clone();
  }

  @Override
  public byte[] extensionHash() {
    return extensionHash.clone();
  }

  /** The immutable key of the root node file: {@code H(MANIFEST_KEY, readKey)}. */
  public byte[] manifestKey() {
    return manifestKeyOf(readKey);
  }

  /** The root node file's storage index: H(IMMUTABLE_STORAGE_INDEX, manifest key)[:16]. */
  public StorageIndex index() {
    return StorageIndex.truncating(TaggedHash.of(Tag.IMMUTABLE_STORAGE_INDEX, manifestKey()));
  }

  @Override
  public Cap readOnly() {
    return this;
  }

  @Override
  public Optional<Cap> verifyCap() {
    return Optional.of(verifier());
  }

  public ChunkedVerifyCap verifier() {
    return new ChunkedVerifyCap(manifestKey(), extensionHash, k, n, chunkSize, size);
  }

  @Override
  public Optional<StorageIndex> storageIndex() {
    return Optional.of(index());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ChunkedReadCap c && Arrays.equals(readKey, c.readKey)
        && Arrays.equals(extensionHash, c.extensionHash) && k == c.k && n == c.n
        && chunkSize == c.chunkSize && size == c.size;
  }

  @Override
  public int hashCode() {
    return Objects.hash(Arrays.hashCode(readKey), Arrays.hashCode(extensionHash), k, n,
        chunkSize, size);
  }

  @Override
  public String toString() {
    return CapFormatter.format(this);
  }
}
