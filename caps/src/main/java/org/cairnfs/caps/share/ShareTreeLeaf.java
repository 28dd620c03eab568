package org.cairnfs.caps.share;

import java.nio.ByteBuffer;
import org.cairnfs.caps.crypto.Tag;
import org.cairnfs.caps.crypto.TaggedHash;

/**
 * The leaf a share contributes to its file's share tree: {@code H(SHARE, shareNumber u32 ||
 * blockTreeRoot)}. Immutable and mutable shares both bind their block tree to their number this
 * way (the share tree root then sits in the extension block or in the signed header), so the
 * definition lives once here.
 */
public final class ShareTreeLeaf {
  private ShareTreeLeaf() {}

  /** The share-tree leaf of share {@code shareNumber} whose block tree has root {@code root}. */
  public static byte[] of(int shareNumber, byte[] blockTreeRoot) {
    return TaggedHash.of(Tag.SHARE, ByteBuffer.allocate(4).putInt(shareNumber).array(),
        blockTreeRoot);
  }
}
