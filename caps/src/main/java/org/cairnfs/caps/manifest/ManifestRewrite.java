package org.cairnfs.caps.manifest;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import org.cairnfs.caps.Cap;
import org.cairnfs.caps.ImmutableReadCap;
import org.cairnfs.caps.LiteralCap;

/**
 * One application of a {@link ManifestEdit}: walks the old tree along the paths to changed
 * chunks and the file's end, writes the new nodes there, reuses every other subtree by
 * reference, and records which old nodes and chunks the new version no longer uses. Used once.
 */
final class ManifestRewrite {
  private final int fanout;
  private final int chunkSize;
  private final long newSize;
  /** The chunks put, by index; read, never changed. */
  private final NavigableMap<Long, ChunkRef> puts;
  private final NodeStore store;
  private final NodeWriter writer;
  private final ManifestGeometry geometry;
  private final int oldRootLevel;
  private final Prior oldPrior;
  private final Set<ImmutableReadCap> releasedNodes = new LinkedHashSet<>();
  private final Set<Cap> releasedChunks = new LinkedHashSet<>();

  ManifestRewrite(ManifestGeometry oldGeometry, ManifestGeometry newGeometry,
      SubtreeRef oldRoot, ChunkRef oldSingle, NavigableMap<Long, ChunkRef> puts,
      NodeStore store, NodeKeyPolicy policy) {
    this.fanout = newGeometry.fanout();
    this.chunkSize = newGeometry.chunkSize();
    this.newSize = newGeometry.fileSize();
    this.puts = puts;
    this.store = store;
    this.writer = new NodeWriter(store, policy);
    this.geometry = newGeometry;
    if (oldRoot != null) {
      oldRootLevel = oldGeometry.rootLevel();
      oldPrior = Prior.of(oldRoot);
    } else if (oldSingle != null) {
      oldRootLevel = 0;
      oldPrior = new Prior(null, oldSingle);
    } else {
      oldRootLevel = -1;
      oldPrior = null;
    }
  }

  /** Writes the changed nodes and returns the new version (see {@link ManifestEdit#apply}). */
  EditResult run() throws IOException {
    for (Map.Entry<Long, ChunkRef> e : puts.entrySet()) {
      if (e.getKey() >= geometry.chunkCount()) {
        throw new IllegalArgumentException("chunk " + e.getKey() + " lies past the end of a "
            + newSize + "-byte file (" + geometry.chunkCount() + " chunks)");
      }
    }
    if (newSize == 0) {
      releaseWhole(oldPrior);
      return result(new LiteralCap(new byte[0]));
    }
    Prior rootPrior = rootPrior(geometry.rootLevel());
    NodePosition root = geometry.root();
    if (geometry.chunkCount() == 1) {
      List<ChunkRef> only = leafEntries(root, rootPrior);
      ChunkRef chunk = only.get(0);
      if (chunk instanceof ChunkRef.Literal l) {
        return result(l.cap());
      } else if (chunk instanceof ChunkRef.Stored s) {
        return result(s.cap());
      }
      return result(NodeWriter.cap((SubtreeRef.Node) writer.leaf(root, only, true),
          geometry));
    }
    SubtreeRef built = build(root, rootPrior, true);
    return result(NodeWriter.cap((SubtreeRef.Node) built, geometry));
  }

  private EditResult result(Cap file) {
    releasedNodes.removeAll(writer.written());
    for (ChunkRef c : puts.values()) {
      if (c instanceof ChunkRef.Stored s) {
        releasedChunks.remove(s.cap());
      }
    }
    releasedChunks.remove(file);
    return new EditResult(file, writer.written(), new ArrayList<>(releasedNodes),
        new ArrayList<>(releasedChunks));
  }

  /** The old version's subtree at the new root's position (descending if the tree shrank). */
  private Prior rootPrior(int rootLevel) throws IOException {
    if (oldPrior == null || oldRootLevel < rootLevel) {
      return null;
    }
    Prior p = oldPrior;
    for (int level = oldRootLevel; level > rootLevel; level--) {
      List<SubtreeRef> children = priorChildren(
          new NodePosition(level, 0, p.length(), chunkSize, fanout), p);
      for (int c = 1; c < children.size(); c++) {
        release(children.get(c));
      }
      p = Prior.of(children.get(0));
    }
    return p;
  }

  private SubtreeRef build(NodePosition position, Prior prior, boolean root)
      throws IOException {
    if (prior != null && prior.ref() != null && prior.length() == position.coveredLength()
        && !changed(position) && (!root || prior.ref() instanceof SubtreeRef.Node)) {
      if (!root && prior == oldPrior && prior.ref() instanceof SubtreeRef.Node node
          && allHoles(node, position)) {
        // The old root moved down a level; a root of holes is kept, a child is collapsed.
        release(node);
        return new SubtreeRef.Hole(position.coveredLength());
      }
      return prior.ref();
    }
    if (position.isLeaf()) {
      return writer.leaf(position, leafEntries(position, prior), root);
    }
    List<SubtreeRef> old = priorChildren(position, prior);
    int count = (int) position.entryCount();
    List<SubtreeRef> children = new ArrayList<>(count);
    for (int c = 0; c < count; c++) {
      Prior childPrior;
      if (c < old.size()) {
        childPrior = Prior.of(old.get(c));
      } else if (prior == null && c == 0 && position.firstChunk() == 0
          && position.level() - 1 == oldRootLevel) {
        childPrior = oldPrior; // the tree grew a level: the old root is now child 0
      } else {
        childPrior = null;
      }
      children.add(build(position.child(c), childPrior, false));
    }
    for (int c = count; c < old.size(); c++) {
      release(old.get(c));
    }
    return writer.inner(position, children, root);
  }

