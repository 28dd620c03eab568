package org.cairnfs.caps.share;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.IntToLongFunction;
import org.cairnfs.caps.merkle.MerkleTreeBuilder;

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

  /**
   * A node sink for a {@link MerkleTreeBuilder} that writes each completed tree node to this
   * share at {@code nodeOffset.applyAsLong(nodeIndex)}. An {@link IOException} from the write
   * is rethrown as {@link UncheckedIOException} (the builder's callback cannot throw it); the
   * encoder unwraps it.
   */
  default MerkleTreeBuilder.NodeSink treeNodesAt(IntToLongFunction nodeOffset) {
    return (node, hash) -> {
      try {
        write(nodeOffset.applyAsLong(node), hash, 0, hash.length);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    };
  }

  /** Called once the share is complete; does nothing unless the sink holds a resource. */
  @Override
  default void close() throws IOException {}
}
