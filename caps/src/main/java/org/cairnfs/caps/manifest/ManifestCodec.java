package org.cairnfs.caps.manifest;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.List;
import org.cairnfs.caps.ChunkedReadCap;
import org.cairnfs.caps.ChunkedVerifyCap;
import org.cairnfs.caps.ImmutableReadCap;
import org.cairnfs.caps.LiteralCap;
import org.cairnfs.caps.crypto.AesCtr;
import org.cairnfs.caps.crypto.Tag;
import org.cairnfs.caps.crypto.TaggedHash;
import org.cairnfs.caps.immutable.EncodingParams;

/**
 * The byte form of one manifest node (layout in {@code docs/specs/manifest.md}).
 *
 * <p>Fixed-width: a 20-byte header, then 83-byte leaf entries or 99-byte inner entries, so an
 * entry sits at a computed offset and a node's length follows from its position. Canonical:
 * unused bytes are zero and nothing is optional, so a decoder accepts exactly what an encoder
 * writes. Encoding derives the node's read key from its clear form (sealed fields open) and
 * then seals chunk keys, child read keys and literal data under {@code H(MANIFEST_SEAL_KEY,
 * read key)}; decoding needs no key and yields what a verifier may see.
 */
public final class ManifestCodec {
  /** ASCII "CMFT". */
  static final byte[] MAGIC = {'C', 'M', 'F', 'T'};
  public static final int VERSION = 1;
  static final int HEADER_LENGTH = 20;
  static final int LEAF_ENTRY_LENGTH = 83;
  static final int INNER_ENTRY_LENGTH = 99;
  /** Key stream bytes reserved per entry for its sealed field. */
  static final int SEAL_SLOT = 64;
  static final int KEY_LENGTH = 32;

  static final int HOLE = 0;
  static final int LITERAL = 1;
  static final int CHUNK = 2;
  static final int NODE = 3;

  /** Offsets inside an entry. */
  static final int KIND = 0;
  static final int K = 1;
  static final int N = 2;
  static final int BODY = 3;
  static final int LEAF_EXTENSION = BODY + 16;
  static final int LEAF_SEALED = LEAF_EXTENSION + 32;
  static final int INNER_EXTENSION = BODY + 32;
  static final int INNER_SEALED = INNER_EXTENSION + 32;

  private ManifestCodec() {}

  /** The root node file of a chunked file. */
  public static ImmutableReadCap rootFile(ChunkedReadCap cap) {
    return rootFile(cap.manifestKey(), cap.extensionHash(), cap.k(), cap.n(),
        ManifestGeometry.of(cap));
  }

  /** The root node file, as a verifier reaches it. */
  public static ImmutableReadCap rootFile(ChunkedVerifyCap cap) {
    return rootFile(cap.manifestKey(), cap.extensionHash(), cap.k(), cap.n(),
        ManifestGeometry.of(cap.chunkSize(), cap.size()));
  }

  static ImmutableReadCap rootFile(byte[] manifestKey, byte[] extensionHash, int k, int n,
      ManifestGeometry geometry) {
    return new ImmutableReadCap(manifestKey, extensionHash, k, n,
        geometry.root().nodeLength());
  }

  /** A node's plaintext and the read key the codec derived for it. */
  record EncodedNode(byte[] plaintext, byte[] readKey) {}

  /** Encodes a leaf at {@code position}; the chunks must fit it exactly. */
  static EncodedNode encodeLeaf(NodePosition position, List<ChunkRef> chunks,
      NodeKeyPolicy policy, EncodingParams params) {
    checkShape(position, chunks.size(), true);
    byte[] out = header(position, chunks.size());
    for (int c = 0; c < chunks.size(); c++) {
      ChunkRef chunk = chunks.get(c);
      checkLength(position, c, chunk.length());
      int at = HEADER_LENGTH + c * LEAF_ENTRY_LENGTH;
      if (chunk instanceof ChunkRef.Literal l) {
        out[at] = LITERAL;
        byte[] data = l.cap().data();
        System.arraycopy(data, 0, out, at + BODY, data.length);
      } else if (chunk instanceof ChunkRef.Stored s) {
        out[at] = CHUNK;
        out[at + K] = (byte) (s.cap().k() - 1);
        out[at + N] = (byte) (s.cap().n() - 1);
        System.arraycopy(s.cap().index().toBytes(), 0, out, at + BODY, 16);
        System.arraycopy(s.cap().extensionHash(), 0, out, at + LEAF_EXTENSION, 32);
        System.arraycopy(s.cap().key(), 0, out, at + LEAF_SEALED, KEY_LENGTH);
      }
    }
    return seal(position, out, chunks.size(), policy, params);
  }

