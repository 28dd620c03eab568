package org.cairnfs.storage.lease;

import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Path;
import org.mapdb.DBException;

/**
 * The lease database file is damaged (truncated, overwritten, not a database). The server
 * refuses to start rather than start empty: an empty database would silently drop every
 * owner's lease. The message says how to recover: move the file aside and start, and the
 * server re-adopts every share on disk (start-up reconciliation) with a recovered lease of one
 * lease period, during which clients renew their own (deep-check --add-lease).
 */
public final class LeaseDbDamagedException extends IOException {
  /** SQLite's primary result codes for a damaged file. */
  static final int SQLITE_CORRUPT = 11;
  static final int SQLITE_NOTADB = 26;
  private final Path file;

  LeaseDbDamagedException(Path file, Exception cause) {
    super("lease database " + file + " is damaged (" + reason(cause) + "); the shares are"
        + " untouched. To recover: move it aside with the files beside it whose names start"
        + " with " + file.getFileName() + " (mv " + file + " " + file + ".damaged) and start"
        + " again: every share on disk"
        + " is then kept under a recovered lease for one lease period, and clients' next"
        + " 'cairn deep-check --add-lease' renews their own leases", cause);
    this.file = file;
  }

  public Path file() {
    return file;
  }

  /**
   * Whether SQLite's (or, for an old database being imported, MapDB's) failure means the
   * file's bytes are wrong (not a lock, a permission or a full disk).
   */
  static boolean isDamage(Throwable e) {
    if (e instanceof java.sql.SQLException) {
      int primary = ((java.sql.SQLException) e).getErrorCode() & 0xff;
      return primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB;
    }
    if (e instanceof DBException.DataCorruption || e instanceof DBException.WrongFormat
        || e instanceof DBException.PointerChecksumBroken || e instanceof DBException.VolumeEOF) {
      return true;
    }
    if (e instanceof DBException.VolumeIOError) {
      for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
        if (c instanceof EOFException) {
          return true;
        }
      }
    }
    return false;
  }

  private static String reason(Throwable e) {
    String m = e.getMessage();
    if (m == null || m.isBlank()) {
      return e.getCause() instanceof EOFException ? "it ends too early: truncated"
          : e.getClass().getSimpleName();
    }
    int dot = m.indexOf(". ");
    return dot > 0 ? m.substring(0, dot) : m;
  }
}
