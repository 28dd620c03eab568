package org.cairnfs.caps.manifest;

/**
 * Where a manifest node sits: its level (0 = entries are chunks), the first chunk it covers and
 * how many bytes of the file it covers. Each entry of a level-L node covers F^L chunks (the
 * last one possibly fewer), so entry count, entry lengths, child positions and the node's
 * byte length all follow.
 */
public record NodePosition(int level, long firstChunk, long coveredLength, int chunkSize,
    int fanout) {
  public NodePosition {
    if (level < 0 || firstChunk < 0 || coveredLength < 1 || chunkSize < 1 || fanout < 2) {
      throw new IllegalArgumentException("bad node position: level " + level + ", first chunk "
          + firstChunk + ", covered " + coveredLength);
    }
  }

  public boolean isLeaf() {
    return level == 0;
  }

  public long chunksCovered() {
    return ManifestGeometry.ceilDiv(coveredLength, chunkSize);
  }

  /** Chunks under one entry: F^level (saturating). */
  public long entrySpan() {
    return ManifestGeometry.pow(fanout, level);
  }

  /** Entries of this node (may exceed the fanout for a position that cannot exist). */
  public long entryCount() {
    return ManifestGeometry.ceilDiv(chunksCovered(), entrySpan());
  }

  /** Bytes of the file under entry {@code c}. */
  public long entryLength(int c) {
    long spanBytes = ManifestGeometry.mulSat(entrySpan(), chunkSize);
    if (c < 0 || c >= entryCount()) {
      throw new IndexOutOfBoundsException("entry " + c + " of " + entryCount());
    }
    return c == 0 ? Math.min(spanBytes, coveredLength)
        : Math.min(spanBytes, coveredLength - c * spanBytes);
  }

  /** The file index of the chunk under entry {@code c} of a leaf. */
  public long chunkIndex(int c) {
    if (!isLeaf()) {
      throw new IllegalStateException("a level-" + level + " node holds no chunks");
    }
    entryLength(c);
    return firstChunk + c;
  }

  /** The position of the node under entry {@code c} of an inner node. */
  public NodePosition child(int c) {
    if (isLeaf()) {
      throw new IllegalStateException("a leaf has no child nodes");
    }
    long length = entryLength(c);
    return new NodePosition(level - 1, firstChunk + c * entrySpan(), length, chunkSize, fanout);
  }

  /** Byte length of the node's plaintext. */
  public int nodeLength() {
    return ManifestCodec.HEADER_LENGTH
        + (int) entryCount() * (isLeaf() ? ManifestCodec.LEAF_ENTRY_LENGTH
            : ManifestCodec.INNER_ENTRY_LENGTH);
  }

  /** Whether this position covers chunk {@code index}. */
  boolean covers(long index) {
    return index >= firstChunk && index - firstChunk < chunksCovered();
  }
}
