package org.cairnfs.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.cairnfs.fs.fuse.FuseMount;

/**
 * How the CLI acts on a running mount from outside its process, through the kernel only: no
 * socket, no pid file. {@link #sync} is {@code fsync} of the mount point directory, which the
 * mount answers as a global barrier (its {@code fsyncdir} returns once everything journaled
 * before it is on the grid); {@link #unmount} is that barrier, then {@code fusermount -u}.
 *
 * <p>Why the kernel: it already names each mount (mountinfo), routes the request to the right
 * process, and reports its answer as an errno, whichever user or node directory started it.
 */
final class MountControl {
  private MountControl() {}

  /** The mount point as the kernel names it; fails when no Cairn mount is there. */
  static Path requireMount(Path mountpoint) {
    Path mp = mountpoint.toAbsolutePath().normalize();
    if (!FuseMount.isCairnMount(mp)) {
      throw new CliException(ExitCode.USAGE, mp + " is not a Cairn mount"
          + (FuseMount.cairnMounts().isEmpty() ? " (none is mounted)"
          : " (Cairn mounts: " + String.join(", ",
              FuseMount.cairnMounts().stream().map(Path::toString).toList()) + ")"));
    }
    return mp;
  }

  /**
   * Waits until everything the mount at {@code mp} had accepted is on the grid, up to
   * {@code timeout}, telling {@code out} every few seconds that it still waits.
   *
   * @return true once done; false on timeout (the mount keeps uploading)
   * @throws CliException (I/O) when the mount reports an upload failure (EIO, ENOSPC)
   */
  static boolean sync(Path mp, Duration timeout, PrintWriter out) throws InterruptedException {
    CompletableFuture<Void> done = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      try (FileChannel dir = FileChannel.open(mp, StandardOpenOption.READ)) {
        dir.force(true);
        done.complete(null);
      } catch (Throwable e) {
        done.completeExceptionally(e);
      }
    }, "cairn-sync");
    t.setDaemon(true); // stuck in the kernel for a grid that never comes back: exit anyway
    t.start();
    long deadline = System.nanoTime() + timeout.toNanos();
    long started = System.nanoTime();
    while (true) {
      long left = deadline - System.nanoTime();
      try {
        done.get(Math.max(0, Math.min(left, TimeUnit.SECONDS.toNanos(5))), TimeUnit.NANOSECONDS);
        return true;
      } catch (TimeoutException e) {
        if (System.nanoTime() >= deadline) {
          return false;
        }
        out.printf("%s: waiting for uploads (%d s)%n", mp,
            TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
        out.flush();
      } catch (ExecutionException e) {
        throw new CliException(ExitCode.IO, "sync of " + mp + " failed: "
            + Cli.messageOf(e.getCause()) + failureHint(Cli.messageOf(e.getCause())));
      }
    }
  }

  /** What a failed sync's errno means here: ENOSPC is the grid's, not the local disk's. */
  static String failureHint(String message) {
    return message.contains("No space left on device")
        ? " (the grid could not take the uploads: too few servers reachable for happiness, or"
            + " they are full; 'cairn status' and the mount's log say which; the mount keeps"
            + " retrying)"
        : " (the mount's log says why; it keeps retrying)";
  }

  /**
   * Unmounts {@code mp} with fusermount and waits until the kernel no longer shows it;
   * {@code lazy} detaches it even while files are open there.
   */
  static void unmount(Path mp, boolean lazy) throws IOException, InterruptedException {
    String tool = Files.isExecutable(Path.of("/usr/bin/fusermount3")) ? "/usr/bin/fusermount3"
        : Files.isExecutable(Path.of("/usr/bin/fusermount")) ? "/usr/bin/fusermount"
        : "fusermount";
    Process p = new ProcessBuilder(List.of(tool, lazy ? "-uz" : "-u", mp.toString()))
        .redirectErrorStream(true).start();
    String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    if (p.waitFor() != 0) {
      throw new CliException(ExitCode.FAILURE, "unmounting " + mp + " failed: " + said
          + (said.contains("busy") ? " (close the files open there, or leave that folder, and"
          + " try again; 'cairn unmount --lazy' detaches it now)" : ""));
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (FuseMount.isCairnMount(mp)) {
      if (System.nanoTime() > deadline) {
        throw new CliException(ExitCode.FAILURE, mp + " is still mounted 30 s after "
            + tool + " -u");
      }
      Thread.sleep(50);
    }
  }

  /** Whether a path answers at all (a mount whose process died answers ENOTCONN). */
  static boolean alive(Path mp) {
    try {
      Files.readAttributes(mp, "unix:ino");
      return true;
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }
}
