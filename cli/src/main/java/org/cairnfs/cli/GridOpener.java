package org.cairnfs.cli;

import java.nio.file.Path;
import java.time.Duration;
import org.cairnfs.fs.client.GridFileSystem;
import org.cairnfs.fs.health.GridHealth;

/**
 * How the file verbs reach the grid: the CLI opens the node directory's client in-process; tests
 * hand in a grid in memory. One session per command.
 */
@FunctionalInterface
interface GridOpener {
  /** How long a verb waits for {@code happy} servers to connect before it starts anyway. */
  Duration CONNECT_WAIT = Duration.ofSeconds(3);
  /** How long it waits more when not even k servers answered by then. */
  Duration READABLE_WAIT = Duration.ofSeconds(10);

  Session open(Path nodeDir) throws Exception;

  /** An open connection to the grid, closed when the command ends. */
  interface Session extends AutoCloseable {
    GridFileSystem files();

    /** Check and repair; only a real grid client has them. */
    default GridHealth health() {
      throw new CliException(ExitCode.FAILURE, "check and repair need the grid client");
    }

    @Override
    void close();
  }

  /**
   * The real grid: the node's own client, joining the grid from this process. Waits up to
   * {@link #CONNECT_WAIT} for enough servers to place an upload, and when fewer than k answer
   * by then up to {@link #READABLE_WAIT} more for k; then goes on with what it has, so a read
   * works with k servers and an upload fails naming the servers it found.
   */
  static GridOpener clientNode() {
    return nodeDir -> {
      ClientNode node = ClientNode.open(nodeDir);
      try {
        int up = node.awaitServers(node.happy(), CONNECT_WAIT);
        int k = node.grid().config().params().k();
        if (up < k) {
          node.awaitServers(k, READABLE_WAIT);
        }
        GridFileSystem files = node.files();
        GridHealth health = GridHealth.create(node.grid());
        return new Session() {
          @Override
          public GridFileSystem files() {
            return files;
          }

          @Override
          public GridHealth health() {
            return health;
          }

          @Override
          public void close() {
            node.close();
          }
        };
      } catch (Exception | Error e) {
        node.close();
        throw e;
      }
    };
  }
}
