package org.cairnfs.caps;

import java.util.Arrays;

/**
 * The 16-byte name under which servers keep the shares of one file or slot.
 *
 * <p>It is derived one-way from a key (immutable files) or from the verifying-key fingerprint
 * (mutable files), so it reveals nothing about the content and anyone holding a verify cap can
 * compute it. Its text form is 26 characters of base32, also used as the on-disk directory name.
 */
public final class StorageIndex implements Comparable<StorageIndex> {
  public static final int LENGTH = 16;
  private final byte[] bytes;

  private StorageIndex(byte[] bytes) {
    this.bytes = bytes;
  }

  /** Wraps exactly 16 bytes (copied). */
  public static StorageIndex of(byte[] bytes) {
    if (bytes.length != LENGTH) {
      throw new IllegalArgumentException(
          "storage index must be " + LENGTH + " bytes, got " + bytes.length);
    }
    return new StorageIndex(bytes.clone());
  }

  /** Takes the first 16 bytes of a longer hash. */
  public static StorageIndex truncating(byte[] hash) {
    if (hash.length < LENGTH) {
      throw new IllegalArgumentException("hash too short for a storage index: " + hash.length);
    }
    return new StorageIndex(Arrays.copyOf(hash, LENGTH));
  }

  /** Parses the 26-character base32 form. */
  public static StorageIndex parse(String text) {
    if (text.length() != Base32.encodedLength(LENGTH)) {
      throw new IllegalArgumentException(
          "storage index must be " + Base32.encodedLength(LENGTH) + " base32 characters, got "
              + text.length());
    }
    return new StorageIndex(Base32.decode(text));
  }

  public byte[] toBytes() {
    return bytes.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StorageIndex other && Arrays.equals(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public int compareTo(StorageIndex o) {
    return Arrays.compareUnsigned(bytes, o.bytes);
  }

  /** The base32 form. */
  @Override
  public String toString() {
    return Base32.encode(bytes);
  }
}
