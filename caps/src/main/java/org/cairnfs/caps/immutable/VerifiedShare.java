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
  private final ExtensionBlock extension;
  private final LeafWindow blockLeaves;
  private final TaggedHash blockHash = TaggedHash.start(Tag.BLOCK);

  private VerifiedShare(int number, ShareSource source, ShareLayout layout,
      ExtensionBlock extension, byte[] root) {
    this.number = number;
    this.source = source;
    this.layout = layout;
    this.extension = extension;
    this.blockLeaves = new LeafWindow(layout.segmentCount(), root);
  }

  /** Fetches and checks the prefix and block tree root of share {@code number}. */
  static VerifiedShare open(int number, ShareSource source, ImmutableReadCap cap)
      throws BadShareException {
    return open(number, source, cap.extensionHash(), cap.k(), cap.n(), cap.size());
  }

  /**
   * As {@link #open(int, ShareSource, ImmutableReadCap)} with what any immutable cap pins (a
   * verify cap holder can run it).
   */
  static VerifiedShare open(int number, ShareSource source, byte[] extensionHash, int k, int n,
      long size) throws BadShareException {
    try {
      byte[] prefix = source.read(0, (int) ShareLayout.prefixLength(n));
      ShareHeader header = ShareHeader.parse(prefix);
      if (header.shareNumber() != number) {
        throw new BadShareException("header says it is share " + header.shareNumber());
      }
      byte[] extensionBytes =
          Arrays.copyOfRange(prefix, ShareHeader.LENGTH, ShareHeader.LENGTH + ExtensionBlock.LENGTH);
      if (!MessageDigest.isEqual(TaggedHash.of(Tag.EXTENSION_BLOCK, extensionBytes),
          extensionHash)) {
        throw new BadShareException("extension block does not match the cap");
      }
      ExtensionBlock extension = ExtensionBlock.parse(extensionBytes);
      EncodingParams params = extension.params();
      if (params.k() != k || params.n() != n || extension.fileSize() != size) {
        throw new BadShareException("extension block disagrees with the cap on k, n or size");
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
      return new VerifiedShare(number, source, layout, extension, root);
    } catch (ShareFormatException e) {
      throw new BadShareException(e.getMessage());
    } catch (EOFException e) {
      throw new BadShareException("truncated: " + e.getMessage());
    } catch (IOException e) {
      throw new BadShareException(IntegrityException.readFailure(e));
    }
  }

  int number() {
    return number;
  }

  ShareLayout layout() {
    return layout;
  }

  /** The verified extension block (identical in every share of the file). */
  ExtensionBlock extension() {
    return extension;
  }

  /** Where the share's bytes come from, so a decoder can reopen it later. */
  ShareSource source() {
    return source;
  }

  /**
   * Reads the block of segment {@code s} into {@code dst} and checks it, proving the leaf
   * hashes of the aligned run of {@code run} segments around it if not done yet.
   */
  void readBlock(int s, int run, byte[] dst) throws BadShareException {
    try {
      if (!blockLeaves.covers(s)
          && !blockLeaves.load(source, layout::blockTreeNodeOffset, s, run)) {
        throw new BadShareException(
            "block hashes of segments " + blockLeaves.describe(s, run) + " do not prove");
      }
      int length = layout.blockLength(s);
      source.read(layout.blockOffset(s), dst, 0, length);
      if (!blockLeaves.matches(s, blockHash.update(dst, 0, length).finish())) {
        throw new BadShareException("block " + s + " does not match its hash");
      }
    } catch (EOFException e) {
      throw new BadShareException("truncated: " + e.getMessage());
    } catch (IOException e) {
      throw new BadShareException(IntegrityException.readFailure(e));
    }
  }

  /** Feeds the verified leaf hash of the block {@link #readBlock} last read for {@code s}. */
  void feedBlockLeaf(int s, TaggedHash into) {
    into.update(blockLeaves.bytes(), blockLeaves.offsetOf(s), MerkleTree.HASH_LENGTH);
  }

  /**
   * Proves the segment hashes of the run around {@code s} into {@code window} from this share's
   * copy of the segment tree.
   */
  void loadSegmentHashes(LeafWindow window, int s, int run) throws BadShareException {
    try {
      if (!window.load(source, layout::segmentTreeNodeOffset, s, run)) {
        throw new BadShareException(
            "segment hashes of segments " + window.describe(s, run) + " do not prove");
      }
    } catch (EOFException e) {
      throw new BadShareException("truncated: " + e.getMessage());
    } catch (IOException e) {
      throw new BadShareException(IntegrityException.readFailure(e));
    }
  }
}
