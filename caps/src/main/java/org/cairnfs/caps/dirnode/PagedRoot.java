package org.cairnfs.caps.dirnode;

import java.util.List;

/**
 * The mutable-file plaintext of a paged directory (format version 2): the top node of the page
 * tree, inline, and the total entry count.
 *
 * @param height levels of pages below the root: 1 when the children are leaf pages
 * @param entryCount entries in the whole directory, kept by writers; informational (a reader
 *     cannot check it without listing every page and must not size anything by it)
 */
public record PagedRoot(int height, long entryCount, List<PageKey> separators,
    List<PageRef> children) implements DirectoryRoot {
  public PagedRoot {
    PageCodec.checkNode("paged root", separators, children);
    if (height < 1 || height > PageCodec.MAX_HEIGHT) {
      throw new DirectoryFormatException("paged root height must be 1.." + PageCodec.MAX_HEIGHT
          + ", got " + height);
    }
    if (entryCount < 0 || entryCount > 0xffffffffL) {
      throw new DirectoryFormatException("entry count must fit 32 bits, got " + entryCount);
    }
    separators = List.copyOf(separators);
    children = List.copyOf(children);
  }

  @Override
  public byte[] encode() {
    return PageCodec.encodeRoot(this);
  }
}
