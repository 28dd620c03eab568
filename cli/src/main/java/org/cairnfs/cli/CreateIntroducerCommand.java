package org.cairnfs.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.cairnfs.cli.config.ConfigChecks;
import org.cairnfs.cli.config.ConfigTemplate;
import org.cairnfs.protocol.identity.NodeKey;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "create-introducer", description = "Create an introducer directory: config and key.")
final class CreateIntroducerCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "DIR", description = "Directory to create.")
  Path dir;

  @Option(names = "--hostname", defaultValue = "127.0.0.1",
      description = "Address nodes use to reach it (default: ${DEFAULT-VALUE}).")
  String hostname;

  @Option(names = "--port", defaultValue = "0",
      description = "TCP port; 0 picks a free one at each start (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--nickname", description = "Name shown to others (default: the directory name).")
  String nickname;

  @Override
  public Integer call() throws Exception {
    Cli.checkPort(port);
    NodeDirectory node = new NodeDirectory(dir);
    String name = nickname != null ? nickname : node.root().getFileName().toString();
    CreateNodeCommand.option("--nickname", () -> ConfigChecks.checkNickname(name));
    CreateNodeCommand.option("--hostname", () -> ConfigChecks.checkHostname(hostname));
    NodeKey key = node.create(ConfigTemplate.introducer(name, hostname, port));
    out().println("Created introducer " + name + " in " + node.root());
    out().println("  node id: " + key.nodeId());
    out().println("  config:  " + node.config());
    out().println("Next: cairn run " + node.root()
        + "   (it writes introducer.url, which nodes need)");
    return 0;
  }

  private java.io.PrintWriter out() {
    return spec.commandLine().getOut();
  }
}
