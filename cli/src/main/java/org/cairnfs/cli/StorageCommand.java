package org.cairnfs.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.cairnfs.cli.config.ConfigChecks;
import org.cairnfs.cli.config.NodeConfig;
import org.cairnfs.introducer.IntroducerUrl;
import org.cairnfs.protocol.identity.NodeKey;
import org.cairnfs.storage.config.ByteSize;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The volunteer's one command: make {@code --dir} a storage node on the first run (config, key,
 * logs and shares all inside it), apply the given options on later runs, say what is offered
 * and where, and serve in the foreground.
 */
@Command(name = "storage",
    description = "Offer disk space to a grid: creates a storage node in --dir on the first run"
        + " (reused after; options given later update its cairn.cfg) and runs it in the"
        + " foreground until Ctrl-C or SIGTERM.")
final class StorageCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--dir", required = true, paramLabel = "DIR",
      description = "The node's directory: config, key, logs and shares (DIR/storage).")
  Path dir;

  @Option(names = "--introducer", paramLabel = "URL", split = ",",
      description = "Introducer URL cairn://<node-id>@host:port (repeat, or separate with commas,"
          + " for several); needed on the first run.")
  List<String> introducers = new ArrayList<>();

  @Option(names = "--max-space", paramLabel = "SIZE",
      description = "Most share bytes to keep, e.g. 200G (default: no limit).")
  String maxSpace;

  @Option(names = "--reserved-space", paramLabel = "SIZE",
      description = "Free disk space to leave alone (default: 1G).")
  String reservedSpace;

  @Option(names = "--nickname", description = "Name shown to others (default: DIR's name).")
  String nickname;

  @Option(names = "--hostname",
      description = "Address other machines reach this one at (default: this machine's address"
          + " on the way to the first introducer).")
  String hostname;

  @Option(names = "--port", paramLabel = "PORT",
      description = "TCP port to serve on (default: a free port picked on the first run and kept).")
  Integer port;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    if (port != null) {
      Cli.checkPort(port);
    }
    List<IntroducerUrl> urls = new ArrayList<>();
    for (String url : introducers) {
      try {
        urls.add(IntroducerUrl.parse(url));
      } catch (IllegalArgumentException e) {
        throw new CliException(ExitCode.USAGE, "bad --introducer '" + url + "': " + e.getMessage());
      }
    }
    CreateNodeCommand.checkSize("--max-space", maxSpace);
    CreateNodeCommand.checkSize("--reserved-space", reservedSpace);
    NodeDirectory node = new NodeDirectory(dir);
    if (!node.exists()) {
      create(node, urls, out);
    } else {
      update(node, out);
    }
    NodeConfig config = NodeConfig.read(node.root());
    String limit = RunningNode.storageConfig(config).maxSpace() == Long.MAX_VALUE ? "no limit"
        : "up to " + ByteSize.format(RunningNode.storageConfig(config).maxSpace());
    out.printf("Offering %s (keeping %s free) from %s to the grid of %s%n", limit,
        config.source().getString("storage.reserved-space", "1G"), config.storageDir(),
        String.join(", ", config.introducers()));
    out.flush();
    return RunCommand.runForeground(node, out);
  }

  private void create(NodeDirectory node, List<IntroducerUrl> urls, PrintWriter out)
      throws IOException {
    if (urls.isEmpty()) {
      throw new CliException(ExitCode.USAGE, node.root() + " holds no node yet: the first run"
          + " needs --introducer URL (the URL is in the introducer's introducer.url file)");
    }
    String host = hostname != null ? hostname : localAddressToward(urls.get(0));
    int p = port != null && port != 0 ? port : freePort();
    String name = nickname != null ? nickname : node.root().getFileName().toString();
    String text = CreateNodeCommand.nodeConfig(name, host, p, introducers, null, true, "storage",
        maxSpace, reservedSpace != null ? reservedSpace : "1G");
    NodeKey key = node.create(text);
    out.println("Created storage node " + name + " (" + key.nodeId() + ") in "
        + node.root() + "; it listens on " + host + ":" + p
        + " (open this TCP port to the grid's clients)");
  }

  /** Applies the options given on a later run to the existing config. */
  private void update(NodeDirectory node, PrintWriter out) throws Exception {
    Map<String, String> values = new LinkedHashMap<>();
    if (!introducers.isEmpty()) {
      values.put("client.introducers", String.join(", ", introducers));
    }
    if (maxSpace != null) {
      values.put("storage.max-space", maxSpace);
    }
    if (reservedSpace != null) {
      values.put("storage.reserved-space", reservedSpace);
    }
    if (nickname != null) {
      CreateNodeCommand.option("--nickname", () -> ConfigChecks.checkNickname(nickname));
      values.put("node.nickname", nickname);
    }
    if (hostname != null) {
      CreateNodeCommand.option("--hostname", () -> ConfigChecks.checkHostname(hostname));
      values.put("node.hostname", hostname);
    }
    if (port != null) {
      values.put("node.port", Integer.toString(port));
    }
    NodeConfig before = NodeConfig.read(node.root());
    if (before.role() != NodeConfig.Role.NODE) {
      throw new CliException(ExitCode.USAGE, node.root() + " is an introducer, not a storage node");
    }
    if (!before.storageEnabled()) {
      values.put("storage.enabled", "true");
    }
    Map<String, String> changed = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : values.entrySet()) {
      String old = before.source().getString(e.getKey(), "");
      if (!old.equals(e.getValue())) {
        changed.put(e.getKey(), e.getValue());
        out.println("Changing " + e.getKey() + " from '" + old + "' to '" + e.getValue() + "' in "
            + node.config());
      }
    }
    if (!changed.isEmpty()) {
      try {
        NodeConfig.update(node.root(), changed);
      } catch (IllegalArgumentException e) {
        throw new CliException(ExitCode.USAGE, "a value cannot be written to the config: "
            + e.getMessage());
      }
    }
    out.println("Using the storage node in " + node.root());
  }

  /**
   * This machine's address on the route to the introducer (a UDP "connect" sends nothing); the
   * loopback address when the introducer is local or the route cannot be found.
   */
  static String localAddressToward(IntroducerUrl url) {
    try (DatagramSocket s = new DatagramSocket()) {
      s.connect(new InetSocketAddress(InetAddress.getByName(url.address().host()),
          url.address().port()));
      InetAddress local = s.getLocalAddress();
      if (local != null && !local.isAnyLocalAddress()) {
        return local.getHostAddress().replaceAll("%.*$", "");
      }
    } catch (IOException | RuntimeException e) {
      // fall through to loopback: the user is told the address and can pass --hostname
    }
    return "127.0.0.1";
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
