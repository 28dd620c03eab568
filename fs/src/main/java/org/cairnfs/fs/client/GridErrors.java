package org.cairnfs.fs.client;

import java.io.FileNotFoundException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.cairnfs.caps.CapFormatException;
import org.cairnfs.caps.dirnode.DirectoryFormatException;
import org.cairnfs.caps.dirnode.DirectoryIntegrityException;
import org.cairnfs.caps.immutable.IntegrityException;
import org.cairnfs.caps.manifest.ManifestFormatException;
import org.cairnfs.caps.mutable.MutableIntegrityException;
import org.cairnfs.fs.grid.HappinessException;
import org.cairnfs.fs.grid.NotEnoughSharesException;
import org.cairnfs.fs.mount.GridException;
import org.cairnfs.fs.mount.GridException.Kind;
import org.cairnfs.fs.mutable.SlotUnreadableException;

/**
 * The one place where the grid client's typed failures become {@link GridException} kinds for
 * the frontends: happiness not reached is NOT_HAPPY (FULL when full servers are why), data that
 * fails verification or does not parse is INTEGRITY, an object of which no answering server
 * holds a share is NOT_FOUND, and too few shares or servers (which may come back) is
 * UNREACHABLE.
 */
final class GridErrors {
  private GridErrors() {}

  /** The grid exception for a failure (unwrapping completion wrappers). */
  static GridException map(Throwable t) {
    Throwable c = unwrap(t);
    if (c instanceof GridException g) {
      return g;
    }
    String message = String.valueOf(c.getMessage() != null ? c.getMessage() : c);
    if (c instanceof HappinessException h) {
      boolean full = h.full() > 0 && h.connected() - h.full() < h.happy();
      return new GridException(full ? Kind.FULL : Kind.NOT_HAPPY, message, c);
    }
    if (c instanceof IntegrityException i && i.onlyReadFailures()) {
      // no share failed verification: the servers holding them failed to answer (as a check
      // counts such a copy missing, not corrupt), which a later attempt may get past
      return new GridException(Kind.UNREACHABLE, message, c);
    }
    if (c instanceof IntegrityException || c instanceof MutableIntegrityException
        || c instanceof DirectoryIntegrityException || c instanceof DirectoryFormatException
        || c instanceof ManifestFormatException) {
      return new GridException(Kind.INTEGRITY, message, c);
    }
    if (c instanceof SlotUnreadableException s && s.noShareFound()) {
      return new GridException(Kind.NOT_FOUND, message, c);
    }
    if (c instanceof NotEnoughSharesException n && n.found().isEmpty()) {
      return new GridException(Kind.NOT_FOUND, message, c);
    }
    if (c instanceof FileNotFoundException) {
      return new GridException(Kind.NOT_FOUND, message, c);
    }
    if (c instanceof CapFormatException) {
      // a malformed cap names nothing on the grid; retrying cannot help
      return new GridException(Kind.NOT_FOUND, message, c);
    }
    return new GridException(Kind.UNREACHABLE, message, c);
  }

  /**
   * {@code future} with its failure mapped; a plain {@link IllegalArgumentException} (the
   * caller's bad input, e.g. a name or cap the directory refuses) stays as it is.
   */
  static <T> CompletableFuture<T> mapped(CompletableFuture<T> future) {
    return future.handle((v, e) -> {
      if (e != null) {
        Throwable c = unwrap(e);
        throw new CompletionException(c.getClass() == IllegalArgumentException.class ? c
            : map(c));
      }
      return v;
    });
  }

  static <T> CompletableFuture<T> failed(Throwable t) {
    return mapped(CompletableFuture.failedFuture(t));
  }

  private static Throwable unwrap(Throwable t) {
    Throwable c = t;
    while (((c instanceof CompletionException || c instanceof ExecutionException)
        || c.getClass() == java.io.IOException.class) && c.getCause() != null) {
      // completion wrappers, and the plain IOException Await.asIo wraps other failures in
      c = c.getCause();
    }
    return c;
  }
}
