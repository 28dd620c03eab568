package org.cairnfs.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.atomic.AtomicLong;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * The progress line of a transfer or a deep-check on stderr: bytes (or objects) done, rate, and
 * the ETA when the total is known, redrawn five times a second by me.tongfei:progressbar.
 *
 * <p>Why quiet off a terminal: scripts and pipes must see exactly the verb's results, so when
 * stderr is not a terminal nothing is drawn and no drawing thread or terminal probe starts.
 */
final class Progress implements AutoCloseable {
  private static final int REDRAW_MILLIS = 200;
  private static final Progress QUIET = new Progress(null, false);

  private final ProgressBar bar;
  private final boolean countsObjects;
  private final AtomicLong files = new AtomicLong();

  private Progress(ProgressBar bar, boolean countsObjects) {
    this.bar = bar;
    this.countsObjects = countsObjects;
  }

  /** Progress of {@code label} in bytes ({@code total}, or -1 if unknown); quiet if disabled. */
  static Progress of(boolean enabled, String label, long total) {
    return enabled ? drawing(System.err, TerminalWidth.ofStderr(), label, total, false) : QUIET;
  }

  /** Progress of {@code label} counted in objects (deep-check); quiet if disabled. */
  static Progress objects(boolean enabled, String label) {
    return enabled ? drawing(System.err, TerminalWidth.ofStderr(), label, -1, true) : QUIET;
  }

  /**
   * A drawn progress line on {@code to}, at most {@code width} columns (0: the library probes
   * the terminal itself, which is slow).
   */
  static Progress drawing(PrintStream to, int width, String label, long total,
      boolean countsObjects) {
    ProgressBarBuilder b = new ProgressBarBuilder()
        .setTaskName(label)
        .setInitialMax(total > 0 ? total : -1)
        .setStyle(ProgressBarStyle.ASCII)
        .setUpdateIntervalMillis(REDRAW_MILLIS)
        .setConsumer(width > 0 ? new ConsoleProgressBarConsumer(to, width)
            : new ConsoleProgressBarConsumer(to))
        .showSpeed()
        .setSpeedUnit(ChronoUnit.SECONDS)
        .clearDisplayOnFinish();
    if (countsObjects) {
      b.setUnit(" objects", 1);
    } else {
      b.setUnit(" MiB", 1 << 20);
    }
    return new Progress(b.build(), countsObjects);
  }

  /** Whether this process's stderr is a terminal (Linux: where fd 2 points). */
  static boolean stderrIsTerminal() {
    try {
      String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
      return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
    } catch (Exception e) {
      return false;
    }
  }

  boolean isQuiet() {
    return bar == null;
  }

  /** {@code n} more bytes moved. */
  void bytes(long n) {
    if (bar != null && !countsObjects) {
      bar.stepBy(n);
    }
  }

  /** One more file moved, or object checked. */
  void item() {
    if (bar == null) {
      return;
    }
    if (countsObjects) {
      bar.step();
    } else {
      bar.setExtraMessage(files.incrementAndGet() + " files");
    }
  }

  /** Stops drawing and clears the line. */
  @Override
  public void close() {
    if (bar != null) {
      bar.close();
    }
  }
}
