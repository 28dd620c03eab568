package org.cairnfs.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.cairnfs.caps.immutable.EncodingParams;
import org.cairnfs.cli.config.ClientSettings;
import org.cairnfs.cli.config.ConfigChecks;
import org.cairnfs.cli.config.ConfigTemplate;
import org.cairnfs.cli.config.ConfigValue;
import org.cairnfs.introducer.IntroducerUrl;
import org.cairnfs.protocol.identity.NodeKey;
import org.cairnfs.storage.config.ByteSize;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "create-node",
    description = "Create a node directory (client, and storage server unless --no-storage).")
final class CreateNodeCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "DIR", description = "Directory to create.")
  Path dir;

  @Option(names = "--introducer", required = true, paramLabel = "URL", split = ",",
      description = "Introducer URL cairn://<node-id>@host:port (repeat, or separate with"
          + " commas, for several).")
  List<String> introducers = new ArrayList<>();

  @Option(names = "--nickname", description = "Name shown to others (default: the directory name).")
  String nickname;

  @Option(names = "--hostname", defaultValue = "127.0.0.1",
      description = "Address announced to the grid (default: ${DEFAULT-VALUE}).")
  String hostname;

  @Option(names = "--port", defaultValue = "0",
      description = "Storage service port; 0 picks a free one at each start.")
  int port;

  @Option(names = "--storage-dir", defaultValue = "storage", paramLabel = "PATH",
      description = "Where shares live, relative to DIR or absolute (default: ${DEFAULT-VALUE}).")
  String storageDir;

  @Option(names = "--max-space", paramLabel = "SIZE",
      description = "Most share bytes to keep, e.g. 200G (default: no limit).")
  String maxSpace;

  @Option(names = "--reserved-space", defaultValue = "1G", paramLabel = "SIZE",
      description = "Free disk space to leave alone (default: ${DEFAULT-VALUE}).")
  String reservedSpace;

  @Option(names = "--no-storage", description = "Do not offer storage to the grid.")
  boolean noStorage;

  @Option(names = "--shares-needed", paramLabel = "K",
      description = "Shares that rebuild a new file (default: 3).")
  Integer sharesNeeded;

  @Option(names = "--shares-happy", paramLabel = "H",
      description = "Distinct servers an upload must reach (default: 7, at most --shares-total).")
  Integer sharesHappy;

  @Option(names = "--shares-total", paramLabel = "N",
      description = "Shares made of each new file (default: 10).")
  Integer sharesTotal;

  @Override
  public Integer call() throws Exception {
    Cli.checkPort(port);
    for (String url : introducers) {
      try {
        IntroducerUrl.parse(url);
      } catch (IllegalArgumentException e) {
        throw new CliException(ExitCode.USAGE, "bad --introducer '" + url + "': " + e.getMessage());
      }
    }
    checkSize("--max-space", maxSpace);
    checkSize("--reserved-space", reservedSpace);
    NodeDirectory node = new NodeDirectory(dir);
    String name = nickname != null ? nickname : node.root().getFileName().toString();
    EncodingParams shares = shares();
    String text = nodeConfig(name, hostname, port, introducers, shares, !noStorage, storageDir,
        maxSpace, reservedSpace);
    NodeKey key = node.create(text);
    out().println("Created node " + name + " in " + node.root());
    out().println("  node id: " + key.nodeId());
    out().println("  storage: " + (noStorage ? "off" : node.root().resolve(storageDir)
        + (maxSpace == null ? " (no limit)" : " (max " + maxSpace + ")")));
    EncodingParams e = shares != null ? shares : EncodingParams.DEFAULTS;
    out().println("  shares:  " + e.k() + " of " + e.n() + ", on at least " + e.happy()
        + " servers");
    out().println("  config:  " + node.config());
    out().println("Next: cairn run " + node.root());
    return 0;
  }

  /** k, happy and n from the --shares options, or {@code null} when none is given. */
  private EncodingParams shares() {
    if (sharesNeeded == null && sharesHappy == null && sharesTotal == null) {
      return null;
    }
    EncodingParams d = EncodingParams.DEFAULTS;
    int k = sharesNeeded != null ? sharesNeeded : d.k();
    int n = sharesTotal != null ? sharesTotal : d.n();
    int happy = sharesHappy != null ? sharesHappy : ClientSettings.defaultHappy(k, n);
    try {
      return EncodingParams.builder().k(k).happy(happy).n(n).build();
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCode.USAGE, "bad --shares-needed/--shares-happy/--shares-total"
          + " (" + k + ", " + happy + ", " + n + "): " + e.getMessage());
    }
  }

  /**
   * The config text for these options, checked with the rules {@code run} applies (nickname,
   * hostname, values that must read back exactly); a violation is a usage error naming the
   * option.
   */
  static String nodeConfig(String name, String hostname, int port, List<String> introducers,
      EncodingParams shares, boolean storage, String storageDir, String maxSpace,
      String reservedSpace) {
    option("--nickname", () -> ConfigChecks.checkNickname(name));
    option("--hostname", () -> ConfigChecks.checkHostname(hostname));
    option("--storage-dir", () -> {
      ConfigValue.format(storageDir);
      Path.of(storageDir);
    });
    try {
      return ConfigTemplate.node(name, hostname, port, introducers, shares, storage, storageDir,
          maxSpace, reservedSpace);
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCode.USAGE, "a value cannot be written to the config: "
          + e.getMessage());
    }
  }

  /** Runs a check of one option's value; its failure is a usage error naming the option. */
  static void option(String option, Runnable check) {
    try {
      check.run();
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCode.USAGE, "bad " + option + ": " + e.getMessage());
    }
  }

  static void checkSize(String option, String value) {
    if (value == null) {
      return;
    }
    try {
      ByteSize.parse(value);
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCode.USAGE, "bad " + option + " '" + value + "': " + e.getMessage());
    }
  }

  private java.io.PrintWriter out() {
    return spec.commandLine().getOut();
  }
}
