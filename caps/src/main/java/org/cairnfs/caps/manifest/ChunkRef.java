package org.cairnfs.caps.manifest;

import org.cairnfs.caps.Cap;
import org.cairnfs.caps.ImmutableReadCap;
import org.cairnfs.caps.LiteralCap;

/**
 * What a reader finds for one chunk: a hole (reads as zeros, nothing stored), a literal (at
 * most {@link LiteralCap#MAX_SIZE} bytes, carried sealed inside the manifest), or an immutable
 * file. Its offset is its index times the chunk size; its length is checked against the
 * manifest geometry wherever a ref is placed.
 */
public sealed interface ChunkRef permits ChunkRef.Hole, ChunkRef.Literal, ChunkRef.Stored {
  long length();

  /** The chunk for a file cap: a literal or an immutable read cap. */
  static ChunkRef of(Cap cap) {
    if (cap instanceof LiteralCap l) {
      return new Literal(l);
    } else if (cap instanceof ImmutableReadCap c) {
      return new Stored(c);
    }
    throw new IllegalArgumentException("a chunk is a literal or an immutable file, not "
        + cap.getClass().getSimpleName());
  }

  /** Zeros, stored nowhere. */
  record Hole(long length) implements ChunkRef {
    public Hole {
      if (length < 1) {
        throw new IllegalArgumentException("a hole chunk needs a length of at least 1, got "
            + length);
      }
    }
  }

  /** A chunk of 1 to 55 bytes, inline. */
  record Literal(LiteralCap cap) implements ChunkRef {
    public Literal {
      if (cap == null || cap.size() < 1) {
        throw new IllegalArgumentException("a literal chunk needs 1.." + LiteralCap.MAX_SIZE
            + " bytes");
      }
    }

    @Override
    public long length() {
      return cap.size();
    }
  }

  /** A chunk stored as an immutable file (more than 55 bytes). */
  record Stored(ImmutableReadCap cap) implements ChunkRef {
    public Stored {
      if (cap == null || cap.size() <= LiteralCap.MAX_SIZE) {
        throw new IllegalArgumentException("a stored chunk has more than "
            + LiteralCap.MAX_SIZE + " bytes; smaller ones are literals");
      }
    }

    @Override
    public long length() {
      return cap.size();
    }
  }
}
