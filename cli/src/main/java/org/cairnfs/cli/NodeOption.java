package org.cairnfs.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import org.cairnfs.cli.config.ConfigFile;
import picocli.CommandLine.Option;

/**
 * The {@code --node DIR} option of the client verbs: the node whose aliases and grid they use.
 * The flag wins over {@code $CAIRN_NODE}, which wins over the default node directory.
 */
final class NodeOption {
  @Option(names = "--node", paramLabel = "DIR",
      description = "Node directory (default: $CAIRN_NODE, else $CAIRN_DIR or ~/.cairn).")
  Path node;

  /** The chosen node directory, which must hold a node. */
  Path nodeDir() {
    Path dir = chosen();
    if (!Files.exists(dir.resolve(ConfigFile.NAME))) {
      throw new CliException(ExitCode.USAGE, "no node in " + dir + " (no " + ConfigFile.NAME
          + "): create one with 'cairn create-node', or name it with --node DIR or $CAIRN_NODE");
    }
    return dir.toAbsolutePath().normalize();
  }

  private Path chosen() {
    return choose(node, System.getenv("CAIRN_NODE"), Cli::defaultNodeOrDemo);
  }

  /** The flag if given, else a non-blank {@code $CAIRN_NODE}, else the default. */
  static Path choose(Path flag, String env, java.util.function.Supplier<Path> fallback) {
    if (flag != null) {
      return flag;
    }
    return env != null && !env.isBlank() ? Path.of(env) : fallback.get();
  }
}