  /** Encodes an inner node at {@code position}; the subtrees must fit it exactly. */
  static EncodedNode encodeInner(NodePosition position, List<SubtreeRef> subtrees,
      NodeKeyPolicy policy, EncodingParams params) {
    checkShape(position, subtrees.size(), false);
    byte[] out = header(position, subtrees.size());
    for (int c = 0; c < subtrees.size(); c++) {
      SubtreeRef subtree = subtrees.get(c);
      checkLength(position, c, subtree.length());
      int at = HEADER_LENGTH + c * INNER_ENTRY_LENGTH;
      if (subtree instanceof SubtreeRef.Node node) {
        ImmutableReadCap file = node.file();
        int expected = position.child(c).nodeLength();
        if (file.size() != expected) {
          throw new IllegalArgumentException("child " + c + " node file has " + file.size()
              + " bytes, its position needs " + expected);
        }
        out[at] = NODE;
        out[at + K] = (byte) (file.k() - 1);
        out[at + N] = (byte) (file.n() - 1);
        System.arraycopy(file.key(), 0, out, at + BODY, 32);
        System.arraycopy(file.extensionHash(), 0, out, at + INNER_EXTENSION, 32);
        System.arraycopy(node.readKey(), 0, out, at + INNER_SEALED, KEY_LENGTH);
      }
    }
    return seal(position, out, subtrees.size(), policy, params);
  }

  private static void checkShape(NodePosition position, int count, boolean leaf) {
    if (position.isLeaf() != leaf) {
      throw new IllegalArgumentException("a level-" + position.level() + " node is "
          + (leaf ? "not a leaf" : "a leaf"));
    }
    if (position.entryCount() > position.fanout() || count != position.entryCount()) {
      throw new IllegalArgumentException("a node at " + position + " holds "
          + position.entryCount() + " entries, got " + count);
    }
  }

  private static void checkLength(NodePosition position, int c, long length) {
    long expected = position.entryLength(c);
    if (length != expected) {
      throw new IllegalArgumentException("entry " + c + " (first chunk " + position.firstChunk()
          + ", level " + position.level() + ") must cover " + expected + " bytes, got "
          + length);
    }
  }

  private static byte[] header(NodePosition position, int count) {
    byte[] out = new byte[position.nodeLength()];
    ByteBuffer.wrap(out).put(MAGIC).put((byte) VERSION).put((byte) position.level())
        .putShort((short) count).putInt(position.chunkSize()).putLong(position.coveredLength());
    return out;
  }

  /** Derives the read key from the clear form, then seals the sealed fields in place. */
  private static EncodedNode seal(NodePosition position, byte[] clear, int count,
      NodeKeyPolicy policy, EncodingParams params) {
    byte[] readKey = policy.readKey(params, TaggedHash.of(Tag.MANIFEST_CONTENT, clear));
    applySeal(position, clear, count, keyStream(readKey, count));
    return new EncodedNode(clear, readKey);
  }

  /** XORs each entry's sealed field with its slot of the key stream (seals and unseals). */
  static void applySeal(NodePosition position, byte[] bytes, int count, byte[] stream) {
    for (int c = 0; c < count; c++) {
      int at;
      int length;
      if (position.isLeaf()) {
        at = HEADER_LENGTH + c * LEAF_ENTRY_LENGTH;
        int kind = bytes[at];
        if (kind == LITERAL) {
          length = (int) position.entryLength(c);
          at += BODY;
        } else if (kind == CHUNK) {
          length = KEY_LENGTH;
          at += LEAF_SEALED;
        } else {
          continue;
        }
      } else {
        at = HEADER_LENGTH + c * INNER_ENTRY_LENGTH;
        if (bytes[at] != NODE) {
          continue;
        }
        length = KEY_LENGTH;
        at += INNER_SEALED;
      }
      for (int i = 0; i < length; i++) {
        bytes[at + i] ^= stream[c * SEAL_SLOT + i];
      }
    }
  }

  /** AES-256-CTR key stream of {@code H(MANIFEST_SEAL_KEY, readKey)} for {@code count} slots. */
  static byte[] keyStream(byte[] readKey, int count) {
    byte[] stream = new byte[count * SEAL_SLOT];
    try {
      AesCtr.at(TaggedHash.of(Tag.MANIFEST_SEAL_KEY, readKey), 0)
          .update(stream, 0, stream.length, stream, 0);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-CTR failed", e);
    }
    return stream;
  }

  /**
   * Parses a node that must sit at {@code expected} (its level, chunk size and covered length
   * come from the parent entry or the cap).
   *
   * @throws ManifestFormatException naming the field or entry at fault
   */
  public static ManifestNode decode(byte[] bytes, NodePosition expected) {
    ManifestNode node = parse(bytes, expected.fanout(), expected.firstChunk());
    NodePosition got = node.position();
    if (got.level() != expected.level() || got.chunkSize() != expected.chunkSize()
        || got.coveredLength() != expected.coveredLength()) {
      throw new ManifestFormatException("node header says level " + got.level()
          + ", chunk size " + got.chunkSize() + ", covering " + got.coveredLength()
          + " bytes; its parent says level " + expected.level() + ", chunk size "
          + expected.chunkSize() + ", covering " + expected.coveredLength());
    }
    return node;
  }

  /** Parses a node on its own header's word (fuzzing, inspection); first chunk taken as 0. */
  public static ManifestNode decode(byte[] bytes) {
    return parse(bytes, ManifestGeometry.FANOUT, 0);
  }

