package org.cairnfs.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.cairnfs.cli.config.ConfigTemplate;
import org.cairnfs.protocol.identity.NodeKey;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "create-introducer", description = "Create an introducer directory: config and key.")
final class CreateIntroducerCommand implements Callable<Integer> {
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
    NodeKey key = node.create(ConfigTemplate.introducer(name, hostname, port));
    System.out.println("Created introducer " + name + " in " + node.root());
    System.out.println("  node id: " + key.nodeId());
    System.out.println("  config:  " + node.config());
    System.out.println("Next: cairn run " + node.root()
        + "   (it writes introducer.url, which nodes need)");
    return 0;
  }
}
