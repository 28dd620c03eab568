package org.cairnfs.fs.mount;

/** Who asks: the uid and gid a new node gets, and whose permission chown checks. */
public record Caller(int uid, int gid) {
  public boolean isRoot() {
    return uid == 0;
  }
}
