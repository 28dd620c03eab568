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
import org.cairnfs.caps.immutable.EncodingParams;
import org.cairnfs.cli.config.ConfigException;
import org.cairnfs.cli.config.ConfigTemplate;
import org.cairnfs.cli.config.NodeConfig;
import org.cairnfs.fs.fuse.FuseMount;
import org.cairnfs.fs.gateway.Gateway;
import org.cairnfs.introducer.HostPort;
import org.cairnfs.introducer.IntroducerUrl;
import org.cairnfs.introducer.client.GridServer;
import org.cairnfs.protocol.identity.NodeKey;
import org.cairnfs.storage.config.ByteSize;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * A whole grid in one process, mounted: an introducer and ten storage servers on loopback, a
 * client node beside them whose root directory is created on the first run and kept (alias
 * {@value RootAlias#DEFAULT}), and that root mounted at MOUNTPOINT. State lives under
 * {@code --dir}, so a second run shows the same files; Ctrl-C uploads what is pending,
 * unmounts and stops the grid. A {@link DemoCollector} deletes what no alias reaches any more.
 */
@Command(name = "demo",
    description = "Start a local grid (an introducer and 10 storage servers on loopback) in this"
        + " process and mount its root directory at MOUNTPOINT. State survives restarts; every"
        + " cairn command works against the grid with the --node it prints. Ctrl-C unmounts"
        + " and stops.")
final class DemoCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  static final int SERVERS = 10;
  /** The demo's client node directory, inside its state directory. */
  static final String CLIENT = "client";

  @Parameters(index = "0", arity = "0..1", paramLabel = "MOUNTPOINT",
      description = "Where the grid is mounted (default: ~/cairn; created if missing).")
  Path mountPoint;

  @Option(names = {"--dir", "--state"}, paramLabel = "DIR",
      description = "Where the grid keeps its nodes (default: $CAIRN_DIR/demo or ~/.cairn/demo).")
  Path state;

  @Option(names = "--servers", defaultValue = "" + SERVERS,
      description = "Number of storage servers (default: ${DEFAULT-VALUE}).")
  int servers;

  @Option(names = "--no-mount", description = "Run the grid only; mount nothing.")
  boolean noMount;

  @Mixin
  WebOptions web = new WebOptions();

  @Option(names = "--keep-unlinked-seconds", hidden = true, defaultValue = "86400",
      description = "How long the collector keeps shares linked from nowhere (tests).")
  long keepUnlinkedSeconds;

  @Option(names = "--collect-after-seconds", hidden = true, defaultValue = "600",
      description = "When the collector's first round runs (tests).")
  long collectAfterSeconds;

  @Option(names = "--collect-every-seconds", hidden = true, defaultValue = "3600",
      description = "How often the collector runs (tests).")
  long collectEverySeconds;

  @Option(names = "--exit-when-ready", hidden = true,
      description = "Stop once every server is seen, without a client or a mount (tests).")
  boolean exitWhenReady;

  @Override
  public Integer call() throws Exception {
    if (servers < 1 || servers > 256) {
      throw new CliException(ExitCode.USAGE, "--servers must be 1-256, got " + servers);
    }
    if (keepUnlinkedSeconds < 0 || collectAfterSeconds < 0 || collectEverySeconds < 1) {
      throw new CliException(ExitCode.USAGE, "the collector's seconds must be positive");
    }
    Path root = (state != null ? state : defaultState()).toAbsolutePath();
    Interrupts.restore();
    if (!noMount && !exitWhenReady) {
      FuseMount.checkFuseAvailable(); // before anything starts: say what to install
    }
    Files.createDirectories(root);
    Logging.toDirectory(Files.createDirectories(root.resolve("logs")), false);
    List<NodeDirectory> dirs = createMissing(root);
    StaleTempLibs.sweepTempDir();
    DemoParts parts = new DemoParts(out());
    try {
      for (NodeDirectory d : dirs) {
        parts.nodes.add(startMovingPortIfTaken(d, dirs, root));
      }
    } catch (Exception e) {
      parts.stop();
      throw e;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      parts.stop();
      stopped.countDown();
    }, "cairn-demo-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);

    RunningNode first = parts.nodes.get(1);
    List<GridServer> seen = first.membership().awaitServers(servers, Duration.ofSeconds(30));
    out().printf("Cairn demo grid: introducer %s%n", parts.nodes.get(0).introducer().url("127.0.0.1"));
    for (GridServer s : seen) {
      out().printf("  %-12s %s  %-21s free %s%n", s.nickname(), s.nodeId().shortForm(),
          s.addresses().isEmpty() ? "-" : s.addresses().get(0), ByteSize.format(s.freeSpace()));
    }
    out().printf("%d of %d storage servers up; state in %s%n", seen.size(), servers, root);
    if (exitWhenReady) {
      Runtime.getRuntime().removeShutdownHook(hook);
      parts.stop();
      return seen.size() == servers ? 0 : ExitCode.UNAVAILABLE.code;
    }
    Path clientDir = root.resolve(CLIENT);
    parts.client = ClientNode.open(clientDir);
    if (servers < parts.client.happy()) {
      out().printf("warning: uploads need %d servers (happiness) and the demo runs %d: the grid"
          + " can be read, not written (lower [client] shares-happy in %s)%n",
          parts.client.happy(), servers, clientDir.resolve("cairn.cfg"));
    } else {
      parts.client.requireServers(parts.client.happy(), Duration.ofSeconds(60));
    }
    if (!noMount) {
      Path mp = MountCommand.prepareMountpoint(mountPoint != null ? mountPoint
          : Cli.home().resolve("cairn"));
      String rootCap = RootAlias.resolve(parts.client, null);
      parts.mount = MountSession.start(parts.client.files(), rootCap, mp,
          new MountSession.Options(MountSession.defaultCacheDir(clientDir, rootCap), 1L << 30,
              1L << 30, false, DRAIN, Duration.ofSeconds(30)));
      out().printf("%s %s (read-write): the demo grid's root directory%n", MountCommand.MOUNTED,
          mp);
    }
    parts.collector = new DemoCollector(parts.client, parts.mount, parts.storageServers(),
        java.time.InstantSource.system(), Duration.ofSeconds(keepUnlinkedSeconds));
    parts.collector.start(Duration.ofSeconds(collectAfterSeconds),
        Duration.ofSeconds(collectEverySeconds));
    out().printf("Every cairn command works against this grid with --node %s%n", clientDir);
    out().printf("  (or: export CAIRN_NODE=%s)%n", clientDir);
    parts.gateway = web.start(parts.client.files(), new NodeStatusReport(parts.client,
        () -> parts.mount == null ? List.of() : List.of(parts.mount)), clientDir);
    if (parts.gateway != null) {
      WebAddress.write(clientDir, parts.gateway.url().toString());
      out().printf("Gateway: %s  (a cap opens at %suri/<cap>)%n", parts.gateway.url(),
          withSlash(parts.gateway.url().toString()));
    }
    if (parts.mount != null) {
      Path mp = parts.mount.mountpoint();
      out().println("Try:");
      out().printf("  cp -r ~/Documents %s/    # copy files in%n", mp);
      out().printf("  getfattr -n user.cairn.readcap %s/Documents    # a file's or folder's read"
          + " cap%n", mp);
      out().printf("  cairn mount --node %s --root <that cap> /tmp/ro    # mount it read-only%n",
          clientDir);
      out().printf("  cairn sync %s    # wait until everything is on the grid%n", mp);
    }
    out().println("Ctrl-C uploads what is pending, unmounts and stops the grid.");
    out().flush();
    if (parts.mount != null) {
      parts.mount.awaitUnmounted(); // unmounted from outside (cairn unmount, fusermount -u)
      parts.stop();
      return 0;
    }
    Interrupts.awaitOrStop(stopped, hook, parts::stop);
    return 0;
  }

  static String withSlash(String url) {
    return url.endsWith("/") ? url : url + "/";
  }

  /** How long Ctrl-C waits for pending uploads before leaving them for the next run. */
  static final Duration DRAIN = Duration.ofSeconds(40);

  /**
   * What a demo runs, stopped in reverse order once, by Ctrl-C or at the end: the mount (which
   * drains its uploads while the grid still runs), the client, the nodes.
   */
  static final class DemoParts {
    final List<RunningNode> nodes = new ArrayList<>();
    final java.io.PrintWriter out;
    volatile ClientNode client;
    volatile MountSession mount;
    volatile Gateway gateway;
    volatile DemoCollector collector;
    private boolean stopped;

    DemoParts(java.io.PrintWriter out) {
      this.out = out;
    }

    /** The storage servers of the demo's nodes. */
    List<org.cairnfs.storage.StorageServer> storageServers() {
      List<org.cairnfs.storage.StorageServer> out = new ArrayList<>();
      for (RunningNode node : nodes) {
        if (node.storage() != null) {
          out.add(node.storage());
        }
      }
      return out;
    }

    synchronized void stop() {
      if (stopped) {
        return;
      }
      stopped = true;
      if (collector != null) {
        collector.close();
      }
      if (gateway != null) {
        gateway.close();
        if (client != null) {
          WebAddress.remove(client.directory().root());
        }
      }
      if (mount != null) {
        mount.stop(DRAIN, out);
      }
      if (client != null) {
        client.close();
      }
      for (int i = nodes.size() - 1; i >= 0; i--) {
        nodes.get(i).close();
      }
      out.flush();
    }
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
  private RunningNode startMovingPortIfTaken(NodeDirectory d, List<NodeDirectory> all,
      Path root) throws Exception {
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
        NodeDirectory client = new NodeDirectory(root.resolve(CLIENT));
        if (client.exists()) {
          NodeConfig.update(client.root(), Map.of("client.introducers", url));
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
            List.of(url), null, true, "storage", null, "1G"));
      }
      dirs.add(node);
    }
    NodeDirectory client = new NodeDirectory(root.resolve(CLIENT));
    if (!client.exists() && !exitWhenReady) {
      client.create(ConfigTemplate.node(CLIENT, "127.0.0.1", 0,
          List.of(url != null ? url : introducerUrl(intro)), sharesFor(servers), false,
          "storage", null, "0"));
    }
    return dirs;
  }

  /**
   * The client's shares for a demo of {@code servers}: the defaults, or on fewer servers than
   * their happiness, happiness on every server (so a small demo can still be written) with about
   * the default expansion n/k; one server keeps one copy.
   */
  static EncodingParams sharesFor(int servers) {
    EncodingParams d = EncodingParams.DEFAULTS;
    if (servers >= d.happy()) {
      return null;
    }
    int k = Math.min(d.k(), servers);
    int n = servers == 1 ? 1 : Math.max(servers, (k * d.n() + d.k() - 1) / d.k());
    return EncodingParams.builder().k(k).happy(servers).n(n).build();
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
