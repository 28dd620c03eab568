package org.cairnfs.fs.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.cairnfs.fs.grid.ClientSecrets;
import org.cairnfs.fs.grid.GridClient;
import org.cairnfs.fs.grid.GridConfig;
import org.cairnfs.fs.grid.ServerPool;
import org.cairnfs.introducer.client.GridMembership;
import org.cairnfs.protocol.client.ClientOptions;
import org.cairnfs.introducer.NodeAddress;
import org.cairnfs.protocol.identity.NodeId;
import org.cairnfs.protocol.identity.NodeKey;

/**
 * A whole grid in the test JVM: {@code count} real storage servers on loopback (TLS, temp
 * directories), and clients that know them as static servers. Closing stops everything.
 */
public final class TestGrid implements AutoCloseable {
  /** Short timeouts so that fault tests take seconds. */
  public static final ClientOptions CLIENT_OPTIONS = ClientOptions.builder()
      .connectTimeout(Duration.ofSeconds(3)).requestTimeout(Duration.ofSeconds(10)).build();

  private final List<TestServer> servers = new ArrayList<>();
  private final List<AutoCloseable> clients = new ArrayList<>();

  public TestGrid(Path dir, int count) throws IOException {
    this(dir, count, Long.MAX_VALUE / 4);
  }

  public TestGrid(Path dir, int count, long maxSpace) throws IOException {
    try {
      for (int i = 0; i < count; i++) {
        addServer(dir.resolve("server" + i), maxSpace);
      }
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
  }

  public TestServer addServer(Path dir, long maxSpace) throws IOException {
    TestServer s = new TestServer(dir, "server" + servers.size(), maxSpace);
    servers.add(s);
    return s;
  }

  public List<TestServer> servers() {
    return servers;
  }

  public TestServer server(int i) {
    return servers.get(i);
  }

  public TestServer byId(NodeId id) {
    return servers.stream().filter(s -> s.nodeId().equals(id)).findFirst().orElseThrow();
  }

  /** A membership listing every server statically, started. */
  public GridMembership membership(NodeKey key) {
    GridMembership.Builder b = GridMembership.builder(key);
    servers.forEach(s -> b.staticServer(s.address()));
    GridMembership m = b.build().start();
    clients.add(m);
    return m;
  }

  /** A pool over every server (short timeouts, quick reconnects). */
  public ServerPool pool(NodeKey key) {
    ServerPool pool = ServerPool.builder(membership(key), key).clientOptions(CLIENT_OPTIONS)
        .reconnectBackoff(Duration.ofMillis(100), Duration.ofSeconds(2)).build();
    clients.add(pool);
    return pool;
  }

  /** A client with fresh secrets and {@code config}. */
  public GridClient client(GridConfig config) {
    return client(NodeKey.generate(), ClientSecrets.random(new SecureRandom()), config);
  }

  public GridClient client(NodeKey key, ClientSecrets secrets, GridConfig config) {
    GridClient client = GridClient.create(pool(key), secrets, config);
    clients.add(client);
    return client;
  }

  /**
   * A client with fresh secrets and {@code config} that backs off at least 16 s after a failure:
   * after an outage it reaches a server that came back early only if something asks again.
   */
  public GridClient slowToRetryClient(GridConfig config) {
    NodeKey key = NodeKey.generate();
    ServerPool pool = ServerPool.builder(membership(key), key).clientOptions(CLIENT_OPTIONS)
        .reconnectBackoff(Duration.ofSeconds(20), Duration.ofSeconds(60)).build();
    clients.add(pool);
    GridClient client = GridClient.create(pool, ClientSecrets.random(new SecureRandom()), config);
    clients.add(client);
    return client;
  }

  /**
   * Connects {@code client} to every server, restarts {@code holders}, and returns once the
   * client backs off from them (the others stay connected).
   */
  public void restartWhileConnected(GridClient client, java.util.Set<NodeId> holders)
      throws Exception {
    for (TestServer s : servers) {
      client.servers().connect(s.nodeId()).get(10, java.util.concurrent.TimeUnit.SECONDS);
    }
    Thread.sleep(1200); // connections a while old: a drop says nothing of how attempts fail
    for (NodeId h : holders) {
      byId(h).kill();
    }
    awaitBackingOff(client.servers(), holders, Duration.ofSeconds(15));
    for (NodeId h : holders) {
      byId(h).start();
    }
    if (client.servers().connectedCount() != servers.size() - holders.size()) {
      throw new AssertionError("the others did not stay connected: " + client.servers().status());
    }
  }

  /**
   * Waits (up to 30 s, else fails) until every link of {@code pool} backs off until at least
   * {@code atLeast} from now: an outage long enough that only an early retry would reach a grid
   * that came back.
   */
  public static void awaitAllBackingOff(ServerPool pool, Duration atLeast)
      throws InterruptedException {
    awaitBackingOff(pool, null, atLeast);
  }

  /** As {@link #awaitAllBackingOff}, for the links to {@code servers} only (null: all). */
  public static void awaitBackingOff(ServerPool pool, java.util.Set<NodeId> servers,
      Duration atLeast) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!backOffFor(pool, servers, atLeast)) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("links not backing off for " + atLeast + " within 30 s: "
            + pool.status());
      }
      Thread.sleep(50);
    }
  }

  private static boolean backOffFor(ServerPool pool, java.util.Set<NodeId> servers,
      Duration atLeast) {
    java.time.Instant until = java.time.Instant.now().plus(atLeast);
    for (org.cairnfs.fs.grid.ServerStatus s : pool.status()) {
      if (servers != null && !servers.contains(s.nodeId())) {
        continue;
      }
      if (s.state() != org.cairnfs.fs.grid.ConnectionState.BACKING_OFF
          || s.nextAttempt().map(at -> at.isBefore(until)).orElse(true)) {
        return false;
      }
    }
    return true;
  }

  /**
   * A client of servers running elsewhere (other processes), listed one address per line in
   * {@code serversFile}, with its secrets kept in {@code clientDir}; closing it closes its pool.
   */
  public static GridClient clientOf(Path serversFile, Path clientDir, GridConfig config)
      throws IOException {
    NodeKey key = NodeKey.generate();
    GridMembership.Builder b = GridMembership.builder(key);
    for (String line : Files.readAllLines(serversFile)) {
      if (!line.isBlank()) {
        b.staticServer(NodeAddress.parse(line.strip()));
      }
    }
    ServerPool pool = ServerPool.builder(b.build().start(), key).clientOptions(CLIENT_OPTIONS)
        .reconnectBackoff(Duration.ofMillis(100), Duration.ofSeconds(2)).build();
    return GridClient.create(pool, ClientSecrets.loadOrCreate(
        Files.createDirectories(clientDir)), config);
  }

  @Override
  public void close() {
    for (int i = clients.size() - 1; i >= 0; i--) {
      try {
        clients.get(i).close();
      } catch (Exception e) {
        // keep closing
      }
    }
    for (TestServer s : servers) {
      s.kill();
    }
  }
}
