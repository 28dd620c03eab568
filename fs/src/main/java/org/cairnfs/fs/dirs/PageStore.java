package org.cairnfs.fs.dirs;

import java.io.IOException;
import java.util.List;
import org.cairnfs.caps.dirnode.PageRef;

/**
 * Where a directory's pages live. The grid implementation encodes a page with the directory's
 * convergent page encoder ({@code PageSecret.encoder}), uploads it and returns its cap; reads
 * download and verify. Calls may block: the tree runs off event loops (FUSE threads, a worker
 * pool).
 */
public interface PageStore {
  /**
   * Stores a page's plaintext; a page of at most 55 bytes comes back as an inline ref and is
   * stored nowhere.
   */
  PageRef put(byte[] page) throws IOException;

  /** The verified plaintext of a stored page. */
  byte[] get(PageRef.Stored page) throws IOException;

  /** A hint that these pages will be read soon, so a grid store can fetch them in parallel. */
  default void prefetch(List<PageRef.Stored> pages) {}
}
