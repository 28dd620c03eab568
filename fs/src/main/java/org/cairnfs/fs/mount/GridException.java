package org.cairnfs.fs.mount;

/** A grid operation failed; the kind decides whether the mount retries and which errno shows. */
public final class GridException extends Exception {
  private static final long serialVersionUID = 1L;

  /** What went wrong, as far as the mount cares. */
  public enum Kind {
    /** Too few servers answered: retried with backoff, EIO to fsync if it persists. */
    UNREACHABLE,
    /** Shares could not be placed on {@code happy} distinct servers: ENOSPC. */
    NOT_HAPPY,
    /** Servers are out of space: ENOSPC. */
    FULL,
    /** Data failed verification on every source: EIO. */
    INTEGRITY,
    /** The object named by the cap is not on the grid. */
    NOT_FOUND
  }

  private final Kind kind;

  public GridException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public GridException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }

  /** The grid exception inside a failed future, or UNREACHABLE wrapping anything else. */
  static GridException of(Throwable t) {
    Throwable c = t;
    while ((c instanceof java.util.concurrent.CompletionException
        || c instanceof java.util.concurrent.ExecutionException) && c.getCause() != null) {
      c = c.getCause();
    }
    if (c instanceof GridException g) {
      return g;
    }
    return new GridException(Kind.UNREACHABLE, String.valueOf(c), c);
  }
}
