package org.cairnfs.caps.mutable;

import java.io.IOException;
import org.cairnfs.caps.crypto.Tag;
import org.cairnfs.caps.crypto.TaggedHash;
import org.cairnfs.caps.merkle.MerkleTree;
import org.cairnfs.caps.mutable.SlotWriteRejectedException.Reason;
import org.cairnfs.caps.share.ShareSource;
import org.cairnfs.caps.share.ShareStream;
import org.cairnfs.caps.share.ShareTreeLeaf;
import org.cairnfs.caps.share.StoredTree;

/**
 * Proves that everything after a mutable share's front is what its signed root speaks for, with
 * no key: the block tree root and share hash chain reproduce the signed root, every stored leaf
 * is the hash of its block (or the padding hash), and every stored interior node is the hash of
 * its two children. Together these make the stored tree exactly the tree over the stored blocks,
 * so a reader can use any block of the share with any proof from it.
 *
 * <p>Streaming ({@link StoredTree}, {@link ShareStream}): a few buffers of memory, every block
 * byte hashed once, every tree node read about twice and hashed once.
 */
final class SlotShareContent {
  private SlotShareContent() {}

  /** @throws SlotWriteRejectedException HASH_MISMATCH naming the first wrong part */
  static void verify(MutableShare front, ShareSource source) throws IOException {
    ShareLayout layout = front.layout();
    SignedHeader header = front.header();
    int number = front.shareNumber();
    StoredTree tree = new StoredTree(source, layout.blockTreeOffset(), layout.segments());
    if (!MerkleTree.verify(header.rootHash(), MerkleTree.leafNode(header.n(), number),
        ShareTreeLeaf.of(number, tree.storedRoot()), front.chainUnsafe())) {
      throw mismatch("share " + number + ": block tree root and share hash chain do not "
          + "reproduce the signed root");
    }
    ShareStream blocks = ShareStream.of(source, layout.blocksOffset(),
        layout.end() - layout.blocksOffset());
    TaggedHash blockHash = TaggedHash.start(Tag.BLOCK);
    int badLeaf = tree.firstBadLeaf(j -> {
      blocks.feed(blockHash, layout.blockSize(j));
      return blockHash.finish();
    });
    if (badLeaf >= 0) {
      throw mismatch("share " + number + ": " + (badLeaf < layout.segments()
          ? "block " + badLeaf + " does not match its leaf"
          : "padding leaf " + badLeaf + " is not the padding hash") + " in the block hash tree");
    }
    int badNode = tree.firstBadInteriorNode();
    if (badNode >= 0) {
      throw mismatch("share " + number + ": block hash tree node " + badNode
          + " is not the hash of its children");
    }
  }

  private static SlotWriteRejectedException mismatch(String message) {
    return new SlotWriteRejectedException(Reason.HASH_MISMATCH, message);
  }
}
