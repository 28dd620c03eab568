package org.cairnfs.fs.mount;

/** A mount operation failed for the reason {@link #error()}; the message says what and where. */
public final class FsException extends Exception {
  private static final long serialVersionUID = 1L;
  private final FsError error;

  public FsException(FsError error, String message) {
    super(message);
    this.error = error;
  }

  public FsException(FsError error, String message, Throwable cause) {
    super(message, cause);
    this.error = error;
  }

  public FsError error() {
    return error;
  }

  /** The errno reason for a grid failure: ENOSPC when space or happiness lacks, else EIO. */
  static FsException of(GridException e, String what) {
    FsError err = switch (e.kind()) {
      case NOT_HAPPY, FULL -> FsError.NO_SPACE;
      case NOT_FOUND -> FsError.IO;
      default -> FsError.IO;
    };
    return new FsException(err, what + ": " + e.getMessage(), e);
  }

  @Override
  public String toString() {
    return error + ": " + getMessage();
  }
}
