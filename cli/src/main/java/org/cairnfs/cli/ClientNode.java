package org.cairnfs.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.cairnfs.cli.config.ClientSettings;
import org.cairnfs.cli.config.ConfigException;
import org.cairnfs.cli.config.NodeConfig;
import org.cairnfs.fs.client.ClientFileSystem;
import org.cairnfs.fs.client.GridFileSystem;
import org.cairnfs.fs.grid.ClientSecrets;
import org.cairnfs.fs.grid.GridClient;
import org.cairnfs.fs.grid.GridConfig;
import org.cairnfs.fs.grid.ServerPool;
import org.cairnfs.introducer.client.GridMembership;
import org.cairnfs.introducer.client.GridServer;
import org.cairnfs.protocol.identity.NodeId;
import org.cairnfs.protocol.identity.NodeKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node directory used as a client of its grid: the membership its config names (introducers,
 * and the announcement cache so a known grid is usable before any introducer answers), the
 * connections to the storage servers, the grid client with the node's own secrets, and the
 * filesystem of caps over it. What every command that reads or writes files opens, and closes
 * when done.
 *
 * <p>Why one class: the CLI verbs, the mount, the demo and the gateway must see the same grid
 * the same way (same secrets, hence same convergent caps and the same lease owner).
 *
 * <p>Several processes may open the same node directory at once (a mount and a {@code cairn
 * put} beside it): nothing here is locked; the secrets are created once, atomically, and the
 * announcement cache is rewritten atomically by whichever process saves last.
 */