  private boolean allHoles(SubtreeRef.Node node, NodePosition position) throws IOException {
    return ManifestCodec.decode(store.get(node.file()), position).verifyEntries().stream()
        .allMatch(e -> e instanceof VerifyEntry.Hole);
  }

  private boolean changed(NodePosition position) {
    Long next = puts.ceilingKey(position.firstChunk());
    return next != null && next - position.firstChunk() < position.chunksCovered();
  }

  private List<ChunkRef> leafEntries(NodePosition position, Prior prior) throws IOException {
    List<ChunkRef> old;
    if (prior == null) {
      old = List.of();
    } else if (prior.single() != null) {
      old = List.of(prior.single());
    } else if (prior.ref() instanceof SubtreeRef.Node node) {
      old = load(node, position.level(), position.firstChunk()).chunks(node.readKey());
    } else {
      NodePosition was = oldPosition(position, prior);
      old = new ArrayList<>();
      for (int c = 0; c < was.entryCount(); c++) {
        old.add(new ChunkRef.Hole(was.entryLength(c)));
      }
    }
    int count = (int) position.entryCount();
    List<ChunkRef> out = new ArrayList<>(count);
    for (int c = 0; c < count; c++) {
      out.add(chunk(position.chunkIndex(c), position.entryLength(c),
          c < old.size() ? old.get(c) : null));
    }
    for (int c = count; c < old.size(); c++) {
      releaseChunk(old.get(c));
    }
    return out;
  }

  private ChunkRef chunk(long index, long length, ChunkRef old) {
    ChunkRef put = puts.get(index);
    if (put != null) {
      if (put.length() != length) {
        throw new IllegalArgumentException("chunk " + index + " must be " + length
            + " bytes in a " + newSize + "-byte file, got " + put.length());
      }
      if (old != null && !old.equals(put)) {
        releaseChunk(old);
      }
      return put;
    }
    if (old == null) {
      return new ChunkRef.Hole(length);
    }
    if (old.length() == length) {
      return old;
    }
    if (old instanceof ChunkRef.Hole) {
      return new ChunkRef.Hole(length);
    }
    throw new IllegalStateException("chunk " + index + " changes from " + old.length()
        + " to " + length + " bytes with the new size: put its new content");
  }

  private List<SubtreeRef> priorChildren(NodePosition position, Prior prior)
      throws IOException {
    if (prior == null) {
      return List.of();
    }
    if (prior.ref() instanceof SubtreeRef.Node node) {
      return load(node, position.level(), position.firstChunk()).subtrees(node.readKey());
    }
    NodePosition was = oldPosition(position, prior);
    List<SubtreeRef> holes = new ArrayList<>();
    for (int c = 0; c < was.entryCount(); c++) {
      holes.add(new SubtreeRef.Hole(was.entryLength(c)));
    }
    return holes;
  }

  private NodePosition oldPosition(NodePosition position, Prior prior) {
    return new NodePosition(position.level(), position.firstChunk(), prior.length(),
        chunkSize, fanout);
  }

  /** Fetches an old node that this edit replaces, and marks it released. */
  private ManifestNode load(SubtreeRef.Node node, int level, long firstChunk)
      throws IOException {
    NodePosition at = new NodePosition(level, firstChunk, node.length(), chunkSize, fanout);
    ManifestNode parsed = ManifestCodec.decode(store.get(node.file()), at);
    releasedNodes.add(node.file());
    return parsed;
  }

  private void release(SubtreeRef ref) {
    if (ref instanceof SubtreeRef.Node n) {
      releasedNodes.add(n.file());
    }
  }

  private void releaseChunk(ChunkRef chunk) {
    Cap cap = capOf(chunk);
    if (cap instanceof ImmutableReadCap) {
      releasedChunks.add(cap);
    }
  }

  private void releaseWhole(Prior prior) {
    if (prior == null) {
      return;
    }
    if (prior.single() != null) {
      releaseChunk(prior.single());
    } else {
      release(prior.ref());
    }
  }

  /** What the old version had at one position: a subtree, or the one chunk of a flat file. */
  private record Prior(SubtreeRef ref, ChunkRef single) {
    static Prior of(SubtreeRef ref) {
      return ref == null ? null : new Prior(ref, null);
    }

    long length() {
      return ref != null ? ref.length() : single.length();
    }
  }

  private static Cap capOf(ChunkRef chunk) {
    if (chunk instanceof ChunkRef.Stored s) {
      return s.cap();
    } else if (chunk instanceof ChunkRef.Literal l) {
      return l.cap();
    }
    return null;
  }
}
