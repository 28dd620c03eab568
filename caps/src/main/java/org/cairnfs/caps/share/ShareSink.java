package org.cairnfs.caps.share;

import java.io.Closeable;
import java.io.IOException;

/**
 * Where an encoder writes one share, by position. Every offset of a share (immutable or
 * mutable) is known before encoding starts, so pieces (blocks, tree nodes as they complete, the
 * header or signed prefix last) go straight to their place in any order and no writer holds a
 * whole share; this is also the shape of a storage server's write-at-offset call.
 *
 * <p>Who opens a sink closes it: the immutable encoder opens its sinks from a factory and closes
 * each once complete; the mutable writer is handed sinks and leaves closing to its caller. The
 * default {@link #close()} does nothing, so a lambda is a sink.
 */
@FunctionalInterface
public interface ShareSink extends Closeable {
  /** Writes {@code data[off, off + len)} at {@code offset} of the share. */
  void write(long offset, byte[] data, int off, int len) throws IOException;

  default void write(long offset, byte[] data) throws IOException {
    write(offset, data, 0, data.length);
  }

  /** Called once the share is complete; does nothing unless the sink holds a resource. */
  @Override
  default void close() throws IOException {}
}
