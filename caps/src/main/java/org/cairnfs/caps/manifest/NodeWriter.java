package org.cairnfs.caps.manifest;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.cairnfs.caps.ChunkedReadCap;
import org.cairnfs.caps.ImmutableReadCap;

/**
 * Encodes nodes and puts them in the store, collapsing a non-root node of holes into a hole
 * entry (so the same content always makes the same tree) and remembering every file written.
 */
final class NodeWriter {
  private final NodeStore store;
  private final NodeKeyPolicy policy;
  private final List<ImmutableReadCap> written = new ArrayList<>();

  NodeWriter(NodeStore store, NodeKeyPolicy policy) {
    this.store = store;
    this.policy = policy;
  }

  SubtreeRef leaf(NodePosition position, List<ChunkRef> chunks, boolean root)
      throws IOException {
    if (!root && chunks.stream().allMatch(c -> c instanceof ChunkRef.Hole)) {
      return new SubtreeRef.Hole(position.coveredLength());
    }
    return put(position, ManifestCodec.encodeLeaf(position, chunks, policy, store.params()));
  }

  SubtreeRef inner(NodePosition position, List<SubtreeRef> subtrees, boolean root)
      throws IOException {
    if (!root && subtrees.stream().allMatch(c -> c instanceof SubtreeRef.Hole)) {
      return new SubtreeRef.Hole(position.coveredLength());
    }
    return put(position, ManifestCodec.encodeInner(position, subtrees, policy, store.params()));
  }

  private SubtreeRef put(NodePosition position, ManifestCodec.EncodedNode node)
      throws IOException {
    ImmutableReadCap file = store.put(node.plaintext(),
        ChunkedReadCap.manifestKeyOf(node.readKey()));
    if (file.size() != node.plaintext().length) {
      throw new IOException("node store returned a cap for " + file.size() + " bytes, not "
          + node.plaintext().length);
    }
    written.add(file);
    return new SubtreeRef.Node(node.readKey(), file, position.coveredLength());
  }

  /** The cap of a file whose root node is {@code root}. */
  static ChunkedReadCap cap(SubtreeRef.Node root, ManifestGeometry geometry) {
    ImmutableReadCap f = root.file();
    return new ChunkedReadCap(root.readKey(), f.extensionHash(), f.k(), f.n(),
        geometry.chunkSize(), geometry.fileSize());
  }

  List<ImmutableReadCap> written() {
    return Collections.unmodifiableList(written);
  }
}
