package org.cairnfs.fs.mutable;

import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;
import org.cairnfs.caps.mutable.MutableIntegrityException;
import org.cairnfs.caps.mutable.MutableShare;

/**
 * The share fronts one slot map has authenticated. Why: the n shares of one version carry the
 * same verifying key, signed header and signature (the share number is outside what is signed),
 * so one Ed25519 check covers all of them; a map of a 10-share directory did ten identical
 * checks, which were a fifth of the node's CPU in a {@code cp -r} (docs/benchmarks/cp-small.md).
 * Only a check that passed is remembered, and only for a byte-identical fingerprint, key, header
 * digest and signature, so a share differing in any of them is checked on its own. Not thread-safe: one
 * per map, which is built on one thread.
 */
final class SignatureMemo {
  /** The check itself: {@link MutableShare#authenticate}; tests count it. */
  interface Check {
    void authenticate(MutableShare share, byte[] fingerprint);
  }

  private final Check check;
  private final Set<ByteBuffer> passed = new HashSet<>();

  SignatureMemo() {
    this(MutableShare::authenticate);
  }

  SignatureMemo(Check check) {
    this.check = check;
  }

  /**
   * {@link MutableShare#authenticate} against {@code fingerprint}, skipped when a share with the
   * same key, signed header and signature passed it here before against the same fingerprint.
   *
   * @throws MutableIntegrityException as {@link MutableShare#authenticate}
   */
  void authenticate(MutableShare share, byte[] fingerprint) {
    ByteBuffer signed = signedPart(share, fingerprint);
    if (passed.contains(signed)) {
      return;
    }
    check.authenticate(share, fingerprint);
    passed.add(signed);
  }

  /** Fingerprint, key, digest of the signed header and signature, as one comparable value. */
  private static ByteBuffer signedPart(MutableShare share, byte[] fingerprint) {
    byte[] key = share.verifyingKey();
    byte[] digest = share.header().signedDigest();
    byte[] signature = share.signature();
    ByteBuffer b = ByteBuffer.allocate(fingerprint.length + key.length + digest.length
        + signature.length);
    b.put(fingerprint).put(key).put(digest).put(signature).flip();
    return b;
  }
}
