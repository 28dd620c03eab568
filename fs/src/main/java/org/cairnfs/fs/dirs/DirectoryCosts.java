package org.cairnfs.fs.dirs;

/**
 * What directory operations of one {@link GridDirectories} have cost so far, for tests and
 * benchmarks that check the O(log n) promise.
 *
 * @param pagesWritten stored pages uploaded (inline pages cost nothing and are not counted)
 * @param pageBytesWritten plaintext bytes of those pages
 * @param shareBytesSent share bytes sent to servers for pages (after n/k expansion; shares
 *     already on the grid are not sent again)
 * @param rootsPublished root versions published to directories' mutable files
 * @param rootBytesPublished plaintext bytes of those roots
 * @param pagesFetched stored pages downloaded (cache misses)
 */
public record DirectoryCosts(long pagesWritten, long pageBytesWritten, long shareBytesSent,
    long rootsPublished, long rootBytesPublished, long pagesFetched) {

  /** What happened between {@code before} and this snapshot. */
  public DirectoryCosts since(DirectoryCosts before) {
    return new DirectoryCosts(pagesWritten - before.pagesWritten,
        pageBytesWritten - before.pageBytesWritten, shareBytesSent - before.shareBytesSent,
        rootsPublished - before.rootsPublished, rootBytesPublished - before.rootBytesPublished,
        pagesFetched - before.pagesFetched);
  }
}
