package org.cairnfs.fs.dirs;

import java.util.List;
import org.cairnfs.caps.dirnode.PageRef;

/**
 * What publishing a changed directory takes: the new root plaintext for its mutable file and
 * the pages written for it, and which pages of the version it was read from it no longer uses.
 *
 * @param root the directory's new plaintext (version 1 flat, or version 2 paged root)
 * @param changed whether the root differs from the version the tree was opened on
 * @param written stored pages this commit put, children before parents
 * @param released stored pages the old version used that this one does not; pages are unique
 *     within a version and keyed per directory, so nothing else refers to them (older versions
 *     aside): their leases need not be renewed by this directory any more
 * @param height page levels under the root (0: flat)
 * @param entryCount entries in the directory
 */
public record TreeCommit(byte[] root, boolean changed, List<PageRef.Stored> written,
    List<PageRef.Stored> released, int height, long entryCount) {
  public TreeCommit {
    written = List.copyOf(written);
    released = List.copyOf(released);
  }
}
