package org.cairnfs.caps.manifest;

import java.util.Arrays;
import java.util.Objects;
import org.cairnfs.caps.ChunkedReadCap;
import org.cairnfs.caps.ImmutableReadCap;

/**
 * What a reader finds under one entry of an inner manifest node: a run of chunks that are all
 * holes, or a child node (its file and the read key that opens it).
 */
public sealed interface SubtreeRef permits SubtreeRef.Hole, SubtreeRef.Node {
  /** Bytes of the file under this entry. */
  long length();

  /** A whole subtree of holes: nothing stored. */
  record Hole(long length) implements SubtreeRef {
    public Hole {
      if (length < 1) {
        throw new IllegalArgumentException("a hole needs a length of at least 1");
      }
    }
  }

  /**
   * A child node: its immutable file (key {@code H(MANIFEST_KEY, readKey)}) and its read key,
   * which unseals the chunk keys inside it.
   */
  record Node(byte[] readKey, ImmutableReadCap file, long length) implements SubtreeRef {
    public Node {
      if (readKey == null || readKey.length != 32 || file == null || length < 1) {
        throw new IllegalArgumentException("a node ref needs a 32-byte read key, its file and"
            + " a length");
      }
      if (!Arrays.equals(file.key(), ChunkedReadCap.manifestKeyOf(readKey))) {
        throw new IllegalArgumentException("node file key is not H(MANIFEST_KEY, read key)");
      }
      readKey = readKey.clone();
    }

    @Override
    public byte[] readKey() {
      return readKey.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Node n && Arrays.equals(readKey, n.readKey) && file.equals(n.file)
          && length == n.length;
    }

    @Override
    public int hashCode() {
      return Objects.hash(Arrays.hashCode(readKey), file, length);
    }

    @Override
    public String toString() {
      return "Node[" + file.index() + ", " + length + " bytes]";
    }
  }
}
