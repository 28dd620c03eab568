package org.cairnfs.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The width of the terminal on stderr, from {@code stty size} run on that terminal.
 *
 * <p>Why not the progress library's own probe: it starts a JLine terminal, which took seconds
 * under a pseudo-terminal here (and a libc binding through jnr-ffi costs its class generation in
 * a cold JVM); one small process takes milliseconds.
 */
final class TerminalWidth {
  static final int FALLBACK = 80;

  private TerminalWidth() {}

  /** Columns of stderr's terminal; {@code $COLUMNS} or 80 when it cannot be asked. */
  static int ofStderr() {
    try {
      Path tty = Files.readSymbolicLink(Path.of("/proc/self/fd/2"));
      Process p = new ProcessBuilder("stty", "size").redirectInput(tty.toFile())
          .redirectError(ProcessBuilder.Redirect.DISCARD).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
      if (p.waitFor(2, TimeUnit.SECONDS) && p.exitValue() == 0) {
        int columns = parse(out);
        if (columns > 0) {
          return columns;
        }
      }
    } catch (Exception e) {
      // no stty or no terminal: fall back
    }
    return parse("0 " + System.getenv().getOrDefault("COLUMNS", "")) > 0
        ? parse("0 " + System.getenv().get("COLUMNS")) : FALLBACK;
  }

  /** The columns of {@code stty size}'s "ROWS COLUMNS"; 0 if it is not that. */
  static int parse(String sttySize) {
    String[] parts = sttySize.trim().split("\\s+");
    if (parts.length != 2) {
      return 0;
    }
    try {
      return Math.max(0, Integer.parseInt(parts[1]));
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
