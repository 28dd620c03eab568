package org.cairnfs.cli;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.cairnfs.cli.config.ConfigException;
import org.cairnfs.cli.config.ConfigTemplate;
import org.cairnfs.cli.config.NodeConfig;
import org.cairnfs.introducer.HostPort;
import org.cairnfs.introducer.IntroducerUrl;
import org.cairnfs.introducer.client.GridServer;
import org.cairnfs.protocol.identity.NodeKey;
import org.cairnfs.storage.config.ByteSize;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * A whole grid in one process: an introducer and ten storage servers on loopback, with their
 * state kept under {@code --state} so data survives restarts.
 */
@Command(name = "demo",
    description = "Start a local grid (an introducer and 10 storage servers on loopback) in this"
        + " process; state survives restarts. The FUSE mount of DIR is not built yet.")
final class DemoCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  static final int SERVERS = 10;

  @Parameters(index = "0", paramLabel = "DIR",
      description = "Where the grid will be mounted (the mount is not built yet).")
  Path mountPoint;

  @Option(names = "--state", paramLabel = "PATH",
      description = "Where the grid keeps its nodes (default: $CAIRN_DIR/demo or ~/.cairn/demo).")
  Path state;

  @Option(names = "--servers", defaultValue = "" + SERVERS,
      description = "Number of storage servers (default: ${DEFAULT-VALUE}).")
  int servers;

  @Option(names = "--exit-when-ready", hidden = true,
      description = "Stop once every server is seen (for tests and scripts).")
  boolean exitWhenReady;

  @Override
  public Integer call() throws Exception {
    if (servers < 1 || servers > 256) {
      throw new CliException(ExitCode.USAGE, "--servers must be 1-256, got " + servers);
    }
    Path root = (state != null ? state : defaultState()).toAbsolutePath();
    Files.createDirectories(root);
    Logging.toDirectory(Files.createDirectories(root.resolve("logs")), false);
    List<NodeDirectory> dirs = createMissing(root);
    StaleTempLibs.sweepTempDir();
    List<RunningNode> nodes = new ArrayList<>();
    Runnable stopAll = () -> {
      for (int i = nodes.size() - 1; i >= 0; i--) {
        nodes.get(i).close();
      }
    };
    try {
      for (NodeDirectory d : dirs) {
        nodes.add(startMovingPortIfTaken(d, dirs));
      }
    } catch (Exception e) {
      stopAll.run();
      throw e;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      stopAll.run();
      stopped.countDown();
    }, "cairn-demo-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);

    RunningNode client = nodes.get(1);
    List<GridServer> seen = client.membership().awaitServers(servers, Duration.ofSeconds(30));
    out().printf("Cairn demo grid: introducer %s%n", nodes.get(0).introducer().url("127.0.0.1"));
    for (GridServer s : seen) {
      out().printf("  %-12s %s  %-21s free %s%n", s.nickname(), s.nodeId().shortForm(),
          s.addresses().isEmpty() ? "-" : s.addresses().get(0), ByteSize.format(s.freeSpace()));
    }
    out().printf("%d of %d storage servers up; state in %s%n", seen.size(), servers, root);
    out().println("The FUSE mount of " + mountPoint.toAbsolutePath()
        + " is not built yet: today the demo runs the grid (storage servers and introducer)."
        + " Ctrl-C stops it.");
    if (exitWhenReady) {
      Runtime.getRuntime().removeShutdownHook(hook);
      stopAll.run();
      return seen.size() == servers ? 0 : ExitCode.UNAVAILABLE.code;
    }
    stopped.await();
    return 0;
  }

  /** Where the demo keeps its nodes unless --state says otherwise. */
  static Path defaultState() {
    return Cli.defaultNodeDir().resolve("demo");
  }

  /** The directory name of the demo's storage node {@code i}. */
  static String nodeName(int i) {
    return String.format("storage-%02d", i);
  }

  /**
   * Starts one of the demo's nodes; when its pinned port was taken since the demo was created,
   * moves it to a free port (the introducer's new URL goes into every server's config) and
   * tries once more, saying so.
   */
  private RunningNode startMovingPortIfTaken(NodeDirectory d, List<NodeDirectory> all)
      throws Exception {
    try {
      return RunningNode.start(d);
    } catch (IOException e) {
      if (StartChecks.listenFailure(d, NodeConfig.read(d.root()), e) == null) {
        throw e;
      }
      int old = NodeConfig.read(d.root()).port();
      int port = freePort();
      NodeConfig.update(d.root(), Map.of("node.port", Integer.toString(port)));
      if (d.equals(all.get(0))) {
        String url = introducerUrl(d);
        for (NodeDirectory server : all.subList(1, all.size())) {
          NodeConfig.update(server.root(), Map.of("client.introducers", url));
        }
      }
      out().printf("Port %d of the demo's %s is taken by another program; moved it to %d%n", old,
          d.root().getFileName(), port);
      try {
        return RunningNode.start(d);
      } catch (IOException again) {
        RuntimeException named = StartChecks.listenFailure(d, NodeConfig.read(d.root()), again);
        if (named != null) {
          named.initCause(again);
          throw named;
        }
        throw again;
      }
    }
  }

  /** Introducer first, then the servers; existing node directories are reused as they are. */
  private List<NodeDirectory> createMissing(Path root) throws IOException {
    List<NodeDirectory> dirs = new ArrayList<>();
    NodeDirectory intro = new NodeDirectory(root.resolve("introducer"));
    if (!intro.exists()) {
      intro.create(ConfigTemplate.introducer("introducer", "127.0.0.1", freePort()));
    }
    dirs.add(intro);
    String url = null;
    for (int i = 0; i < servers; i++) {
      NodeDirectory node = new NodeDirectory(root.resolve(nodeName(i)));
      if (!node.exists()) {
        if (url == null) {
          url = introducerUrl(intro);
        }
        node.create(ConfigTemplate.node(nodeName(i), "127.0.0.1", freePort(),
            List.of(url), true, "storage", null, "1G"));
      }
      dirs.add(node);
    }
    return dirs;
  }

  /** The URL of a not-yet-running introducer, from its key and configured port. */
  private static String introducerUrl(NodeDirectory intro) throws IOException {
    try {
      NodeConfig config = NodeConfig.read(intro.root());
      NodeKey key = NodeKey.load(intro.nodeKey());
      return new IntroducerUrl(key.nodeId(), new HostPort(config.hostname(), config.port()))
          .toString();
    } catch (ConfigException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private java.io.PrintWriter out() {
    return spec.commandLine().getOut();
  }
}
