package org.cairnfs.caps.manifest;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.cairnfs.caps.ChunkedReadCap;
import org.cairnfs.caps.ImmutableReadCap;
import org.cairnfs.caps.ImmutableVerifyCap;
import org.cairnfs.caps.LiteralCap;
import org.cairnfs.caps.StorageIndex;

/**
 * One parsed manifest node (at most 101 396 bytes). Parsing already checked its layout; {@link
 * #verifyEntries()} is what any holder of the node's file key sees, and {@link #chunks} or
 * {@link #subtrees} open the sealed fields with the node's read key, checking each unsealed key
 * against the verifier-visible field it must hash to.
 */
public final class ManifestNode {
  private final NodePosition position;
  private final byte[] bytes;

  ManifestNode(NodePosition position, byte[] bytes) {
    this.position = position;
    this.bytes = bytes;
  }

  public NodePosition position() {
    return position;
  }

  public int entryCount() {
    return (int) position.entryCount();
  }

  /** The node's bytes (a copy): what it was parsed from, since the format is canonical. */
  public byte[] toBytes() {
    return bytes.clone();
  }

  private int entryAt(int c) {
    return ManifestCodec.HEADER_LENGTH + c * (position.isLeaf()
        ? ManifestCodec.LEAF_ENTRY_LENGTH : ManifestCodec.INNER_ENTRY_LENGTH);
  }

  private int k(int at) {
    return (bytes[at + ManifestCodec.K] & 0xff) + 1;
  }

  private int n(int at) {
    return (bytes[at + ManifestCodec.N] & 0xff) + 1;
  }

  private byte[] field(int from, int length) {
    return Arrays.copyOfRange(bytes, from, from + length);
  }

  /** What a verifier checks under each entry. */
  public List<VerifyEntry> verifyEntries() {
    List<VerifyEntry> out = new ArrayList<>(entryCount());
    for (int c = 0; c < entryCount(); c++) {
      int at = entryAt(c);
      long length = position.entryLength(c);
      int kind = bytes[at];
      if (kind == ManifestCodec.HOLE) {
        out.add(new VerifyEntry.Hole(length));
      } else if (kind == ManifestCodec.LITERAL) {
        out.add(new VerifyEntry.Literal(length));
      } else if (kind == ManifestCodec.CHUNK) {
        out.add(new VerifyEntry.Chunk(new ImmutableVerifyCap(
            StorageIndex.of(field(at + ManifestCodec.BODY, 16)),
            field(at + ManifestCodec.LEAF_EXTENSION, 32), k(at), n(at), length)));
      } else {
        NodePosition child = position.child(c);
        out.add(new VerifyEntry.Node(childFile(at, child), child));
      }
    }
    return Collections.unmodifiableList(out);
  }

  private ImmutableReadCap childFile(int at, NodePosition child) {
    return new ImmutableReadCap(field(at + ManifestCodec.BODY, 32),
        field(at + ManifestCodec.INNER_EXTENSION, 32), k(at), n(at), child.nodeLength());
  }

  /**
   * The chunks of a leaf, opened with the node's read key.
   *
   * @throws ManifestFormatException if an unsealed chunk key does not hash to the storage index
   *     beside it (a wrong read key or a manifest whose read and verify views disagree)
   */
  public List<ChunkRef> chunks(byte[] readKey) {
    if (!position.isLeaf()) {
      throw new IllegalStateException("a level-" + position.level() + " node holds subtrees");
    }
    byte[] open = opened(readKey);
    List<ChunkRef> out = new ArrayList<>(entryCount());
    for (int c = 0; c < entryCount(); c++) {
      int at = entryAt(c);
      long length = position.entryLength(c);
      int kind = open[at];
      if (kind == ManifestCodec.HOLE) {
        out.add(new ChunkRef.Hole(length));
      } else if (kind == ManifestCodec.LITERAL) {
        out.add(new ChunkRef.Literal(new LiteralCap(
            Arrays.copyOfRange(open, at + ManifestCodec.BODY, at + ManifestCodec.BODY
                + (int) length))));
      } else {
        byte[] key = Arrays.copyOfRange(open, at + ManifestCodec.LEAF_SEALED,
            at + ManifestCodec.LEAF_SEALED + ManifestCodec.KEY_LENGTH);
        ImmutableReadCap cap = new ImmutableReadCap(key,
            field(at + ManifestCodec.LEAF_EXTENSION, 32), k(at), n(at), length);
        if (!Arrays.equals(cap.index().toBytes(), 0, 16, bytes, at + ManifestCodec.BODY,
            at + ManifestCodec.BODY + 16)) {
          throw ManifestCodec.entryFault(c, "the unsealed chunk key does not match the"
              + " chunk's storage index (wrong read key, or read and verify views disagree)");
        }
        out.add(new ChunkRef.Stored(cap));
      }
    }
    return Collections.unmodifiableList(out);
  }

  /**
   * The subtrees of an inner node, opened with the node's read key.
   *
   * @throws ManifestFormatException if an unsealed child read key does not hash to the child's
   *     file key beside it
   */
  public List<SubtreeRef> subtrees(byte[] readKey) {
    if (position.isLeaf()) {
      throw new IllegalStateException("a leaf holds chunks");
    }
    byte[] open = opened(readKey);
    List<SubtreeRef> out = new ArrayList<>(entryCount());
    for (int c = 0; c < entryCount(); c++) {
      int at = entryAt(c);
      NodePosition child = position.child(c);
      if (open[at] == ManifestCodec.HOLE) {
        out.add(new SubtreeRef.Hole(child.coveredLength()));
        continue;
      }
      byte[] childKey = Arrays.copyOfRange(open, at + ManifestCodec.INNER_SEALED,
          at + ManifestCodec.INNER_SEALED + ManifestCodec.KEY_LENGTH);
      ImmutableReadCap file = childFile(at, child);
      if (!Arrays.equals(ChunkedReadCap.manifestKeyOf(childKey), file.key())) {
        throw ManifestCodec.entryFault(c, "the unsealed child read key does not match the"
            + " child's file key (wrong read key, or read and verify views disagree)");
      }
      out.add(new SubtreeRef.Node(childKey, file, child.coveredLength()));
    }
    return Collections.unmodifiableList(out);
  }

  private byte[] opened(byte[] readKey) {
    if (readKey == null || readKey.length != ManifestCodec.KEY_LENGTH) {
      throw new IllegalArgumentException("a node read key is 32 bytes");
    }
    byte[] open = bytes.clone();
    ManifestCodec.applySeal(position, open, entryCount(),
        ManifestCodec.keyStream(readKey, entryCount()));
    return open;
  }

  @Override
  public String toString() {
    return "ManifestNode[level " + position.level() + ", " + entryCount() + " entries, covers "
        + position.coveredLength() + " bytes]";
  }
}
