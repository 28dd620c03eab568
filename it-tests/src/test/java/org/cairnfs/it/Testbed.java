package org.cairnfs.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * Several "hosts" on one machine: each a Linux network namespace with its own address in
 * 198.18.0.0/24 (inside the 198.18.0.0/15 benchmarking range, never a real network), its
 * {@code eth0} a veth into one bridge this test bed creates. Commands run on a host behind
 * {@link Host#exec()} ({@code ip netns exec NS}). A host's link can be taken down and brought
 * back, or slowed and made lossy ({@code tc netem} where the kernel has it, else a userspace
 * {@link TapRelay}).
 *
 * <p>Everything is named after this JVM's pid, removed by {@link #close()} and, should the JVM
 * die first, by a shutdown hook; namespaces and bridges of test JVMs no longer running are
 * swept away when the next test bed is created. Needs root and iproute2: without them the test
 * is skipped on a developer's machine and fails under {@code CI=true}.
 *
 * <p>Reusable: later tests run uploads, partitions and hostile peers on it.
 */
final class Testbed implements AutoCloseable {
  static final String SUBNET = "198.18.0.";
  private static final Pattern NAMESPACE = Pattern.compile("cairn-it-(\\d+)-h\\d+");
  private static final Pattern BRIDGE = Pattern.compile("cbr(\\d+)(p\\d+)?");
  private static final Map<Testbed, Boolean> OPEN = new ConcurrentHashMap<>();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> OPEN.keySet().forEach(Testbed::close),
        "testbed-cleanup"));
  }

  /** One host: namespace, address and the bridge side of its link. */
  record Host(int index, String namespace, String address, String link) {
    /** The command prefix that runs a program on this host. */
    List<String> exec() {
      return List.of("ip", "netns", "exec", namespace);
    }

    @Override
    public String toString() {
      return "h" + index + " (" + address + ")";
    }
  }

  /** Slowness and loss added to one host's link; {@link Testbed#restore} removes it. */
  interface Impairment {
    /** "kernel netem" or "userspace TAP relay". */
    String kind();

    /** Called once, by the test bed. */
    void close();
  }

  private final long pid = ProcessHandle.current().pid();
  private final String bridge = "cbr" + pid;
  private final List<Host> hosts = new ArrayList<>();
  private final List<Impairment> impairments = new ArrayList<>();
  private boolean closed;

  private Testbed() {}

  /** Creates {@code count} hosts (h1 = 198.18.0.1, ...) on a fresh bridge. */
  static Testbed create(int count) throws IOException, InterruptedException {
    requireSupport();
    sweepStale();
    Testbed tb = new Testbed();
    OPEN.put(tb, true);
    try {
      ip("link", "add", tb.bridge, "type", "bridge");
      ip("link", "set", tb.bridge, "up");
      for (int i = 1; i <= count; i++) {
        Host h = new Host(i, "cairn-it-" + tb.pid + "-h" + i, SUBNET + i, "cv" + tb.pid + "h" + i);
        ip("netns", "add", h.namespace());
        tb.hosts.add(h);
        ip("link", "add", h.link(), "type", "veth", "peer", "name", "eth0", "netns", h.namespace());
        ip("link", "set", h.link(), "master", tb.bridge, "up");
        ip("-n", h.namespace(), "addr", "add", h.address() + "/24", "dev", "eth0");
        ip("-n", h.namespace(), "link", "set", "eth0", "up");
        ip("-n", h.namespace(), "link", "set", "lo", "up");
      }
    } catch (IOException | RuntimeException | Error e) {
      tb.close();
      throw e;
    }
    return tb;
  }

  /** Host {@code i}, 1-based. */
  Host host(int i) {
    return hosts.get(i - 1);
  }

  List<Host> hosts() {
    return List.copyOf(hosts);
  }

  /** Cuts the host off: its link goes down (as if its cable were pulled). */
  void linkDown(Host h) throws IOException, InterruptedException {
    ip("link", "set", h.link(), "down");
  }

  void linkUp(Host h) throws IOException, InterruptedException {
    ip("link", "set", h.link(), "up");
  }

  /**
   * Delays every frame on the host's link by {@code delay} and drops {@code loss} of them, each
   * way: with {@code tc netem} on both ends of the link when the kernel has it, else with a
   * userspace relay spliced into the link (the host keeps its address and connections).
   */
  synchronized Impairment impair(Host h, Duration delay, double loss)
      throws IOException, InterruptedException {
    String netem = "netem delay " + delay.toMillis() + "ms loss " + (loss * 100) + "%";
    Impairment imp;
    if (run(List.of("tc", "qdisc", "add", "dev", h.link(), "root"), netem).exit() == 0) {
      ip("netns", "exec", h.namespace(), "sh", "-c", "tc qdisc add dev eth0 root " + netem);
      imp = new Impairment() {
        @Override
        public String kind() {
          return "kernel netem";
        }

        @Override
        public void close() {
          quietly("tc", "qdisc", "del", "dev", h.link(), "root");
          quietly("ip", "netns", "exec", h.namespace(), "tc", "qdisc", "del", "dev", "eth0", "root");
        }
      };
    } else {
      imp = relay(h, delay, loss);
    }
    impairments.add(imp);
    return imp;
  }

  private Impairment relay(Host h, Duration delay, double loss)
      throws IOException, InterruptedException {
    String side = "cbr" + pid + "p" + h.index();
    String tapHost = "ct" + pid + "a" + h.index();
    String tapBridge = "ct" + pid + "b" + h.index();
    TapRelay relay = TapRelay.open(tapHost, tapBridge, delay, loss, pid * 31 + h.index());
    Impairment imp = new Impairment() {
      @Override
      public String kind() {
        return "userspace TAP relay";
      }

      @Override
      public void close() {
        quietly("ip", "link", "set", h.link(), "nomaster");
        quietly("ip", "link", "set", h.link(), "master", bridge);
        try {
          relay.close();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        quietly("ip", "link", "del", side);
      }
    };
    try {
      ip("link", "add", side, "type", "bridge");
      ip("link", "set", side, "up");
      ip("link", "set", tapHost, "master", side, "up");
      ip("link", "set", tapBridge, "master", bridge, "up");
      ip("link", "set", h.link(), "nomaster");
      ip("link", "set", h.link(), "master", side);
    } catch (IOException | RuntimeException e) {
      imp.close();
      throw e;
    }
    return imp;
  }

  /**
   * How long a TCP connect from {@code from} to {@code address:port} takes (one round trip),
   * measured inside the host's namespace.
   */
  Duration connectTime(Host from, String address, int port) throws IOException, InterruptedException {
    Result r = run(List.of("ip", "netns", "exec", from.namespace(), "bash", "-c",
        "s=$(date +%s%N); exec 3<>/dev/tcp/" + address + "/" + port
            + " && e=$(date +%s%N) && echo $((e-s))"), null);
    if (r.exit() != 0) {
      throw new IOException("connect from " + from + " to " + address + ":" + port + " failed: "
          + r.output());
    }
    return Duration.ofNanos(Long.parseLong(r.output().strip()));
  }

  /** Restores a host's link (the test bed also does so when closed). */
  synchronized void restore(Impairment imp) {
    if (impairments.remove(imp)) {
      imp.close();
    }
  }

  /** Removes every impairment, namespace and link this test bed made. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (Impairment imp : impairments) {
      imp.close();
    }
    for (Host h : hosts) {
      // Deleting the pair here is synchronous; a namespace's own links go with it only once the
      // kernel's deferred cleanup of the namespace runs, which a check right after may beat.
      quietly("ip", "link", "del", h.link());
      quietly("ip", "netns", "del", h.namespace());
    }
    quietly("ip", "link", "del", bridge);
    OPEN.remove(this);
  }

  /** The namespaces and links of this JVM's test beds that exist now (for the cleanup test). */
  static List<String> leftovers() throws IOException, InterruptedException {
    String pid = Long.toString(ProcessHandle.current().pid());
    List<String> out = new ArrayList<>();
    for (String ns : run(List.of("ip", "netns", "list"), null).output().lines().toList()) {
      if (ns.startsWith("cairn-it-" + pid + "-")) {
        out.add(ns.split(" ")[0]);
      }
    }
    for (String link : run(List.of("ip", "-o", "link", "show"), null).output().lines().toList()) {
      String name = link.split(":\\s+")[1].split("@")[0];
      if (name.matches("(cbr|cv|ct)" + pid + "\\D.*") || name.equals("cbr" + pid)) {
        out.add(name);
      }
    }
    return out;
  }

  private static void requireSupport() throws IOException, InterruptedException {
    String probe = "cairn-it-" + ProcessHandle.current().pid() + "-probe";
    Result r;
    try {
      r = run(List.of("ip", "netns", "add", probe), null);
    } catch (IOException e) {
      r = new Result(-1, e.getMessage());
    }
    if (r.exit() == 0) {
      quietly("ip", "netns", "del", probe);
      return;
    }
    String why = "network namespaces are not available here (needs root and iproute2): "
        + r.output().strip();
    if ("true".equals(System.getenv("CI"))) {
      throw new AssertionError("the multi-host test bed cannot run under CI: " + why);
    }
    Assumptions.abort(why);
  }

  /** Deletes namespaces and bridges left by test JVMs that died without cleaning up. */
  private static void sweepStale() throws IOException, InterruptedException {
    for (String line : run(List.of("ip", "netns", "list"), null).output().lines().toList()) {
      String ns = line.split(" ")[0];
      Matcher m = NAMESPACE.matcher(ns);
      if (m.matches() && !alive(Long.parseLong(m.group(1)))) {
        quietly("ip", "netns", "del", ns);
      }
    }
    for (String line : run(List.of("ip", "-o", "link", "show", "type", "bridge"), null).output()
        .lines().toList()) {
      String name = line.split(":\\s+")[1];
      Matcher m = BRIDGE.matcher(name);
      if (m.matches() && !alive(Long.parseLong(m.group(1)))) {
        quietly("ip", "link", "del", name);
      }
    }
  }

  private static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  private record Result(int exit, String output) {}

  private static void ip(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("ip"));
    cmd.addAll(List.of(args));
    Result r = run(cmd, null);
    if (r.exit() != 0) {
      throw new IOException(String.join(" ", cmd) + " exited " + r.exit() + ": " + r.output().strip());
    }
  }

  private static void quietly(String... cmd) {
    try {
      run(List.of(cmd), null);
    } catch (IOException e) {
      // cleanup goes on with the next item
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Runs a command ({@code extra} split into more words when given); output and exit code. */
  private static Result run(List<String> cmd, String extra) throws IOException, InterruptedException {
    List<String> all = new ArrayList<>(cmd);
    if (extra != null) {
      all.addAll(List.of(extra.split(" ")));
    }
    Path out = Files.createTempFile("testbed", ".out");
    try {
      Process p = new ProcessBuilder(all).redirectErrorStream(true).redirectOutput(out.toFile())
          .start();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return new Result(-1, String.join(" ", all) + " did not finish in 30 s");
      }
      return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
    }
  }
}
