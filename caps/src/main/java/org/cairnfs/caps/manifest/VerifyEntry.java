package org.cairnfs.caps.manifest;

import org.cairnfs.caps.ImmutableReadCap;
import org.cairnfs.caps.ImmutableVerifyCap;

/**
 * What a verify-cap holder finds in a manifest node: enough to check and repair every chunk and
 * node, nothing that decrypts file content.
 */
public sealed interface VerifyEntry
    permits VerifyEntry.Hole, VerifyEntry.Literal, VerifyEntry.Chunk, VerifyEntry.Node {
  /** Bytes of the file under this entry. */
  long length();

  /** Holes: nothing stored, nothing to check. */
  record Hole(long length) implements VerifyEntry {}

  /** A literal chunk: carried (sealed) in the node itself, nothing else to check. */
  record Literal(long length) implements VerifyEntry {}

  /** A stored chunk: check and repair it with this verify cap. */
  record Chunk(ImmutableVerifyCap cap) implements VerifyEntry {
    @Override
    public long length() {
      return cap.size();
    }
  }

  /**
   * A child node: its file, which a verifier decrypts (manifest keys are verifier keys) to
   * continue, and where it sits.
   */
  record Node(ImmutableReadCap file, NodePosition position) implements VerifyEntry {
    @Override
    public long length() {
      return position.coveredLength();
    }
  }
}
