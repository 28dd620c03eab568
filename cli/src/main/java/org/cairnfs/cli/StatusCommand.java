package org.cairnfs.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.cairnfs.caps.immutable.EncodingParams;
import org.cairnfs.cli.config.NodeConfig;
import org.cairnfs.fs.grid.ConnectPacer;
import org.cairnfs.introducer.HostPort;
import org.cairnfs.introducer.client.GridMembership;
import org.cairnfs.introducer.client.GridServer;
import org.cairnfs.protocol.client.ClientOptions;
import org.cairnfs.protocol.client.StorageClient;
import org.cairnfs.protocol.identity.NodeKey;
import org.cairnfs.protocol.message.Response;
import org.cairnfs.storage.config.ByteSize;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "status",
    description = "List the grid's storage servers as this node sees them, and whether each answers."
        + " Works whether or not the node is running.")
final class StatusCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(index = "0", arity = "0..1", paramLabel = "DIR",
      description = "Node directory, as --node (default: $CAIRN_NODE, else $CAIRN_DIR or"
          + " ~/.cairn; when that holds no node, the first node of 'cairn demo').")
  Path dir;

  @Mixin
  NodeOption nodeOption;

  @Option(names = "--timeout", defaultValue = "3",
      description = "Seconds to wait for introducers and servers (default: ${DEFAULT-VALUE}).")
  int timeoutSeconds;

  @Option(names = "--full-ids",
      description = "Show servers' whole node ids (for [client] allowed-servers).")
  boolean fullIds;

  @Override
  public Integer call() throws Exception {
    if (dir != null && nodeOption.node != null) {
      throw new CliException(ExitCode.USAGE, "give the node directory once: DIR or --node DIR");
    }
    Path chosen = dir != null ? dir
        : NodeOption.choose(nodeOption.node, System.getenv("CAIRN_NODE"), () -> null);
    NodeDirectory node = new NodeDirectory(chosen != null ? chosen : Cli.defaultNodeOrDemo());
    if (chosen == null && !node.root().equals(new NodeDirectory(Cli.defaultNodeDir()).root())) {
      out().println("(no node in " + Cli.defaultNodeDir() + "; showing the demo's node "
          + node.root() + ")");
    }
    NodeConfig config = NodeConfig.read(node.root());
    if (config.role() == NodeConfig.Role.INTRODUCER) {
      throw new CliException(ExitCode.USAGE, node.root() + " is an introducer; run status on a node");
    }
    NodeKey key = NodeKey.load(node.nodeKey());
    Duration timeout = Duration.ofSeconds(Math.max(1, timeoutSeconds));
    ClientOptions options = ClientOptions.builder().connectTimeout(timeout)
        .requestTimeout(timeout).build();
    List<GridServer> servers;
    int introducersUp;
    List<Boolean> announcedNow = new ArrayList<>();
    Duration forgetAfter;
    try (GridMembership membership = GridMembership.builder(key)
        .introducers(RunningNode.parseIntroducers(config))
        .allowedServers(config.client().allowedServers()).cacheFile(node.announcementCache())
        .clientOptions(options).build().start()) {
      awaitIntroducers(membership, timeout);
      servers = membership.servers();
      introducersUp = membership.connectedIntroducers();
      for (GridServer s : servers) {
        announcedNow.add(membership.announcedSinceStart(s.nodeId()));
      }
      forgetAfter = membership.maxAge();
    }
    Instant now = Instant.now();
    out().printf("Introducers: %d of %d reachable; %d storage servers known%n",
        introducersUp, config.introducers().size(), servers.size());
    if (config.client().allowedServers() != null) {
      out().printf("Only the %d servers of [client] allowed-servers are used%n",
          config.client().allowedServers().size());
    }
    List<CompletableFuture<Response.ServerInfo>> answers = new ArrayList<>();
    ConnectPacer pacer = ConnectPacer.defaults();
    for (GridServer s : servers) {
      answers.add(ask(s, key, options, pacer));
    }
    int answered = 0;
    int full = 0;
    for (int i = 0; i < servers.size(); i++) {
      GridServer s = servers.get(i);
      Response.ServerInfo info = null;
      String why = "";
      try {
        long wait = timeout.toMillis() * Math.max(1, s.addresses().size()) + 1000;
        info = answers.get(i).get(wait, TimeUnit.MILLISECONDS);
        answered++;
        if (info.freeSpace() == 0) {
          full++; // refuses new shares
        }
      } catch (Exception e) {
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        why = " (" + Cli.messageOf(cause) + ")";
      }
      String address = s.addresses().isEmpty() ? "-" : s.addresses().get(0).toString();
      long free = info != null ? info.freeSpace() : s.freeSpace();
      if (info == null && !s.isStatic()) {
        why += "; " + lastSeen(s, now, forgetAfter, introducersUp > 0 && !announcedNow.get(i));
      }
      out().printf("  %-16s %s  %-21s free %-8s %s%s%n", s.nickname().isEmpty() ? "?" : s.nickname(),
          fullIds ? s.nodeId() : s.nodeId().shortForm(), address,
          free < 0 ? "?" : ByteSize.format(free),
          info != null ? "answered" : "no answer", why);
    }
    EncodingParams shares = config.client().encoding();
    int room = answered - full;
    String upWithRoom = room + " up with room" + (full > 0 ? ", " + full + " full" : "");
    out().printf("Uploads: any %d of %d shares rebuild a file; they must reach %d servers: %s%n",
        shares.k(), shares.n(), shares.happy(), room >= shares.happy()
            ? "possible now (" + upWithRoom + ")"
            : "NOT possible now, " + upWithRoom + " (reads need " + shares.k()
                + "; [client] shares-happy in " + node.config() + " sets how many)");
    if (config.storageEnabled()) {
      out().printf("This node (%s) stores %s in %s%n", key.nodeId(),
          ByteSize.format(bytesUnder(config.storageDir().resolve("shares"))), config.storageDir());
    }
    List<String> mounts = MountStatusFile.describeRunning(node.root(), now);
    if (!mounts.isEmpty()) {
      out().println("Mounts of this node:");
      mounts.forEach(m -> out().println("  " + m));
    }
    CollectorStatusFile.describe(node.root(), now).ifPresent(out()::println);
    if (answered == 0) {
      spec.commandLine().getErr().println("cairn: no storage server answered"
          + (introducersUp == 0 ? " and no introducer was reachable; check the network and that"
          + " the introducer runs (" + String.join(", ", config.introducers()) + ")"
          : servers.isEmpty() ? "; the introducers know no storage server yet"
          : "; none of the " + servers.size() + " known storage servers is reachable"));
      return ExitCode.UNAVAILABLE.code;
    }
    return 0;
  }

  /**
   * When a silent server was last announced and when it will be forgotten; {@code stale} when
   * introducers answered without announcing it (it has most likely stopped).
   */
  static String lastSeen(GridServer s, Instant now, Duration forgetAfter, boolean stale) {
    Duration ago = Duration.between(s.lastSeen(), now);
    Instant forget = s.lastSeen().plus(forgetAfter);
    return (stale ? "not announced by the introducers now, " : "")
        + "last announced " + Ages.format(ago) + " ago; forgotten "
        + (forget.isAfter(now) ? "in " + Ages.format(Duration.between(now, forget)) : "now")
        + " unless it announces itself again";
  }

  private static void awaitIntroducers(GridMembership m, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline && m.connectedIntroducers() < m.introducers().size()) {
      Thread.sleep(50);
    }
    if (m.connectedIntroducers() > 0) {
      Thread.sleep(300); // the subscription's first push follows the connection closely
    }
  }

  /**
   * Asks one server for its state, trying its addresses in turn, each at the pace the grid
   * client keeps per host ({@link ConnectPacer}): anyone can announce servers at any address,
   * and a status that connected to every one made 3 200 connections to one victim host.
   */
  static CompletableFuture<Response.ServerInfo> ask(GridServer s, NodeKey key,
      ClientOptions options, ConnectPacer pacer) {
    CompletableFuture<Response.ServerInfo> answer =
        CompletableFuture.failedFuture(new IOException("no address announced"));
    for (HostPort a : s.addresses()) {
      answer = answer.exceptionallyCompose(previous -> {
        long wait = pacer.delayMillis(a.host());
        if (wait < 0) {
          return CompletableFuture.failedFuture(new IOException("not asked: more servers are"
              + " announced at " + a.host() + " than this client connects to at once"));
        }
        CompletableFuture<Void> turn = wait == 0 ? CompletableFuture.completedFuture(null)
            : CompletableFuture.runAsync(() -> { },
                CompletableFuture.delayedExecutor(wait, TimeUnit.MILLISECONDS));
        return turn.thenCompose(x -> StorageClient.connect(options, key, a.host(), a.port(),
            s.nodeId()).thenCompose(c -> c.serverInfo().whenComplete((r, e) -> c.close())));
      });
    }
    return answer;
  }

  static long bytesUnder(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }

  private java.io.PrintWriter out() {
    return spec.commandLine().getOut();
  }
}
