package org.cairnfs.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A one-line transfer progress report on stderr (bytes, files, rate, ETA when the total is
 * known), redrawn at most five times a second; silent unless stderr is a terminal, so scripts
 * and pipes see nothing of it.
 */
final class Progress implements AutoCloseable {
  private static final long REDRAW_NANOS = 200_000_000L;

  private final PrintStream err;
  private final String label;
  private final long total;
  private final long start = System.nanoTime();
  private final AtomicLong bytes = new AtomicLong();
  private final AtomicLong items = new AtomicLong();
  private final AtomicLong lastDraw = new AtomicLong(start);
  private volatile boolean drawn;

  private Progress(PrintStream err, String label, long total) {
    this.err = err;
    this.label = label;
    this.total = total;
  }

  /** Progress of {@code label}; {@code total} bytes, or -1 if unknown. Silent off a terminal. */
  static Progress of(boolean enabled, String label, long total) {
    return new Progress(enabled ? System.err : null, label, total);
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

  void bytes(long n) {
    bytes.addAndGet(n);
    maybeDraw();
  }

  void item() {
    items.incrementAndGet();
    maybeDraw();
  }

  private void maybeDraw() {
    if (err == null) {
      return;
    }
    long now = System.nanoTime();
    long last = lastDraw.get();
    if (now - last < REDRAW_NANOS || !lastDraw.compareAndSet(last, now)) {
      return;
    }
    drawn = true;
    synchronized (err) {
      err.print("\r" + line(now) + "\033[K");
      err.flush();
    }
  }

  String line(long now) {
    double secs = Math.max(1e-3, (now - start) / 1e9);
    long b = bytes.get();
    double rate = b / secs;
    StringBuilder s = new StringBuilder(label).append(": ").append(size(b));
    if (total > 0) {
      s.append(" / ").append(size(total))
          .append(String.format(Locale.ROOT, " (%d%%)", Math.min(100, b * 100 / total)));
    }
    if (items.get() > 0) {
      s.append(", ").append(items.get()).append(" files");
    }
    s.append(", ").append(size((long) rate)).append("/s");
    if (total > 0 && rate > 0 && b < total) {
      long eta = (long) ((total - b) / rate);
      s.append(String.format(Locale.ROOT, ", ETA %d:%02d", eta / 60, eta % 60));
    }
    return s.toString();
  }

  static String size(long b) {
    if (b < 1024) {
      return b + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double v = b;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }

  /** Clears the line if anything was drawn. */
  @Override
  public void close() {
    if (err != null && drawn) {
      synchronized (err) {
        err.print("\r\033[K");
        err.flush();
      }
    }
  }
}
