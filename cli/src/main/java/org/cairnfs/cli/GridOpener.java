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
   * The routing seam between warm and in-process: when the node of the node directory runs
   * ({@code cairn run}, {@code cairn demo}) and answers on its local client channel, the verbs'
   * grid calls go to it ({@link NodeChannel}); otherwise, or with {@code CAIRN_IN_PROCESS=1},
   * {@code inProcess} opens the grid here. Check and repair always run in-process.
   */
  static GridOpener nodeFirst(GridOpener inProcess, java.io.PrintWriter err) {
    return nodeDir -> {
      if ("1".equals(System.getenv("CAIRN_IN_PROCESS"))) {
        return inProcess.open(nodeDir);
      }
      java.util.Optional<NodeChannel> channel = NodeChannel.connect(nodeDir, err);
      if (channel.isEmpty()) {
        return inProcess.open(nodeDir);
      }
      if (Cli.debug()) {
        err.println("cairn: working through the running node at " + channel.get().base());
      }
      return new Session() {
        private Session local;

        @Override
        public GridFileSystem files() {
          return channel.get();
        }

        @Override
        public GridHealth health() {
          if (local == null) {
            try {
              local = inProcess.open(nodeDir);
            } catch (CliException e) {
              throw e;
            } catch (Exception e) {
              throw GridCalls.failure(e, "reach the grid from node " + nodeDir);
            }
          }
          return local.health();
        }

        @Override
        public void close() {
          if (local != null) {
            local.close();
          }
        }
      };
    };
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
