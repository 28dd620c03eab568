package org.cairnfs.storage.share;

import java.util.Optional;
import org.cairnfs.caps.StorageIndex;

/**
 * Names one share held by a server: storage index, kind and share number.
 *
 * <p>Only this type turns into file names and database keys, and it can be built only with a
 * share number in 0..255, so nothing a client sends can name a path outside the storage dir.
 */
public record ShareKey(StorageIndex index, ShareKind kind, int shareNumber) {
  /** Largest share number: shares are numbered by one byte, as n is at most 256. */
  public static final int MAX_SHARE_NUMBER = 255;

  /** Length of {@link #toBytes()}. */
  public static final int ENCODED_LENGTH = StorageIndex.LENGTH + 2;

  public ShareKey {
    if (index == null || kind == null) {
      throw new IllegalArgumentException("share key needs a storage index and a kind");
    }
    checkShareNumber(shareNumber);
  }

  public static ShareKey immutable(StorageIndex index, int shareNumber) {
    return new ShareKey(index, ShareKind.IMMUTABLE, shareNumber);
  }

  public static ShareKey mutable(StorageIndex index, int shareNumber) {
    return new ShareKey(index, ShareKind.MUTABLE, shareNumber);
  }

  /** Throws unless {@code shareNumber} is in 0..255. */
  private static void checkShareNumber(int shareNumber) {
    if (shareNumber < 0 || shareNumber > MAX_SHARE_NUMBER) {
      throw new IllegalArgumentException(
          "share number must be in 0.." + MAX_SHARE_NUMBER + ", got " + shareNumber);
    }
  }

  /** The share's file name inside its storage index directory, e.g. {@code 7} or {@code m7}. */
  public String fileName() {
    return kind.filePrefix() + shareNumber;
  }

  /**
   * Parses a file name made by {@link #fileName()}; empty for anything else (stray files, temp
   * files, non-canonical numbers such as {@code 07}).
   */
  public static Optional<ShareKey> fromFileName(StorageIndex index, String name) {
    ShareKind kind = name.startsWith(ShareKind.MUTABLE.filePrefix())
        ? ShareKind.MUTABLE : ShareKind.IMMUTABLE;
    String digits = name.substring(kind.filePrefix().length());
    if (digits.isEmpty() || digits.length() > 3 || (digits.length() > 1 && digits.charAt(0) == '0')) {
      return Optional.empty();
    }
    int number = 0;
    for (int i = 0; i < digits.length(); i++) {
      char c = digits.charAt(i);
      if (c < '0' || c > '9') {
        return Optional.empty();
      }
      number = number * 10 + (c - '0');
    }
    if (number > MAX_SHARE_NUMBER) {
      return Optional.empty();
    }
    return Optional.of(new ShareKey(index, kind, number));
  }

  /** Database key: 16 bytes of storage index, kind code, share number. */
  public byte[] toBytes() {
    byte[] out = new byte[ENCODED_LENGTH];
    System.arraycopy(index.toBytes(), 0, out, 0, StorageIndex.LENGTH);
    out[StorageIndex.LENGTH] = kind.code();
    out[StorageIndex.LENGTH + 1] = (byte) shareNumber;
    return out;
  }

  /** Inverse of {@link #toBytes()}. */
  public static ShareKey fromBytes(byte[] bytes) {
    if (bytes.length != ENCODED_LENGTH) {
      throw new IllegalArgumentException(
          "share key must be " + ENCODED_LENGTH + " bytes, got " + bytes.length);
    }
    byte[] si = java.util.Arrays.copyOf(bytes, StorageIndex.LENGTH);
    return new ShareKey(StorageIndex.of(si), ShareKind.ofCode(bytes[StorageIndex.LENGTH]),
        bytes[StorageIndex.LENGTH + 1] & 0xff);
  }

  @Override
  public String toString() {
    return index + "/" + fileName();
  }
}
