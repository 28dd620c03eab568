package org.cairnfs.caps.manifest;

import java.io.IOException;
import java.util.List;
import org.cairnfs.caps.Cap;
import org.cairnfs.caps.ChunkedReadCap;
import org.cairnfs.caps.ChunkedVerifyCap;
import org.cairnfs.caps.ImmutableReadCap;
import org.cairnfs.caps.LiteralCap;

/**
 * Walks a manifest tree, fetching only the nodes it needs, one per level at a time, so memory
 * stays at a few nodes whatever the file size.
 */
public final class ManifestWalk {
  private ManifestWalk() {}

  /** Receives chunks in file order. */
  @FunctionalInterface
  public interface ChunkVisitor {
    void chunk(long index, ChunkRef chunk) throws IOException;
  }

  /** Receives what a verifier must check, depth first; a node before its entries. */
  @FunctionalInterface
  public interface VerifyVisitor {
    void entry(VerifyEntry entry) throws IOException;
  }

  /**
   * Visits chunks {@code [first, end)} of {@code file} (a chunked, immutable or literal cap;
   * the last two are one chunk), fetching only the nodes over that range. A range read asks
   * {@link ManifestGeometry#touching} for the range first.
   */
  public static void chunks(Cap file, NodeStore store, long first, long end, ChunkVisitor v)
      throws IOException {
    chunks(ManifestGeometry.FANOUT, file, store, first, end, v);
  }

  static void chunks(int fanout, Cap file, NodeStore store, long first, long end,
      ChunkVisitor v) throws IOException {
    if (first < 0 || end < first) {
      throw new IllegalArgumentException("bad chunk range [" + first + ", " + end + ")");
    }
    if (file instanceof ChunkedReadCap c) {
      ManifestGeometry g = new ManifestGeometry(fanout, c.chunkSize(), c.size());
      if (end > g.chunkCount()) {
        throw new IndexOutOfBoundsException("chunk " + (end - 1) + " of a file of "
            + g.chunkCount() + " chunks");
      }
      if (first == end) {
        return;
      }
      SubtreeRef.Node root = new SubtreeRef.Node(c.readKey(), ManifestCodec.rootFile(
          c.manifestKey(), c.extensionHash(), c.k(), c.n(), g), c.size());
      walk(root, g.root(), store, first, end, v);
    } else if (file instanceof LiteralCap l && l.size() == 0) {
      if (end > 0) {
        throw new IndexOutOfBoundsException("an empty file has no chunks");
      }
    } else {
      ChunkRef only = ChunkRef.of(file);
      if (end > 1) {
        throw new IndexOutOfBoundsException("a one-chunk file has no chunk " + (end - 1));
      }
      if (first == 0 && end == 1) {
        v.chunk(0, only);
      }
    }
  }

  private static void walk(SubtreeRef ref, NodePosition position, NodeStore store, long first,
      long end, ChunkVisitor v) throws IOException {
    long from = Math.max(first, position.firstChunk());
    long to = Math.min(end, position.firstChunk() + position.chunksCovered());
    if (from >= to) {
      return;
    }
    if (ref instanceof SubtreeRef.Hole) {
      for (long i = from; i < to; i++) {
        v.chunk(i, new ChunkRef.Hole(chunkLength(position, i)));
      }
      return;
    }
    SubtreeRef.Node node = (SubtreeRef.Node) ref;
    ManifestNode parsed = ManifestCodec.decode(store.get(node.file()), position);
    if (position.isLeaf()) {
      List<ChunkRef> chunks = parsed.chunks(node.readKey());
      for (long i = from; i < to; i++) {
        v.chunk(i, chunks.get((int) (i - position.firstChunk())));
      }
      return;
    }
    List<SubtreeRef> children = parsed.subtrees(node.readKey());
    long span = position.entrySpan();
    int c0 = (int) ((from - position.firstChunk()) / span);
    int c1 = (int) ((to - 1 - position.firstChunk()) / span);
    for (int c = c0; c <= c1; c++) {
      walk(children.get(c), position.child(c), store, first, end, v);
    }
  }

  private static long chunkLength(NodePosition position, long index) {
    long offsetInNode = (index - position.firstChunk()) * position.chunkSize();
    return Math.min(position.chunkSize(), position.coveredLength() - offsetInNode);
  }

  /**
   * Visits everything a verify-cap holder checks: the root node file first, then depth first
   * each entry of each node (child node files before their entries). Nodes are fetched through
   * {@code store}, which verifies them; chunks are only listed.
   */
  public static void verify(ChunkedVerifyCap cap, NodeStore store, VerifyVisitor v)
      throws IOException {
    ManifestGeometry g = ManifestGeometry.of(cap.chunkSize(), cap.size());
    VerifyEntry.Node root = new VerifyEntry.Node(ManifestCodec.rootFile(cap), g.root());
    v.entry(root);
    verifyNode(root, store, v);
  }

  private static void verifyNode(VerifyEntry.Node node, NodeStore store, VerifyVisitor v)
      throws IOException {
    ImmutableReadCap file = node.file();
    ManifestNode parsed = ManifestCodec.decode(store.get(file), node.position());
    for (VerifyEntry e : parsed.verifyEntries()) {
      v.entry(e);
      if (e instanceof VerifyEntry.Node child) {
        verifyNode(child, store, v);
      }
    }
  }
}
