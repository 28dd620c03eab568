package org.cairnfs.fs.mount;

/** Names a directory in the journal: by its cap on the grid, or by a local id until created. */
sealed interface DirRef {
  record Cap(String cap) implements DirRef {}

  record Local(long id) implements DirRef {}
}
