package org.cairnfs.caps.mutable;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * Names one version of a mutable slot: its sequence number and share-hash-tree root. Two
 * writers who both publish seqnum 7 without seeing each other produce two different ids with
 * the same seqnum, which is how a collision is noticed.
 */
public record VersionId(long seqnum, byte[] rootHash) implements Comparable<VersionId> {
  public VersionId {
    if (rootHash == null || rootHash.length != 32) {
      throw new IllegalArgumentException("root hash must be 32 bytes");
    }
    rootHash = rootHash.clone();
  }

  @Override
  public byte[] rootHash() {
    return rootHash.clone();
  }

  /** Orders by seqnum, then by root hash bytes (an arbitrary but stable tie-break). */
  @Override
  public int compareTo(VersionId o) {
    int c = Long.compare(seqnum, o.seqnum);
    return c != 0 ? c : Arrays.compareUnsigned(rootHash, o.rootHash);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof VersionId v && seqnum == v.seqnum && Arrays.equals(rootHash, v.rootHash);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(seqnum) * 31 + Arrays.hashCode(rootHash);
  }

  @Override
  public String toString() {
    return "v" + seqnum + ":" + HexFormat.of().formatHex(rootHash, 0, 6);
  }
}