final class ClientNode implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ClientNode.class);

  private final NodeDirectory dir;
  private final NodeConfig config;
  private final GridMembership membership;
  /** Whether {@link #membership} is this node's to close (not {@link RunningNode}'s). */
  private final boolean ownsMembership;
  private final ServerPool pool;
  private final GridClient grid;
  private final GridFileSystem files;

  private ClientNode(NodeDirectory dir, NodeConfig config, GridMembership membership,
      boolean ownsMembership, ServerPool pool, GridClient grid) {
    this.dir = dir;
    this.config = config;
    this.membership = membership;
    this.ownsMembership = ownsMembership;
    this.pool = pool;
    this.grid = grid;
    this.files = ClientFileSystem.create(grid);
  }

  /**
   * Joins the grid as {@code nodeDir}'s config says and returns at once (the servers connect in
   * the background; see {@link #awaitServers}). The node's client secrets are created on first
   * use.
   *
   * @throws ConfigException when the config is wrong, naming the file and line
   * @throws CliException (usage) when the directory is an introducer or holds no node
   */
  static ClientNode open(Path nodeDir) throws ConfigException, IOException {
    return open(nodeDir, null);
  }

  /**
   * {@link #open(Path)} with the grid client's encoding and transfer settings; {@code null}
   * takes them from the config ({@link ClientSettings}).
   */
  static ClientNode open(Path nodeDir, GridConfig gridConfig) throws ConfigException, IOException {
    return open(nodeDir, gridConfig, null);
  }

  /**
   * {@link #open(Path, GridConfig)} on {@code shared}, the membership the {@link RunningNode} of
   * the same directory keeps (then not closed with this node), or a new one when null. Why:
   * {@code cairn run}'s gateway and node are one client of the introducers, with one writer of
   * the announcement cache.
   */
  static ClientNode open(Path nodeDir, GridConfig gridConfig, GridMembership shared)
      throws ConfigException, IOException {
    NativeCrypto.install(); // before any cipher: every grid client encrypts and decrypts data
    NodeDirectory dir = new NodeDirectory(nodeDir);
    if (!dir.exists()) {
      throw new CliException(ExitCode.USAGE, dir.root() + " holds no Cairn node (no "
          + dir.config().getFileName() + "); create one with 'cairn create-node "
          + dir.root() + " --introducer URL --no-storage'");
    }
    NodeConfig config = NodeConfig.read(dir.root());
    if (config.role() == NodeConfig.Role.INTRODUCER) {
      throw new CliException(ExitCode.USAGE, dir.root()
          + " is an introducer; files are read and written through a node directory");
    }
    NodeKey key = NodeKey.load(dir.nodeKey());
    ClientSecrets secrets = ClientSecrets.loadOrCreate(dir.root());
    GridMembership membership = shared != null ? shared : RunningNode.membership(key, config,
        RunningNode.parseIntroducers(config), dir).start();
    ServerPool pool = null;
    try {
      pool = ServerPool.builder(membership, key).build();
      GridClient grid = GridClient.create(pool, secrets, gridConfig != null ? gridConfig
          : GridConfig.builder().params(config.client().encoding())
              .connectGrace(config.client().connectGrace()).build());
      return new ClientNode(dir, config, membership, shared == null, pool, grid);
    } catch (RuntimeException e) {
      if (pool != null) {
        pool.close();
      }
      if (shared == null) {
        membership.close();
      }
      throw e;
    }
  }

  /**
   * Waits until {@code want} storage servers accept a connection, or {@code timeout} passes;
   * returns how many did. Servers known from the cache that no longer run do not count.
   */
  int awaitServers(int want, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    int up = 0;
    while (true) {
      long left = deadline - System.nanoTime();
      membership.awaitServers(want, Duration.ofNanos(Math.max(0, Math.min(left,
          TimeUnit.SECONDS.toNanos(1)))));
      up = reachable(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(
          deadline - System.nanoTime()), 2000)));
      if (up >= want || System.nanoTime() >= deadline) {
        return up;
      }
      Thread.sleep(200);
    }
  }

  /**
   * Like {@link #awaitServers}, but fails with a message naming how many servers it sees, how
   * many it needs and how many introducers answered.
   *
   * @throws CliException (unavailable) when fewer than {@code want} answer in time
   */
  void requireServers(int want, Duration timeout) throws InterruptedException {
    int up = awaitServers(want, timeout);
    if (up < want) {
      throw new CliException(ExitCode.UNAVAILABLE, "the grid is not ready: " + up + " of the "
          + want + " storage servers needed answer after " + timeout.toSeconds() + " s ("
          + membership.servers().size() + " known; " + membership.connectedIntroducers()
          + " of " + config.introducers().size() + " introducers reachable). Check that the"
          + " servers run ('cairn status " + dir.root() + "').");
    }
  }

  /** Servers known now that accept a connection within {@code waitMillis}. */
  private int reachable(long waitMillis) throws InterruptedException {
    List<CompletableFuture<?>> tries = new ArrayList<>();
    for (GridServer s : membership.servers()) {
      NodeId id = s.nodeId();
      tries.add(pool.connect(id));
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
    int up = 0;
    for (CompletableFuture<?> t : tries) {
      try {
        t.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        up++;
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        // not up (yet)
      }
    }
    return up;
  }

  /** Servers that make an upload happy with this client's encoding. */
  int happy() {
    return grid.config().params().happy();
  }

  /**
   * The grid as a filesystem of caps (directories and files), for the mount, the verbs and the
   * gateway.
   */
  GridFileSystem files() {
    return files;
  }

  GridClient grid() {
    return grid;
  }

  ServerPool servers() {
    return pool;
  }

  GridMembership membership() {
    return membership;
  }

  NodeDirectory directory() {
    return dir;
  }

  NodeConfig config() {
    return config;
  }

  /**
   * Stops transfers and disconnects: the filesystem, the grid client, the pool, the membership
   * (unless shared).
   */
  @Override
  public void close() {
    GridFileSystem f = files;
    if (f instanceof AutoCloseable c) {
      try {
        c.close();
      } catch (Exception e) {
        log.warn("error closing the grid filesystem: {}", e.toString());
      }
    }
    grid.close();
    pool.close();
    if (ownsMembership) {
      membership.close();
    }
  }
}
