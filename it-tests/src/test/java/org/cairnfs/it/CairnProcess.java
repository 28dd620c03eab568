package org.cairnfs.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One {@code cairn} command running in its own JVM, its stdout and stderr going to a file so a
 * chatty child can never block on a full pipe. Started by {@link ChildJvms}, which kills it
 * after the test whatever happened.
 */
final class CairnProcess {
  /** Small, fast-starting child JVMs: 12 of them share two busy cores in the grid test. */
  private static final List<String> JVM_OPTIONS = List.of(
      "-Xmx160m", "-Xss512k", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
      "-XX:-UsePerfData", "-Djava.awt.headless=true");

  private final String name;
  private final Process process;
  private final Path output;

  private CairnProcess(String name, Process process, Path output) {
    this.name = name;
    this.process = process;
    this.output = output;
  }

  /** Starts {@code java -cp <this JVM's class path> org.cairnfs.cli.CairnCommand args}. */
  static CairnProcess start(String name, Path output, List<String> args) throws IOException {
    return start(name, output, args, List.of(), Map.of());
  }

  /**
   * Starts the command behind {@code prefix} (e.g. {@code ip netns exec NS}), with {@code env}
   * added to the environment (a null value removes the variable).
   */
  static CairnProcess start(String name, Path output, List<String> args, List<String> prefix,
      Map<String, String> env) throws IOException {
    return start(name, output, args, prefix, env, List.of());
  }

  /** As above, with JVM options after the defaults (a later -Xmx wins). */
  static CairnProcess start(String name, Path output, List<String> args, List<String> prefix,
      Map<String, String> env, List<String> jvmOptions) throws IOException {
    return startMain(name, output, "org.cairnfs.cli.CairnCommand", args, prefix, env, jvmOptions);
  }

  /** As above, running {@code mainClass} of the test class path instead of the cairn command. */
  static CairnProcess startMain(String name, Path output, String mainClass, List<String> args,
      List<String> prefix, Map<String, String> env, List<String> jvmOptions) throws IOException {
    List<String> command = new ArrayList<>(prefix);
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(JVM_OPTIONS);
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(testClassPath());
    command.add(mainClass);
    command.addAll(args);
    Files.createDirectories(output.getParent());
    ProcessBuilder pb = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()));
    // Keep children away from the user's ~/.cairn whatever a command defaults to.
    pb.environment().put("CAIRN_DIR", output.getParent().resolve("cairn-home").toString());
    pb.environment().remove("CAIRN_DEBUG");
    pb.environment().remove("CAIRN_LOG_LEVEL");
    env.forEach((k, v) -> {
      if (v == null) {
        pb.environment().remove(k);
      } else {
        pb.environment().put(k, v);
      }
    });
    return new CairnProcess(name, pb.start(), output);
  }

  /**
   * The test class path: surefire may boot through a manifest-only jar, in which case the real
   * path is in {@code surefire.test.class.path}.
   */
  static String testClassPath() {
    String surefire = System.getProperty("surefire.test.class.path");
    return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
  }

  String name() {
    return name;
  }

  Process process() {
    return process;
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Everything the process printed so far. */
  String output() {
    try {
      return Files.readString(output, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(cannot read " + output + ": " + e + ")";
    }
  }

  /** Waits until the output contains {@code text}; fails at once if the process dies first. */
  void awaitOutput(String text, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      String out = output();
      if (out.contains(text)) {
        return;
      }
      if (!process.isAlive()) {
        throw new AssertionError(name + " exited with " + process.exitValue() + " before printing '"
            + text + "'; output:\n" + out);
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(name + " did not print '" + text + "' within " + timeout
            + "; output:\n" + out);
      }
      Thread.sleep(50);
    }
  }

  /** Waits for the exit and returns the exit code; kills it and fails after {@code timeout}. */
  int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(name + " still running after " + timeout + "; output:\n" + output());
    }
    return process.exitValue();
  }

  /** SIGTERM, then SIGKILL if it is still there after {@code grace}. */
  void stop(Duration grace) throws InterruptedException {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
      kill();
    }
  }

  /** SIGKILL, like a power cut for this process; returns once it is gone. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new AssertionError(name + " (pid " + process.pid() + ") survived SIGKILL for 30 s");
    }
  }

  @Override
  public String toString() {
    return name + " (pid " + process.pid() + ")";
  }
}
