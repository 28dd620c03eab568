package org.cairnfs.fs.client;

/**
 * One version of a mutable file as a frontend sees it: its bytes and a tag that changes with
 * every published version (the seqnum and a prefix of the root hash), so the gateway can give
 * it an ETag without echoing the cap.
 *
 * @param contents the plaintext (the caller's copy)
 * @param seqnum the version's sequence number
 * @param versionTag {@code <seqnum>-<hex of the root hash's first 8 bytes>}
 */
public record MutableContents(byte[] contents, long seqnum, String versionTag) {
  public MutableContents {
    if (contents == null || versionTag == null || seqnum < 0) {
      throw new IllegalArgumentException("mutable contents need bytes, a seqnum >= 0 and a tag");
    }
    contents = contents.clone();
  }

  @Override
  public byte[] contents() {
    return contents.clone();
  }

  /** The contents without a copy, for a reader that does not change them. */
  byte[] shared() {
    return contents;
  }

  public int size() {
    return contents.length;
  }
}
