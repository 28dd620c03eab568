package org.cairnfs.cli;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Runs a {@code cairn mount} in a process of its own (Java cannot fork): the same JVM and class
 * path, the same arguments plus {@code --foreground}, in a new session so that the terminal's
 * Ctrl-C or hang-up does not reach it, its output in the node's {@code logs/}. The starter
 * returns once the child says it mounted, or fails with the child's last words.
 */
final class Background {
  /** How long the starter waits for the child to mount (it waits for servers first). */
  static final long START_TIMEOUT_SECONDS = 180;

  private Background() {}

  static int start(CommandSpec spec, Path mountpoint, Path nodeDir)
      throws IOException, InterruptedException {
    Path logs = Files.createDirectories(new NodeDirectory(nodeDir).logs());
    Path log = logs.resolve("mount-" + MountSession.rootId(mountpoint.toString()).substring(0, 8)
        + ".out");
    List<String> cmd = new ArrayList<>();
    if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
      cmd.add("/usr/bin/setsid");
    }
    cmd.add(ProcessHandle.current().info().command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(CairnCommand.class.getName());
    cmd.addAll(spec.commandLine().getParseResult().originalArgs());
    cmd.add("--foreground");
    long from = Files.exists(log) ? Files.size(log) : 0;
    Process child = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_TIMEOUT_SECONDS);
    String marker = MountCommand.MOUNTED + " " + mountpoint;
    while (true) {
      String said = since(log, from);
      if (said.contains(marker)) {
        spec.commandLine().getOut().print(said);
        spec.commandLine().getOut().println("(the mount runs in process " + child.pid()
            + "; its output goes to " + log + ")");
        return 0;
      }
      if (!child.isAlive()) {
        spec.commandLine().getErr().print(said);
        return child.exitValue() == 0 ? ExitCode.FAILURE.code : child.exitValue();
      }
      if (System.nanoTime() > deadline) {
        child.destroy();
        throw new CliException(ExitCode.FAILURE, "the mount did not come up within "
            + START_TIMEOUT_SECONDS + " s; see " + log);
      }
      Thread.sleep(100);
    }
  }

  private static String since(Path log, long from) throws IOException {
    byte[] all = Files.readAllBytes(log);
    return from >= all.length ? "" : new String(all, (int) from, all.length - (int) from,
        StandardCharsets.UTF_8);
  }
}
