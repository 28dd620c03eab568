package org.cairnfs.caps.mutable;

import java.io.IOException;
import java.security.MessageDigest;
import org.cairnfs.caps.crypto.Tag;
import org.cairnfs.caps.crypto.TaggedHash;
import org.cairnfs.caps.merkle.MerkleTree;
import org.cairnfs.caps.share.ShareSource;
import org.cairnfs.caps.share.ShareTreeLeaf;

/**
 * One share a reader is using, authenticated down to its block tree root: the header is signed
 * by the slot's key, the version is the one asked for, and the block tree root is proved
 * against the signed share-tree root by the share hash chain. Each block is then checked on its
 * own against that root, so reading costs O(log segments) hashes per block and no state that
 * grows with the file.
 */
final class ShareCandidate {
  private final int sourceIndex;
  private final ShareSource source;
  private final MutableShare share;
  private final byte[] blockTreeRoot;
  private final TaggedHash blockHash = TaggedHash.start(Tag.BLOCK);

  private ShareCandidate(int sourceIndex, ShareSource source, MutableShare share,
      byte[] blockTreeRoot) {
    this.sourceIndex = sourceIndex;
    this.source = source;
    this.share = share;
    this.blockTreeRoot = blockTreeRoot;
  }

  /**
   * Reads and authenticates the front of a share.
   *
   * @throws MutableIntegrityException if it is not a valid share of {@code version} of the
   *     slot {@code fingerprint}
   * @throws MutableShareFormatException if it is malformed
   * @throws IOException if the source fails
   */
  static ShareCandidate open(int sourceIndex, ShareSource source, byte[] fingerprint,
      VersionId version) throws IOException {
    MutableShare share = MutableShare.read(source);
    share.authenticate(fingerprint);
    if (!share.header().versionId().equals(version)) {
      throw new MutableIntegrityException("share " + share.shareNumber() + " holds version "
          + share.header().versionId() + ", not " + version);
    }
    ShareLayout layout = share.layout();
    byte[] root = source.read(layout.treeNodeOffset(0), ShareLayout.HASH);
    byte[] leaf = ShareTreeLeaf.of(share.shareNumber(), root);
    int node = MerkleTree.leafNode(share.header().n(), share.shareNumber());
    if (!MerkleTree.verify(share.header().rootHash(), node, leaf, share.chainUnsafe())) {
      throw new MutableIntegrityException("share " + share.shareNumber()
          + ": block tree root or share hash chain does not match the signed root");
    }
    return new ShareCandidate(sourceIndex, source, share, root);
  }

  /**
   * Reads block {@code segment} into {@code dst} and checks it against the block tree.
   *
   * @throws MutableIntegrityException if the block or its proof is wrong
   */
  void readVerifiedBlock(int segment, byte[] dst) throws IOException {
    ShareLayout layout = share.layout();
    int size = layout.blockSize(segment);
    source.read(layout.blockOffset(segment), dst, 0, size);
    int node = MerkleTree.leafNode(layout.segments(), segment);
    int[] proofNodes = MerkleTree.proofNodes(node);
    byte[][] proof = new byte[proofNodes.length][];
    for (int p = 0; p < proofNodes.length; p++) {
      proof[p] = source.read(layout.treeNodeOffset(proofNodes[p]), ShareLayout.HASH);
    }
    byte[] leaf = blockHash.update(dst, 0, size).finish();
    if (!MessageDigest.isEqual(MerkleTree.rootFromProof(node, leaf, proof), blockTreeRoot)) {
      throw new MutableIntegrityException("share " + share.shareNumber() + ": block "
          + segment + " does not match its block hash tree");
    }
  }

  int sourceIndex() {
    return sourceIndex;
  }

  int shareNumber() {
    return share.shareNumber();
  }

  SignedHeader header() {
    return share.header();
  }

  ShareLayout layout() {
    return share.layout();
  }
}
