package org.cairnfs.caps.immutable;

import java.io.EOFException;
import java.io.IOException;
import java.security.MessageDigest;
import java.util.Map;
import org.cairnfs.caps.ImmutableVerifyCap;
import org.cairnfs.caps.crypto.Tag;
import org.cairnfs.caps.crypto.TaggedHash;
import org.cairnfs.caps.share.ShareSource;
import org.cairnfs.caps.share.ShareStream;
import org.cairnfs.caps.share.StoredTree;

/**
 * Checks one immutable share that someone else stores against a cap, without the read key.
 *
 * <p>Why: a storage server cannot tell a genuine immutable share from garbage (it holds no cap),
 * so its "already held" answer to an allocation is a claim, not proof: anyone who learned the
 * storage index may have uploaded that share number first. An uploader must not count such a
 * share toward happiness, nor a checker call a file healthy, until the share checks out against
 * the cap; otherwise it uploads that share elsewhere.
 *
 * <p>Two depths: {@link #checkFront} reads the share's front (header, extension block, share
 * hash chain) and its block tree root, two small reads, and proves the share is share {@code
 * number} of this very file (extension block hash equals the cap's; chain leads to its share
 * tree root). {@link #checkAll} then reads the rest once, front to back, and proves every block
 * and every stored hash-tree node, so a share that passes serves every read. Neither can check
 * the segment tree's leaves, which commit to k shares' blocks together: decoders check those.
 */
public final class ShareCheck {
  private ShareCheck() {}

  /**
   * Checks that {@code share} is share {@code number} of the file {@code cap} names: its
   * extension block hashes to the cap's, parameters and size agree, offsets are the layout's,
   * and its share hash chain proves its block tree root. Does not read blocks.
   *
   * @return the verified layout (compare {@link ShareLayout#shareLength()} with the size the
   *     server reports)
   * @throws IntegrityException naming share {@code number} and the reason
   */
  public static ShareLayout checkFront(ImmutableVerifyCap cap, int number, ShareSource share)
      throws IntegrityException {
    return open(cap, number, share).layout();
  }

  /**
   * {@link #checkFront}, then every block against its block tree, every node of the block tree
   * and of the segment tree against its children, and the stored segment tree root against the
   * extension block's. Reads the whole share once through bounded buffers.
   *
   * @return the verified layout
   * @throws IntegrityException naming share {@code number} and the first wrong part
   */
  public static ShareLayout checkAll(ImmutableVerifyCap cap, int number, ShareSource share)
      throws IntegrityException {
    VerifiedShare front = open(cap, number, share);
    ShareLayout layout = front.layout();
    int segments = layout.segmentCount();
    try {
      StoredTree blockTree = new StoredTree(share, layout.blockTreeOffset(), segments);
      ShareStream blocks = ShareStream.of(share, layout.blocksOffset(),
          layout.shareLength() - layout.blocksOffset());
      TaggedHash blockHash = TaggedHash.start(Tag.BLOCK);
      int badLeaf = blockTree.firstBadLeaf(s -> {
        blocks.feed(blockHash, layout.blockLength(s));
        return blockHash.finish();
      });
      if (badLeaf >= 0) {
        throw bad(number, badLeaf < segments ? "block " + badLeaf + " does not match its hash"
            : "padding leaf " + badLeaf + " of the block tree is wrong");
      }
      int badNode = blockTree.firstBadInteriorNode();
      if (badNode >= 0) {
        throw bad(number, "block tree node " + badNode + " is not the hash of its children");
      }
      StoredTree segmentTree = new StoredTree(share, layout.segmentTreeOffset(), segments);
      if (!MessageDigest.isEqual(segmentTree.storedRoot(),
          front.extension().segmentTreeRoot())) {
        throw bad(number, "segment tree root differs from the extension block's");
      }
      badNode = segmentTree.firstBadInteriorNode();
      if (badNode >= 0) {
        throw bad(number, "segment tree node " + badNode + " is not the hash of its children");
      }
    } catch (EOFException e) {
      throw bad(number, "truncated: " + e.getMessage());
    } catch (IntegrityException e) {
      throw e;
    } catch (IOException e) {
      throw bad(number, IntegrityException.readFailure(e));
    }
    return layout;
  }

  private static VerifiedShare open(ImmutableVerifyCap cap, int number, ShareSource share)
      throws IntegrityException {
    if (number < 0 || number >= cap.n()) {
      throw bad(number, "share number is not below n=" + cap.n());
    }
    try {
      return VerifiedShare.open(number, share, cap.extensionHash(), cap.k(), cap.n(),
          cap.size());
    } catch (VerifiedShare.BadShareException e) {
      throw bad(number, e.getMessage());
    }
  }

  private static IntegrityException bad(int number, String reason) {
    return new IntegrityException("share " + number + " does not check out against its cap",
        Map.of(number, reason));
  }
}
