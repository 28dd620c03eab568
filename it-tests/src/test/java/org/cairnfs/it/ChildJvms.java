package org.cairnfs.it;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The child JVMs one test class started. {@link #close()} SIGKILLs every one still running; a
 * JVM shutdown hook does the same for all groups, so not even an aborted test run leaves
 * servers behind.
 */
final class ChildJvms implements AutoCloseable {
  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();
  private static final Pattern STORAGE_PORT = Pattern.compile("storage on port (\\d+)");

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly),
        "it-tests-kill-children"));
  }

  private final Path logs;
  private final List<CairnProcess> started = new CopyOnWriteArrayList<>();
  private int serial;

  /** Child output goes to files under {@code logs}. */
  ChildJvms(Path logs) {
    this.logs = logs;
  }

  /** Starts {@code cairn args...} as a child JVM. */
  CairnProcess start(String name, String... args) throws IOException {
    return start(List.of(), Map.of(), name, args);
  }

  /**
   * Starts {@code cairn args...} behind {@code prefix} (e.g. {@code ip netns exec NS}) with
   * {@code env} added (a null value removes a variable).
   */
  synchronized CairnProcess start(List<String> prefix, Map<String, String> env, String name,
      String... args) throws IOException {
    return startWithOptions(prefix, env, List.of(), name, args);
  }

  /** {@link #start(List, Map, String, String...)} with extra JVM options (e.g. a larger heap). */
  synchronized CairnProcess startWithOptions(List<String> prefix, Map<String, String> env,
      List<String> jvmOptions, String name, String... args) throws IOException {
    String file = String.format("%03d-%s.log", ++serial, name);
    CairnProcess p = CairnProcess.start(name, logs.resolve(file), List.of(args), prefix, env,
        jvmOptions);
    started.add(p);
    LIVE.add(p.process());
    p.process().onExit().thenRun(() -> LIVE.remove(p.process()));
    return p;
  }

  /** Starts {@code mainClass args...} (a class of the test class path) as a child JVM. */
  synchronized CairnProcess startMain(Map<String, String> env, List<String> jvmOptions,
      String name, Class<?> mainClass, String... args) throws IOException {
    String file = String.format("%03d-%s.log", ++serial, name);
    CairnProcess p = CairnProcess.startMain(name, logs.resolve(file), mainClass.getName(),
        List.of(args), List.of(), env, jvmOptions);
    started.add(p);
    LIVE.add(p.process());
    p.process().onExit().thenRun(() -> LIVE.remove(p.process()));
    return p;
  }

  /** Runs {@code cairn args...} to completion (bounded by {@code timeout}). */
  CairnProcess exec(Duration timeout, String name, String... args)
      throws IOException, InterruptedException {
    CairnProcess p = start(name, args);
    p.awaitExit(timeout);
    return p;
  }

  /** Runs {@code cairn args...} behind {@code prefix} to completion (bounded by {@code timeout}). */
  CairnProcess exec(List<String> prefix, Duration timeout, String name, String... args)
      throws IOException, InterruptedException {
    CairnProcess p = start(prefix, Map.of(), name, args);
    p.awaitExit(timeout);
    return p;
  }

  /** {@code cairn run DIR}, without waiting for it to come up. */
  CairnProcess run(Path nodeDir) throws IOException {
    return start(nodeDir.getFileName().toString(), "run", nodeDir.toString());
  }

  /** Starts an introducer and waits until it listens. */
  CairnProcess runIntroducer(Path dir, Duration timeout) throws IOException, InterruptedException {
    CairnProcess p = run(dir);
    p.awaitOutput("Introducer running", timeout);
    return p;
  }

  /** Starts nodes in parallel and waits until every one listens. */
  List<CairnProcess> runNodes(List<Path> dirs, Duration timeout)
      throws IOException, InterruptedException {
    List<CairnProcess> procs = new ArrayList<>();
    for (Path d : dirs) {
      procs.add(run(d));
    }
    for (CairnProcess p : procs) {
      p.awaitOutput(" running", timeout);
    }
    return procs;
  }

  /** The storage port a running node printed at start-up. */
  static int storagePort(CairnProcess node) {
    Matcher m = STORAGE_PORT.matcher(node.output());
    int port = -1;
    while (m.find()) {
      port = Integer.parseInt(m.group(1)); // the last start's port
    }
    if (port < 0) {
      throw new AssertionError(node + " printed no storage port; output:\n" + node.output());
    }
    return port;
  }

  /** SIGKILLs every child still running and waits until each is gone. */
  @Override
  public void close() throws InterruptedException {
    for (CairnProcess p : started) {
      p.process().destroyForcibly();
    }
    for (CairnProcess p : started) {
      p.kill();
    }
    started.clear();
  }
}
