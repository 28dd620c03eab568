package org.cairnfs.caps.manifest;

import java.io.IOException;
import org.cairnfs.caps.ImmutableReadCap;
import org.cairnfs.caps.immutable.EncodingParams;

/**
 * Where manifest nodes live: each node is an immutable file. The grid implements it by
 * encoding with {@code ImmutableEncoder.encodeUnderKey} and uploading, and by downloading and
 * verifying; tests keep shares in memory. Calls may block; callers run them off event loops.
 */
public interface NodeStore {
  /** The parameters new nodes are encoded with; they enter the node's convergent key. */
  EncodingParams params();

  /**
   * Stores {@code plaintext} as an immutable file encrypted under exactly {@code key} with
   * {@link #params()}, returning its read cap.
   */
  ImmutableReadCap put(byte[] plaintext, byte[] key) throws IOException;

  /** The verified plaintext of the node file {@code file}. */
  byte[] get(ImmutableReadCap file) throws IOException;
}
