package org.cairnfs.caps.mutable;

/**
 * A storage server refuses a mutable share; {@link #reason()} says which rule failed so the
 * server can answer with a precise error code and the client can react (a stale seqnum means
 * "someone wrote a newer version: re-read and retry").
 */
public final class SlotWriteRejectedException extends RuntimeException {
  /** Which rule of {@link SlotWriteCheck} failed. */
  public enum Reason {
    /**
     * Too short, bad magic, unknown version, impossible parameters, or offsets or a length other
     * than the signed parameters imply.
     */
    MALFORMED,
    /** The embedded verifying key does not hash to the slot's storage index. */
    WRONG_KEY,
    /** The signature does not verify over the header under the embedded key. */
    BAD_SIGNATURE,
    /** The seqnum is not strictly higher than the one the server holds. */
    STALE_SEQNUM,
    /** The share names another share number than the one it is submitted as. */
    WRONG_SHARE_NUMBER,
    /** The chain, block hash tree or a block does not reproduce the signed root. */
    HASH_MISMATCH
  }

  private final Reason reason;

  public SlotWriteRejectedException(Reason reason, String message) {
    super(reason + ": " + message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
