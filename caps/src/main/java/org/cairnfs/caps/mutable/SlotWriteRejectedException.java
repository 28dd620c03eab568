package org.cairnfs.caps.mutable;

/**
 * A storage server refuses a mutable share; {@link #reason()} says which rule failed so the
 * server can answer with a precise error code and the client can react (a stale seqnum means
 * "someone wrote a newer version: re-read and retry").
 */
public final class SlotWriteRejectedException extends RuntimeException {
  /** Which rule of {@link SlotWriteCheck} failed. */
  public enum Reason {
    /** Too short, bad magic, unknown version or impossible parameters. */
    MALFORMED,
    /** The embedded verifying key does not hash to the slot's storage index. */
    WRONG_KEY,
    /** The signature does not verify over the header under the embedded key. */
    BAD_SIGNATURE,
    /** The seqnum is not strictly higher than the one the server holds. */
    STALE_SEQNUM
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
