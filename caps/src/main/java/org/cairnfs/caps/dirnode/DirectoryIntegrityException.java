package org.cairnfs.caps.dirnode;

/**
 * A sealed child write cap failed authentication: it was altered, moved to another entry name,
 * or sealed under another directory's key. The cap is never returned in that case.
 */
public final class DirectoryIntegrityException extends RuntimeException {
  public DirectoryIntegrityException(String message, Throwable cause) {
    super(message, cause);
  }
}