  static ManifestNode parse(byte[] bytes, int fanout, long firstChunk) {
    if (bytes == null || bytes.length < HEADER_LENGTH) {
      throw new ManifestFormatException("a manifest node has a " + HEADER_LENGTH
          + "-byte header, got " + (bytes == null ? "nothing" : bytes.length + " bytes"));
    }
    if (!Arrays.equals(bytes, 0, 4, MAGIC, 0, 4)) {
      throw new ManifestFormatException("not a manifest node: bad magic");
    }
    ByteBuffer b = ByteBuffer.wrap(bytes, 4, HEADER_LENGTH - 4);
    int version = b.get() & 0xff;
    if (version != VERSION) {
      throw new ManifestFormatException("unknown manifest version " + version);
    }
    int level = b.get() & 0xff;
    int count = b.getShort() & 0xffff;
    long chunkSize = b.getInt() & 0xffffffffL;
    long covered = b.getLong();
    if (chunkSize < ChunkedReadCap.MIN_CHUNK_SIZE || chunkSize > ChunkedReadCap.MAX_CHUNK_SIZE) {
      throw new ManifestFormatException("chunk size " + chunkSize + " outside ["
          + ChunkedReadCap.MIN_CHUNK_SIZE + ", " + ChunkedReadCap.MAX_CHUNK_SIZE + "]");
    }
    if (covered < 1) {
      throw new ManifestFormatException("covered length " + Long.toUnsignedString(covered)
          + " outside [1, 2^63-1]");
    }
    int maxLevel = new ManifestGeometry(fanout, (int) chunkSize, Long.MAX_VALUE).rootLevel();
    if (level > maxLevel) {
      throw new ManifestFormatException("level " + level + " exceeds " + maxLevel
          + ", the root level of the largest file");
    }
    NodePosition position = new NodePosition(level, firstChunk, covered, (int) chunkSize,
        fanout);
    long expectedCount = position.entryCount();
    if (expectedCount > fanout) {
      throw new ManifestFormatException("a level-" + level + " node cannot cover " + covered
          + " bytes: that needs " + expectedCount + " entries, at most " + fanout);
    }
    if (count != expectedCount) {
      throw new ManifestFormatException("entry count " + count + ", but " + covered
          + " bytes at level " + level + " need " + expectedCount);
    }
    if (bytes.length != position.nodeLength()) {
      throw new ManifestFormatException("node is " + bytes.length + " bytes, " + count
          + " entries at level " + level + " make " + position.nodeLength());
    }
    for (int c = 0; c < count; c++) {
      if (position.isLeaf()) {
        checkLeafEntry(bytes, position, c);
      } else {
        checkInnerEntry(bytes, c);
      }
    }
    return new ManifestNode(position, bytes.clone());
  }

  private static void checkLeafEntry(byte[] bytes, NodePosition position, int c) {
    int at = HEADER_LENGTH + c * LEAF_ENTRY_LENGTH;
    int kind = bytes[at] & 0xff;
    long length = position.entryLength(c);
    switch (kind) {
      case HOLE -> zeros(bytes, at + 1, at + LEAF_ENTRY_LENGTH, c, "hole");
      case LITERAL -> {
        if (length > LiteralCap.MAX_SIZE) {
          throw entryFault(c, "a literal of " + length + " bytes; chunks over "
              + LiteralCap.MAX_SIZE + " bytes are stored");
        }
        zeros(bytes, at + 1, at + BODY, c, "literal parameters");
        zeros(bytes, at + BODY + (int) length, at + LEAF_ENTRY_LENGTH, c, "literal padding");
      }
      case CHUNK -> {
        if (length <= LiteralCap.MAX_SIZE) {
          throw entryFault(c, "a stored chunk of " + length + " bytes; chunks of at most "
              + LiteralCap.MAX_SIZE + " bytes are literals");
        }
        checkParams(bytes, at, c);
      }
      default -> throw entryFault(c, "unknown leaf entry kind " + kind);
    }
  }

  private static void checkInnerEntry(byte[] bytes, int c) {
    int at = HEADER_LENGTH + c * INNER_ENTRY_LENGTH;
    int kind = bytes[at] & 0xff;
    switch (kind) {
      case HOLE -> zeros(bytes, at + 1, at + INNER_ENTRY_LENGTH, c, "hole");
      case NODE -> checkParams(bytes, at, c);
      default -> throw entryFault(c, "unknown inner entry kind " + kind);
    }
  }

  private static void checkParams(byte[] bytes, int at, int c) {
    int k = (bytes[at + K] & 0xff) + 1;
    int n = (bytes[at + N] & 0xff) + 1;
    if (k > n) {
      throw entryFault(c, "k (" + k + ") exceeds n (" + n + ")");
    }
  }

  private static void zeros(byte[] bytes, int from, int to, int c, String what) {
    for (int i = from; i < to; i++) {
      if (bytes[i] != 0) {
        throw entryFault(c, what + " must be zero, byte " + (i - from) + " is not");
      }
    }
  }

  static ManifestFormatException entryFault(int c, String what) {
    return new ManifestFormatException("entry " + c + ": " + what);
  }
}
