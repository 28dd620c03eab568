package org.cairnfs.caps.manifest;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.OptionalLong;
import java.util.TreeMap;
import org.cairnfs.caps.Cap;
import org.cairnfs.caps.ChunkedReadCap;
import org.cairnfs.caps.LiteralCap;

/**
 * A new version of a file from an old one: chunks replaced or appended ({@link #put}), the
 * size changed ({@link #resize}: truncation drops chunks, growth adds holes). {@link #apply}
 * rewrites only the nodes on paths to changed chunks and along the file's end, reusing every
 * other subtree by reference: a one-chunk change to a 200 GiB file at 4 MiB chunks writes one
 * leaf (85 KB) and the root (5 KB).
 *
 * <p>The result is the tree {@link ManifestBuilder} would build from the same chunks, so with
 * convergent node keys the same content gets the same cap however it was reached.
 *
 * <p>Chunk lengths follow from the size. A resize can change the length of one chunk present in
 * both versions ({@link #chunkNeedingContent()}): unless it is a hole, the caller must {@link
 * #put} its new content, or {@link #apply} refuses.
 */
public final class ManifestEdit {
  private final int fanout;
  private final int chunkSize;
  private final long oldSize;
  /** The old root node, or null when the old file is empty or one chunk. */
  private final SubtreeRef oldRoot;
  /** The old file's one chunk, when it was not chunked. */
  private final ChunkRef oldSingle;
  private final TreeMap<Long, ChunkRef> puts = new TreeMap<>();
  private long newSize;

  private ManifestEdit(int fanout, int chunkSize, long oldSize, SubtreeRef oldRoot,
      ChunkRef oldSingle) {
    new ManifestGeometry(fanout, chunkSize, oldSize); // validates
    this.fanout = fanout;
    this.chunkSize = chunkSize;
    this.oldSize = oldSize;
    this.oldRoot = oldRoot;
    this.oldSingle = oldSingle;
    this.newSize = oldSize;
  }

  /** Edits a chunked file. */
  public static ManifestEdit of(ChunkedReadCap file) {
    return of(ManifestGeometry.FANOUT, file);
  }

  static ManifestEdit of(int fanout, ChunkedReadCap file) {
    ManifestGeometry g = new ManifestGeometry(fanout, file.chunkSize(), file.size());
    SubtreeRef.Node root = new SubtreeRef.Node(file.readKey(),
        ManifestCodec.rootFile(file.manifestKey(), file.extensionHash(), file.k(), file.n(), g),
        file.size());
    return new ManifestEdit(fanout, file.chunkSize(), file.size(), root, null);
  }

  /**
   * Edits any file cap at {@code chunkSize}: a chunked cap (whose chunk size must match), or a
   * literal or immutable cap of at most one chunk, which becomes chunk 0.
   */
  public static ManifestEdit of(Cap file, int chunkSize) {
    return of(ManifestGeometry.FANOUT, file, chunkSize);
  }

  static ManifestEdit of(int fanout, Cap file, int chunkSize) {
    if (file instanceof ChunkedReadCap c) {
      if (c.chunkSize() != chunkSize) {
        throw new IllegalArgumentException("the file has chunk size " + c.chunkSize()
            + ", not " + chunkSize);
      }
      return of(fanout, c);
    }
    if (file instanceof LiteralCap l && l.size() == 0) {
      return empty(fanout, chunkSize);
    }
    ChunkRef single = ChunkRef.of(file);
    if (single.length() > chunkSize) {
      throw new IllegalArgumentException("a single immutable file of " + single.length()
          + " bytes is longer than the chunk size " + chunkSize + ": re-chunk it instead");
    }
    return new ManifestEdit(fanout, chunkSize, single.length(), null, single);
  }

  /** A new, empty file at {@code chunkSize}. */
  public static ManifestEdit empty(int chunkSize) {
    return new ManifestEdit(ManifestGeometry.FANOUT, chunkSize, 0, null, null);
  }

  static ManifestEdit empty(int fanout, int chunkSize) {
    return new ManifestEdit(fanout, chunkSize, 0, null, null);
  }

  /** The file's size after this edit. */
  public long size() {
    return newSize;
  }

  public ManifestGeometry oldGeometry() {
    return new ManifestGeometry(fanout, chunkSize, oldSize);
  }

  public ManifestGeometry newGeometry() {
    return new ManifestGeometry(fanout, chunkSize, newSize);
  }

  /** Truncates or extends (with holes) the file to {@code size} bytes. */
  public ManifestEdit resize(long size) {
    new ManifestGeometry(fanout, chunkSize, size); // validates
    this.newSize = size;
    return this;
  }

  /** Sets chunk {@code index} of the new version; its length must fit the new size. */
  public ManifestEdit put(long index, ChunkRef chunk) {
    if (index < 0) {
      throw new IllegalArgumentException("negative chunk index " + index);
    }
    puts.put(index, chunk);
    return this;
  }

  /** The chunk present in both versions whose length the resize changes, if any. */
  public OptionalLong chunkNeedingContent() {
    return oldGeometry().resizedChunk(newSize);
  }

  /**
   * Writes the changed nodes and returns the new version.
   *
   * @throws IllegalArgumentException if a put chunk lies past the new end or has the wrong
   *     length
   * @throws IllegalStateException if a stored or literal chunk changes length without a put
   * @throws ManifestFormatException if an old node is malformed
   */
  public EditResult apply(NodeStore store, NodeKeyPolicy policy) throws IOException {
    return new ManifestRewrite(oldGeometry(), newGeometry(), oldRoot, oldSingle, puts, store,
        policy).run();
  }

  @Override
  public String toString() {
    return "ManifestEdit[" + oldSize + " -> " + newSize + " bytes, " + puts.size()
        + " chunks put]";
  }

  /** The chunk indexes put so far (for callers tracking what to upload). */
  public List<Long> putIndexes() {
    return Collections.unmodifiableList(new ArrayList<>(puts.keySet()));
  }
}
