package org.cairnfs.fs.mount;

/** What a journaled entry points to. */
sealed interface ChildRef {
  /** A node already on the grid, unchanged. */
  record Cap(String cap) implements ChildRef {}

  /** A file with local layers; the entry needs generation {@code gen} uploaded (0: none). */
  record LocalFile(long id, long gen) implements ChildRef {}

  /** A directory made by this mount; created on the grid by the uploader. */
  record LocalDir(long id) implements ChildRef {}

  /** A symlink: the target is in the metadata. */
  record Symlink() implements ChildRef {}

  /** A FIFO, socket or device node: the kind is in the metadata, the device number here. */
  record Special(long rdev) implements ChildRef {}
}
