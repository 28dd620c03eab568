package org.cairnfs.caps.dirnode;

import java.util.Arrays;

/**
 * A child's write cap as stored in a directory: {@code nonce (12) || AES-256-GCM ciphertext ||
 * tag (16)}. Opaque to read-cap holders; {@link ChildWriteCapKey#open} turns it back into the
 * cap for write-cap holders.
 */
public record SealedWriteCap(byte[] box) {
  static final int NONCE_LENGTH = 12;
  static final int TAG_LENGTH = 16;
  static final int MIN_LENGTH = NONCE_LENGTH + TAG_LENGTH + 1;
  static final int MAX_LENGTH = NONCE_LENGTH + TAG_LENGTH + DirectoryEntry.MAX_CAP_LENGTH;

  public SealedWriteCap {
    if (box == null || box.length < MIN_LENGTH || box.length > MAX_LENGTH) {
      throw new DirectoryFormatException("a sealed write cap must be " + MIN_LENGTH + ".."
          + MAX_LENGTH + " bytes, got " + (box == null ? "none" : box.length));
    }
    box = box.clone();
  }

  @Override
  public byte[] box() {
    return box.clone();
  }

  byte[] boxUnsafe() {
    return box;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SealedWriteCap s && Arrays.equals(box, s.box);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(box);
  }

  @Override
  public String toString() {
    return "SealedWriteCap[" + box.length + " bytes]";
  }
}
