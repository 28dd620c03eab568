package org.cairnfs.caps.immutable;

import java.io.IOException;

/**
 * The plaintext read while encoding is not the plaintext the convergent key was derived from:
 * the source grew, shrank or changed between the hashing pass and the encoding pass.
 *
 * <p>Why it matters: encrypting other content under that key would reuse the first content's key
 * stream (servers holding both could XOR them) and leave shares under its storage index that do
 * not match its cap. The encoder stops before the first block of a changed stretch is written
 * when it can (see {@link ImmutableEncoder}); the caller should discard the shares and retry
 * from a stable copy.
 */
public final class PlaintextChangedException extends IOException {
  public PlaintextChangedException(String message) {
    super(message);
  }
}
