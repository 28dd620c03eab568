package org.cairnfs.cli;

import java.nio.file.Path;
import org.cairnfs.fs.client.GridFileSystem;

/**
 * How the file verbs reach the grid: the CLI opens the node directory's client in-process; tests
 * hand in a grid in memory. One session per command.
 */
@FunctionalInterface
interface GridOpener {
  Session open(Path nodeDir) throws Exception;

  /** An open connection to the grid, closed when the command ends. */
  interface Session extends AutoCloseable {
    GridFileSystem files();

    @Override
    void close();
  }

  /** The real grid: the node's own client, joining the grid from this process. */
  static GridOpener clientNode() {
    return nodeDir -> {
      throw new CliException(ExitCode.FAILURE, "the grid client is not built into this version"
          + " yet (ClientNode); file verbs cannot run");
    };
  }
}
