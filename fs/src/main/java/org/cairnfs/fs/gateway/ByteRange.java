package org.cairnfs.fs.gateway;

/** An inclusive byte range {@code [first, last]} of a representation, already satisfiable. */
record ByteRange(long first, long last) {
  ByteRange {
    if (first < 0 || last < first) {
      throw new IllegalArgumentException("bad byte range " + first + "-" + last);
    }
  }

  long length() {
    return last - first + 1;
  }

  /** The Content-Range value for a representation of {@code size} bytes. */
  String contentRange(long size) {
    return "bytes " + first + "-" + last + "/" + size;
  }
}
