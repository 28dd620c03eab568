package org.cairnfs.it;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Real storage servers in a JVM of their own ({@code org.cairnfs.fs.testing.GridHostMain}),
 * outliving the mount processes started over them; answers how many bytes the servers
 * received and kills or restarts a server on request.
 */
final class GridHost implements AutoCloseable {
  private final Process process;
  private final Path log;
  private final OutputStream commands;
  final Path serversFile;

  private GridHost(Process process, Path log, Path serversFile) {
    this.process = process;
    this.log = log;
    this.commands = process.getOutputStream();
    this.serversFile = serversFile;
  }

  static GridHost start(Path dir, int servers) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    Path log = Path.of("target", "fuse-logs", System.nanoTime() + "-grid-host.log");
    Files.createDirectories(log.getParent());
    Process p = new ProcessBuilder(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData",
        "-cp", CairnProcess.testClassPath(), "org.cairnfs.fs.testing.GridHostMain",
        dir.toString(), Integer.toString(servers)))
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start();
    GridHost h = new GridHost(p, log, dir.resolve("servers"));
    h.await("READY", Duration.ofSeconds(60));
    return h;
  }

  /** The flags that mount a {@code MountProcess} over these servers with k, happy, n. */
  String[] mountFlags(int k, int happy, int n) {
    return new String[] {"--servers", serversFile.toString(), "--k", Integer.toString(k),
        "--happy", Integer.toString(happy), "--n", Integer.toString(n)};
  }

  long received() throws IOException, InterruptedException {
    String line = command("received", "RECEIVED ");
    return Long.parseLong(line.substring("RECEIVED ".length()).trim());
  }

  void kill(int server) throws IOException, InterruptedException {
    command("kill " + server, "KILLED " + server);
  }

  void restart(int server) throws IOException, InterruptedException {
    command("start " + server, "STARTED " + server);
  }

  private synchronized String command(String line, String answer)
      throws IOException, InterruptedException {
    int seen = count(answer);
    commands.write((line + "\n").getBytes(StandardCharsets.UTF_8));
    commands.flush();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (count(answer) == seen) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        throw new AssertionError("grid host did not answer '" + line + "':\n" + output());
      }
      Thread.sleep(20);
    }
    List<String> lines = output().lines().filter(l -> l.startsWith(answer)).toList();
    return lines.get(lines.size() - 1);
  }

  private int count(String prefix) {
    return (int) output().lines().filter(l -> l.startsWith(prefix)).count();
  }

  private void await(String text, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!output().contains(text)) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        throw new AssertionError("grid host did not print " + text + ":\n" + output());
      }
      Thread.sleep(50);
    }
  }

  String output() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  @Override
  public void close() throws InterruptedException {
    try {
      commands.close(); // end of input stops the servers
    } catch (IOException e) {
      // gone already
    }
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(20, TimeUnit.SECONDS);
    }
  }
}
