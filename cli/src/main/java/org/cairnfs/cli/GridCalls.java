package org.cairnfs.cli;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.cairnfs.fs.mount.GridException;

/**
 * Waits for a grid call and turns its failure into the CLI's one-line message and exit code:
 * what the command was doing, then the grid's reason (a NOT_HAPPY upload names the servers
 * connected, asked and accepted).
 */
final class GridCalls {
  private GridCalls() {}

  /** The future's value; on failure a {@link CliException} saying "cannot {what}: reason". */
  static <T> T await(CompletableFuture<T> f, String what) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException(ExitCode.FAILURE, "interrupted: " + what);
    } catch (ExecutionException e) {
      throw failure(e.getCause(), what);
    }
  }

  /** The CLI failure for {@code cause} while doing {@code what}. */
  static CliException failure(Throwable cause, String what) {
    Throwable c = unwrap(cause);
    if (c instanceof CliException ce) {
      return ce;
    }
    if (c instanceof GridException g) {
      return new CliException(exitCode(g.kind()), "cannot " + what + ": " + reason(g));
    }
    if (c instanceof java.io.IOException io && unwrap(io.getCause()) instanceof GridException g) {
      return new CliException(exitCode(g.kind()), "cannot " + what + ": " + reason(g));
    }
    String m = Cli.messageOf(c);
    return new CliException(c instanceof java.io.IOException ? ExitCode.IO : ExitCode.FAILURE,
        "cannot " + what + ": " + m);
  }

  static Throwable unwrap(Throwable t) {
    Throwable c = t;
    while ((c instanceof CompletionException || c instanceof ExecutionException)
        && c.getCause() != null) {
      c = c.getCause();
    }
    return c;
  }

  static ExitCode exitCode(GridException.Kind kind) {
    return switch (kind) {
      case UNREACHABLE, NOT_HAPPY, FULL -> ExitCode.UNAVAILABLE;
      case INTEGRITY -> ExitCode.IO;
      case NOT_FOUND -> ExitCode.NOT_FOUND;
    };
  }

  private static String reason(GridException g) {
    String m = g.getMessage();
    String what = switch (g.kind()) {
      case UNREACHABLE -> "grid unreachable";
      case NOT_HAPPY -> "not enough servers took shares";
      case FULL -> "servers are full";
      case INTEGRITY -> "data failed verification";
      case NOT_FOUND -> "not on the grid";
    };
    return m == null || m.isBlank() ? what : what + " (" + m + ")";
  }
}
