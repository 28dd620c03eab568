package org.cairnfs.caps.immutable;

import java.io.Closeable;
import java.io.IOException;

/**
 * Where an encoder writes one share, by position. Every offset of a share is known before
 * encoding starts, so pieces (blocks, tree nodes as they complete, the header last) are written
 * straight to their place in any order; this is also the shape of a storage server's
 * write-at-offset call.
 */
public interface ShareSink extends Closeable {
  /** Writes {@code data[off, off + len)} at {@code offset} of the share. */
  void write(long offset, byte[] data, int off, int len) throws IOException;

  default void write(long offset, byte[] data) throws IOException {
    write(offset, data, 0, data.length);
  }

  /** Called once the share is complete. */
  @Override
  void close() throws IOException;
}
