package org.cairnfs.caps.dirnode;

import org.cairnfs.caps.Cap;
import org.cairnfs.caps.ImmutableReadCap;
import org.cairnfs.caps.LiteralCap;

/**
 * How a paged directory's node names a child page: the page's immutable read cap, or, for a
 * page of at most 55 bytes, the page itself inline (what the immutable encoder returns as a
 * literal cap).
 */
public sealed interface PageRef permits PageRef.Stored, PageRef.Inline {
  /** The ref for what encoding a page returned. */
  static PageRef of(Cap cap) {
    if (cap instanceof ImmutableReadCap c) {
      return new Stored(c);
    } else if (cap instanceof LiteralCap l) {
      return new Inline(l);
    }
    throw new IllegalArgumentException("a page is an immutable file or a literal, not "
        + cap.getClass().getSimpleName());
  }

  /** Plaintext length of the page. */
  long size();

  /** A page stored as an immutable file (56 bytes up to {@link PageCodec#MAX_PAGE_BYTES}). */
  record Stored(ImmutableReadCap cap) implements PageRef {
    public Stored {
      if (cap == null || cap.size() <= LiteralCap.MAX_SIZE
          || cap.size() > PageCodec.MAX_PAGE_BYTES) {
        throw new DirectoryFormatException("a stored page is " + (LiteralCap.MAX_SIZE + 1)
            + ".." + PageCodec.MAX_PAGE_BYTES + " bytes, got "
            + (cap == null ? "none" : cap.size()));
      }
    }

    @Override
    public long size() {
      return cap.size();
    }
  }

  /** A page small enough to be carried in its parent. */
  record Inline(LiteralCap cap) implements PageRef {
    public Inline {
      if (cap == null) {
        throw new DirectoryFormatException("an inline page needs its bytes");
      }
    }

    @Override
    public long size() {
      return cap.size();
    }
  }
}
