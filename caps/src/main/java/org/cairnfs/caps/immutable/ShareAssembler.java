package org.cairnfs.caps.immutable;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.cairnfs.caps.crypto.Tag;
import org.cairnfs.caps.crypto.TaggedHash;
import org.cairnfs.caps.erasure.ErasureCodec;
import org.cairnfs.caps.merkle.MerkleTree;
import org.cairnfs.caps.merkle.MerkleTreeBuilder;
import org.cairnfs.caps.share.ShareSink;
import org.cairnfs.caps.share.ShareTreeLeaf;

/**
 * Turns a file's ciphertext, one segment's k data blocks at a time, into n complete shares:
 * erasure-codes the parity blocks, streams every block and hash-tree node to its share as it
 * completes, and writes each share's front (header, extension block, share hash chain) last.
 *
 * <p>Why a class of its own: the encoder (ciphertext from plaintext under a key) and the
 * rebuilder (ciphertext from any k verified shares, no key) must produce byte-identical shares,
 * so both feed the same assembler. Memory: n block buffers plus O(n log segments) tree state.
 * Not thread-safe; one assembler per encoding.
 */
final class ShareAssembler {
  private final EncodingParams params;
  private final long size;
  private final ShareLayout layout;
  private final ErasureCodec codec;
  private final byte[][] blocks;
  private final ShareSink[] sinks;
  private final MerkleTreeBuilder[] trees;
  private final MerkleTreeBuilder segmentTree;
  private final TaggedHash blockHash = TaggedHash.start(Tag.BLOCK);
  private final TaggedHash segmentHash = TaggedHash.start(Tag.SEGMENT);
  private int nextSegment;
  private byte[][] shareTree;

  /** Opens the n sinks from {@code factory} and prepares the trees. */
  ShareAssembler(EncodingParams params, long size, ImmutableEncoder.ShareSinkFactory factory)
      throws IOException {
    this.params = params;
    this.size = size;
    this.layout = ShareLayout.of(params, size);
    int n = params.n();
    this.codec = ErasureCodec.of(params.k(), n);
    this.blocks = new byte[n][layout.maxBlockLength()];
    this.sinks = new ShareSink[n];
    this.trees = new MerkleTreeBuilder[n];
    for (int i = 0; i < n; i++) {
      ShareSink sink = factory.open(i, layout.shareLength());
      sinks[i] = sink;
      trees[i] = new MerkleTreeBuilder(layout.segmentCount(),
          sink.treeNodesAt(layout::blockTreeNodeOffset));
    }
    MerkleTreeBuilder.NodeSink[] each = new MerkleTreeBuilder.NodeSink[n];
    for (int i = 0; i < n; i++) {
      each[i] = sinks[i].treeNodesAt(layout::segmentTreeNodeOffset);
    }
    this.segmentTree = new MerkleTreeBuilder(layout.segmentCount(), (node, hash) -> {
      for (MerkleTreeBuilder.NodeSink sink : each) {
        sink.node(node, hash);
      }
    });
  }

  ShareLayout layout() {
    return layout;
  }

  /**
   * The block buffers: before {@link #addSegment} the caller fills {@code blocks()[0..k)} with
   * the segment's ciphertext data blocks, {@code layout().blockLength(s)} bytes each, the part
   * past the segment's end zeroed.
   */
  byte[][] blocks() {
    return blocks;
  }

  /** Codes, writes and hashes the next segment from the data blocks the caller filled. */
  void addSegment() throws IOException {
    int s = nextSegment++;
    int k = params.k();
    int blockLength = layout.blockLength(s);
    codec.encode(blocks, 0, blockLength);
    long offset = layout.blockOffset(s);
    for (int i = 0; i < sinks.length; i++) {
      sinks[i].write(offset, blocks[i], 0, blockLength);
      byte[] leaf = blockHash.update(blocks[i], 0, blockLength).finish();
      trees[i].add(leaf);
      if (i < k) {
        segmentHash.update(leaf);
      }
    }
    segmentTree.add(segmentHash.finish());
  }

  /**
   * The extension block of the shares assembled, once every segment was added; its hash is
   * what a cap of these shares pins.
   */
  ExtensionBlock extension() {
    if (nextSegment != layout.segmentCount()) {
      throw new IllegalStateException(nextSegment + " of " + layout.segmentCount()
          + " segments added");
    }
    List<byte[]> shareLeaves = new ArrayList<>(sinks.length);
    for (int i = 0; i < sinks.length; i++) {
      shareLeaves.add(ShareTreeLeaf.of(i, trees[i].root()));
    }
    shareTree = MerkleTree.allNodes(shareLeaves);
    return new ExtensionBlock(params, size, layout.segmentCount(), shareTree[0],
        segmentTree.root());
  }

  /** Writes every share's front and closes its sink: the shares are complete. */
  void finish(ExtensionBlock extension) throws IOException {
    byte[] extensionBytes = extension.encode();
    int n = sinks.length;
    for (int i = 0; i < n; i++) {
      sinks[i].write(layout.chainOffset(), ShareHashChain.encode(n, i, shareTree));
      sinks[i].write(layout.extensionOffset(), extensionBytes);
      sinks[i].write(0, layout.header(i).encode());
      sinks[i].close();
    }
  }
}
