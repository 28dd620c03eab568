package org.cairnfs.caps.immutable;

import java.io.EOFException;
import java.io.IOException;
import java.security.MessageDigest;
import java.util.Arrays;
import org.cairnfs.caps.ImmutableReadCap;
import org.cairnfs.caps.crypto.Tag;
import org.cairnfs.caps.crypto.TaggedHash;
import org.cairnfs.caps.merkle.MerkleTree;
import org.cairnfs.caps.share.ShareSource;
import org.cairnfs.caps.share.ShareTreeLeaf;

/**
 * One share whose header, extension block and hash chain have been checked against a cap, and
 * which hands out blocks only after checking them against its block tree.
 *
 * <p>Leaf hashes are fetched and proved a run at a time (an aligned power-of-two range of
 * segments), so a sequential read pays one small proof per run instead of one per block. Not
 * thread-safe.
 */
final class VerifiedShare {
  /** This share cannot be used; the message says why. */
  static final class BadShareException extends Exception {
    BadShareException(String message) {
      super(message);
    }
  }

  private final int number;
  private final ShareSource source;
  private final ShareLayout layout;
  private final byte[] blockTreeRoot;
  private final TaggedHash blockHash = TaggedHash.start(Tag.BLOCK);
  private byte[] windowLeaves = new byte[0];
  private int windowFirst = -1;
  private int windowRun;

  private VerifiedShare(int number, ShareSource source, ShareLayout layout, byte[] root) {
    this.number = number;
    this.source = source;
    this.layout = layout;
    this.blockTreeRoot = root;
  }

  /** Fetches and checks the prefix and block tree root of share {@code number}. */
  static VerifiedShare open(int number, ShareSource source, ImmutableReadCap cap)
      throws BadShareException {
    try {
      byte[] prefix = source.read(0, (int) ShareLayout.prefixLength(cap.n()));
      ShareHeader header = ShareHeader.parse(prefix);
      if (header.shareNumber() != number) {
        throw new BadShareException("header says it is share " + header.shareNumber());
      }
      byte[] extensionBytes =
          Arrays.copyOfRange(prefix, ShareHeader.LENGTH, ShareHeader.LENGTH + ExtensionBlock.LENGTH);
      if (!MessageDigest.isEqual(TaggedHash.of(Tag.EXTENSION_BLOCK, extensionBytes),
          cap.extensionHash())) {
        throw new BadShareException("extension block does not match the cap");
      }
      ExtensionBlock extension = ExtensionBlock.parse(extensionBytes);
      EncodingParams params = extension.params();
      if (params.k() != cap.k() || params.n() != cap.n() || extension.fileSize() != cap.size()) {
        throw new BadShareException("extension block disagrees with the cap on k, n or size");
      }
      if (number >= params.n()) {
        throw new BadShareException("share number is not below n=" + params.n());
      }
      ShareLayout layout = ShareLayout.of(extension);
      if (!header.equals(layout.header(number))) {
        throw new BadShareException("header offsets do not match the layout " + layout);
      }
      byte[][] chain = ShareHashChain.parse(
          Arrays.copyOfRange(prefix, (int) layout.chainOffset(), prefix.length), params.n(),
          number);
      byte[] root = source.read(layout.blockTreeNodeOffset(0), MerkleTree.HASH_LENGTH);
      if (!MerkleTree.verify(extension.shareTreeRoot(), MerkleTree.leafNode(params.n(), number),
          ShareTreeLeaf.of(number, root), chain)) {
        throw new BadShareException("share hash chain does not lead to the share tree root");
      }
      return new VerifiedShare(number, source, layout, root);
    } catch (ShareFormatException e) {
      throw new BadShareException(e.getMessage());
    } catch (EOFException e) {
      throw new BadShareException("truncated: " + e.getMessage());
    } catch (IOException e) {
      throw new BadShareException("read failed: " + e);
    }
  }

  int number() {
    return number;
  }

  ShareLayout layout() {
    return layout;
  }

  /**
   * Reads the block of segment {@code s} into {@code dst} and checks it, proving the leaf
   * hashes of the aligned run of {@code run} segments around it if not done yet.
   */
  void readBlock(int s, int run, byte[] dst) throws BadShareException {
    try {
      if (windowFirst < 0 || s < windowFirst || s >= windowFirst + windowRun) {
        loadWindow(s, run);
      }
      int length = layout.blockLength(s);
      source.read(layout.blockOffset(s), dst, 0, length);
      byte[] hash = blockHash.update(dst, 0, length).finish();
      int at = (s - windowFirst) * MerkleTree.HASH_LENGTH;
      if (!Arrays.equals(hash, 0, hash.length, windowLeaves, at, at + hash.length)) {
        throw new BadShareException("block " + s + " does not match its hash");
      }
    } catch (EOFException e) {
      throw new BadShareException("truncated: " + e.getMessage());
    } catch (IOException e) {
      throw new BadShareException("read failed: " + e);
    }
  }

  private void loadWindow(int s, int wanted) throws IOException, BadShareException {
    int segments = layout.segmentCount();
    int run = Math.min(Integer.highestOneBit(Math.max(wanted, 1)), MerkleTree.width(segments));
    int first = s - s % run;
    int node = MerkleTree.runNode(segments, first, run);
    int[] proofNodes = MerkleTree.proofNodes(node);
    if (windowLeaves.length != run * MerkleTree.HASH_LENGTH) {
      windowLeaves = new byte[run * MerkleTree.HASH_LENGTH];
    }
    windowFirst = -1;
    source.read(layout.blockTreeNodeOffset(MerkleTree.leafNode(segments, first)), windowLeaves, 0,
        windowLeaves.length);
    byte[][] leaves = new byte[run][];
    for (int j = 0; j < run; j++) {
      leaves[j] = Arrays.copyOfRange(windowLeaves, j * MerkleTree.HASH_LENGTH,
          (j + 1) * MerkleTree.HASH_LENGTH);
    }
    byte[][] proof = new byte[proofNodes.length][];
    for (int i = 0; i < proofNodes.length; i++) {
      proof[i] = source.read(layout.blockTreeNodeOffset(proofNodes[i]), MerkleTree.HASH_LENGTH);
    }
    if (!MerkleTree.verify(blockTreeRoot, node, MerkleTree.runRoot(leaves, 0, run), proof)) {
      throw new BadShareException(
          "block hashes of segments " + first + ".." + (first + run - 1) + " do not prove");
    }
    windowFirst = first;
    windowRun = run;
  }
}
