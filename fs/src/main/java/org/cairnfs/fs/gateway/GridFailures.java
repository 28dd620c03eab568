package org.cairnfs.fs.gateway;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.cairnfs.fs.mount.GridException;

/** Waits for grid futures on a worker and maps grid failures to HTTP statuses, once. */
final class GridFailures {
  private GridFailures() {}

  /** The future's value; a grid failure becomes the {@link HttpError} that says what failed. */
  static <T> T await(CompletableFuture<T> f, String what) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HttpError(HttpResponseStatus.SERVICE_UNAVAILABLE, "interrupted " + what);
    } catch (ExecutionException e) {
      throw map(e.getCause(), what);
    }
  }

  /** The HTTP error for a failure while doing {@code what}. */
  static HttpError map(Throwable t, String what) {
    Throwable c = t;
    while ((c instanceof CompletionException || c instanceof ExecutionException
        || (c instanceof java.io.IOException && !(c instanceof java.io.InterruptedIOException)))
        && c.getCause() != null) {
      c = c.getCause();
    }
    if (c instanceof HttpError h) {
      return h;
    }
    if (c instanceof UnsupportedOperationException) {
      return new HttpError(HttpResponseStatus.NOT_IMPLEMENTED, what + ": " + c.getMessage());
    }
    if (c instanceof GridException g) {
      return switch (g.kind()) {
        case NOT_FOUND -> HttpError.notFound(what + ": not on the grid (" + g.getMessage() + ")");
        case FULL -> new HttpError(HttpResponseStatus.INSUFFICIENT_STORAGE,
            what + ": the storage servers are full (" + g.getMessage() + ")");
        case NOT_HAPPY -> new HttpError(HttpResponseStatus.SERVICE_UNAVAILABLE,
            what + ": not enough storage servers to place the shares (" + g.getMessage() + ")");
        case UNREACHABLE, INTEGRITY -> new HttpError(HttpResponseStatus.SERVICE_UNAVAILABLE,
            what + ": cannot be recovered from the grid now (" + g.getMessage() + ")");
      };
    }
    return new HttpError(HttpResponseStatus.INTERNAL_SERVER_ERROR, what + " failed: " + c);
  }
}
