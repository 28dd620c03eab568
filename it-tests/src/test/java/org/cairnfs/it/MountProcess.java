package org.cairnfs.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A FUSE mount in its own JVM ({@code org.cairnfs.fs.fuse.MemoryMountMain} over an on-disk
 * in-memory grid), so tests can SIGKILL it mid-write and mount again over the same grid and
 * cache dir. Output goes to a log file.
 */
final class MountProcess {
  private final Process process;
  private final Path log;
  final Path mountpoint;

  private MountProcess(Process process, Path log, Path mountpoint) {
    this.process = process;
    this.log = log;
    this.mountpoint = mountpoint;
  }

  /**
   * FUSE must be usable here. Under CI (CI=true) a missing FUSE fails the test; elsewhere the
   * test is skipped with the reason.
   */
  static void requireFuse() {
    String missing = null;
    if (!Files.exists(Path.of("/dev/fuse"))) {
      missing = "/dev/fuse is missing";
    } else if (!Files.isExecutable(Path.of("/usr/bin/fusermount"))
        && !Files.isExecutable(Path.of("/usr/bin/fusermount3"))) {
      missing = "fusermount is missing (apt-get install fuse3)";
    }
    if (missing != null) {
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw new AssertionError("FUSE tests must run in CI: " + missing);
      }
      Assumptions.assumeTrue(false, missing);
    }
  }

  /** Starts a mount and waits until it reports MOUNTED. */
  static MountProcess start(Path grid, Path cache, Path mountpoint, Path log, String... flags)
      throws IOException, InterruptedException {
    try {
      Files.createDirectories(mountpoint);
    } catch (java.nio.file.FileAlreadyExistsException staleMount) {
      // a killed mount's point (ENOTCONN): the new mount clears it itself
    }
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData",
        "-cp", CairnProcess.testClassPath(), "org.cairnfs.fs.fuse.MemoryMountMain",
        grid.toString(), cache.toString(), mountpoint.toString()));
    cmd.addAll(List.of(flags));
    // logs outlive the test's temp dir: target/fuse-logs/<unique>-<name>
    log = Path.of("target", "fuse-logs", System.nanoTime() + "-" + log.getFileName());
    Files.createDirectories(log.getParent());
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    MountProcess m = new MountProcess(p, log, mountpoint);
    m.awaitOutput("MOUNTED", Duration.ofSeconds(60));
    return m;
  }

  String output() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  void awaitOutput(String text, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!output().contains(text)) {
      if (!process.isAlive() && !output().contains(text)) {
        throw new AssertionError("mount exited with " + process.exitValue() + " before '"
            + text + "':\n" + output());
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("mount did not print '" + text + "' in " + timeout + ":\n"
            + output());
      }
      Thread.sleep(50);
    }
  }

  /** Unmounts as a user would (fusermount -u) and waits for the drain and exit. */
  String unmount() throws IOException, InterruptedException {
    fusermount("-u", mountpoint);
    if (!process.waitFor(90, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("mount did not exit after unmount:\n" + output());
    }
    return output();
  }

  /** SIGKILL: the mount point is left stale (ENOTCONN) for the next mount to clear. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  boolean alive() {
    return process.isAlive();
  }

  /** Leaves nothing behind: kills the process and detaches the mount point. */
  void cleanUp() throws IOException, InterruptedException {
    if (process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }
    fusermount("-uz", mountpoint);
  }

  static void fusermount(String flag, Path mp) throws IOException, InterruptedException {
    String tool = Files.isExecutable(Path.of("/usr/bin/fusermount")) ? "/usr/bin/fusermount"
        : "/usr/bin/fusermount3";
    Process p = new ProcessBuilder(tool, flag, mp.toString()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    p.waitFor(30, TimeUnit.SECONDS);
  }
}
