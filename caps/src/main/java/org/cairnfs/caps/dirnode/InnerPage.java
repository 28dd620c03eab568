package org.cairnfs.caps.dirnode;

import java.util.List;

/**
 * An inner page of a paged directory (an immutable file): {@code children.size() >= 2} pages one
 * level down, split by {@code children.size() - 1} strictly ascending separators.
 *
 * @param level 1 for a page whose children are leaf pages, one more per level above
 */
public record InnerPage(int level, List<PageKey> separators, List<PageRef> children) {
  public InnerPage {
    PageCodec.checkNode("inner page", separators, children);
    if (level < 1 || level >= PageCodec.MAX_HEIGHT) {
      throw new DirectoryFormatException("inner page level must be 1.."
          + (PageCodec.MAX_HEIGHT - 1) + ", got " + level);
    }
    separators = List.copyOf(separators);
    children = List.copyOf(children);
  }
}
