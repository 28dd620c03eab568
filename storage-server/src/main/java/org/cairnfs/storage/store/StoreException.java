package org.cairnfs.storage.store;

/**
 * A request the store refused, with a reason a client can act on and a message it can show.
 * Disk failures are {@link java.io.IOException}s instead: they are the server's fault.
 */
public final class StoreException extends Exception {
  /** Why; each maps to one protocol error code. */
  public enum Reason {
    /** Not enough space under max-space or above the reserved free space. */
    SERVER_FULL,
    /** The declared share size is over the server's maximum. */
    SHARE_TOO_BIG,
    /** No such share, upload or lease. */
    NOT_FOUND,
    /** Malformed or out-of-bounds request (offset, length, share number, conflicting write). */
    BAD_REQUEST,
    /** Well-formed but refused: a failed mutable write check. */
    REJECTED,
    /** Too many uploads or slot writes open at once; retry later or elsewhere. */
    BUSY
  }

  private final Reason reason;

  public StoreException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }

  static StoreException badRequest(String message) {
    return new StoreException(Reason.BAD_REQUEST, message);
  }

  static StoreException notFound(String message) {
    return new StoreException(Reason.NOT_FOUND, message);
  }
}
