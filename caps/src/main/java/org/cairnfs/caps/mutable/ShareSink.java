package org.cairnfs.caps.mutable;

import java.io.IOException;

/**
 * Where the mutable writer puts one share, by position. Every offset is known before encoding
 * starts, so blocks, tree nodes (as they complete) and the signed prefix (last) go straight to
 * their place and the writer never holds a whole share. Same shape as a storage server's
 * write-at-offset.
 */
public interface ShareSink {
  /** Writes {@code data[off, off + len)} at {@code position} of the share. */
  void write(long position, byte[] data, int off, int len) throws IOException;
}
