package org.cairnfs.caps.manifest;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.cairnfs.caps.Cap;
import org.cairnfs.caps.ImmutableReadCap;
import org.cairnfs.caps.LiteralCap;

/**
 * Builds the manifest of a new file as its chunks arrive in order, writing each node as soon as
 * it is full, so memory is at most one pending node per level (about 100 KB each, a few levels)
 * whatever the file size.
 *
 * <p>{@link #finish()} gives the file's cap: the empty literal for no chunks, the chunk's own cap
 * for a file of one stored or literal chunk (DESIGN: "a file of one chunk is just that
 * immutable file"), else a {@code cairn:cf-ro:} cap of the root node. The tree is the one
 * {@link ManifestGeometry} fixes, with every non-root node of holes collapsed, so the same
 * chunks give the same nodes and cap as any {@link ManifestEdit} reaching that content.
 */
public final class ManifestBuilder {
  private final int chunkSize;
  private final int fanout;
  private final NodeWriter writer;
  /** Pending entries per level: level 0 holds ChunkRefs, higher levels SubtreeRefs. */
  private final List<List<Object>> pending = new ArrayList<>();
  /** Nodes emitted so far per level, which fixes the next node's first chunk. */
  private final List<Long> emitted = new ArrayList<>();
  private long size;
  private long chunks;
  private boolean shortChunkSeen;
  private boolean finished;
  private SubtreeRef rootRef;

  public ManifestBuilder(int chunkSize, NodeStore store, NodeKeyPolicy policy) {
    this(ManifestGeometry.FANOUT, chunkSize, store, policy);
  }

  ManifestBuilder(int fanout, int chunkSize, NodeStore store, NodeKeyPolicy policy) {
    new ManifestGeometry(fanout, chunkSize, 0); // validates
    this.fanout = fanout;
    this.chunkSize = chunkSize;
    this.writer = new NodeWriter(store, policy);
  }

  /**
   * Appends the next chunk: exactly the chunk size, except a last chunk, which may be shorter.
   */
  public void add(ChunkRef chunk) throws IOException {
    if (finished) {
      throw new IllegalStateException("the manifest is finished");
    }
    if (shortChunkSeen) {
      throw new IllegalStateException("only the last chunk may be shorter than " + chunkSize);
    }
    if (chunk.length() > chunkSize) {
      throw new IllegalArgumentException("chunk " + chunks + " has " + chunk.length()
          + " bytes, more than the chunk size " + chunkSize);
    }
    if (chunk.length() > Long.MAX_VALUE - size) {
      throw new IllegalArgumentException("file would exceed 2^63-1 bytes");
    }
    shortChunkSeen = chunk.length() < chunkSize;
    size += chunk.length();
    chunks++;
    push(0, chunk);
  }

  /** Adds {@code entry} at {@code level}, first writing out that level's node if it is full. */
  private void push(int level, Object entry) throws IOException {
    while (pending.size() <= level) {
      pending.add(new ArrayList<>());
      emitted.add(0L);
    }
    List<Object> here = pending.get(level);
    if (here.size() == fanout) {
      emit(level, false);
    }
    here.add(entry);
  }

  /** Writes the pending node of {@code level} and pushes its ref one level up. */
  private void emit(int level, boolean root) throws IOException {
    List<Object> entries = pending.get(level);
    long covered = 0;
    for (Object e : entries) {
      covered += e instanceof ChunkRef c ? c.length() : ((SubtreeRef) e).length();
    }
    long nodeIndex = emitted.get(level);
    NodePosition position = new NodePosition(level,
        nodeIndex * ManifestGeometry.pow(fanout, level + 1), covered, chunkSize, fanout);
    SubtreeRef ref;
    if (level == 0) {
      List<ChunkRef> list = new ArrayList<>(entries.size());
      entries.forEach(e -> list.add((ChunkRef) e));
      ref = writer.leaf(position, list, root);
    } else {
      List<SubtreeRef> list = new ArrayList<>(entries.size());
      entries.forEach(e -> list.add((SubtreeRef) e));
      ref = writer.inner(position, list, root);
    }
    entries.clear();
    emitted.set(level, nodeIndex + 1);
    if (!root) {
      push(level + 1, ref);
    } else {
      rootRef = ref;
    }
  }

  /** Writes the remaining nodes and returns the file's cap. */
  public Cap finish() throws IOException {
    if (finished) {
      throw new IllegalStateException("the manifest is finished");
    }
    finished = true;
    if (chunks == 0) {
      return new LiteralCap(new byte[0]);
    }
    if (chunks == 1) {
      ChunkRef only = (ChunkRef) pending.get(0).get(0);
      if (only instanceof ChunkRef.Literal l) {
        return l.cap();
      } else if (only instanceof ChunkRef.Stored s) {
        return s.cap();
      }
    }
    ManifestGeometry geometry = new ManifestGeometry(fanout, chunkSize, size);
    int rootLevel = geometry.rootLevel();
    for (int level = 0; level < rootLevel; level++) {
      if (!pending.get(level).isEmpty()) {
        emit(level, false);
      }
    }
    emit(rootLevel, true);
    return NodeWriter.cap((SubtreeRef.Node) rootRef, geometry);
  }

  /** The node files written so far, in the order they were written. */
  public List<ImmutableReadCap> writtenNodes() {
    return writer.written();
  }
}
