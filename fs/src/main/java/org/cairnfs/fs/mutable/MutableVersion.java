package org.cairnfs.fs.mutable;

import org.cairnfs.caps.mutable.VersionId;

/**
 * One version of a mutable file as read or published: its plaintext and which version it is.
 *
 * @param contents the plaintext (the caller's copy)
 * @param version seqnum and root hash of the version
 */
public record MutableVersion(byte[] contents, VersionId version) {
  public MutableVersion {
    contents = contents.clone();
  }

  @Override
  public byte[] contents() {
    return contents.clone();
  }

  public long seqnum() {
    return version.seqnum();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MutableVersion v && version.equals(v.version)
        && java.util.Arrays.equals(contents, v.contents);
  }

  @Override
  public int hashCode() {
    return version.hashCode();
  }

  @Override
  public String toString() {
    return "MutableVersion[" + version + ", " + contents.length + " bytes]";
  }
}
