package org.cairnfs.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.cairnfs.introducer.HostPort;
import org.cairnfs.introducer.IntroducerUrl;
import org.cairnfs.introducer.client.AnnouncementCache;
import org.cairnfs.introducer.client.GridMembership;
import org.cairnfs.introducer.client.GridServer;
import org.cairnfs.protocol.client.ClientOptions;
import org.cairnfs.protocol.client.StorageClient;
import org.cairnfs.protocol.identity.NodeKey;
import org.cairnfs.protocol.message.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * An introducer and ten storage servers, each its own JVM, on loopback: clients find them all,
 * keep reaching them from their cache while the introducer is dead, and hear new announcements
 * once it is back on the same port.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GridProcessesTest {
  private static final int SERVERS = 10;
  private static final Duration START = Duration.ofSeconds(90);
  private static final ClientOptions OPTIONS = ClientOptions.builder()
      .connectTimeout(Duration.ofSeconds(10)).requestTimeout(Duration.ofSeconds(20)).build();

  @TempDir
  static Path tmp;

  private ChildJvms jvms;
  private int introducerPort;
  private Path introducerDir;
  private String introducerUrl;
  private CairnProcess introducer;
  private final List<Path> nodeDirs = new ArrayList<>();
  private final Map<String, Integer> portByNickname = new HashMap<>();
  private final NodeKey clientKey = NodeKey.generate();
  private long gridUpNanos;

  @BeforeAll
  void startGrid() throws Exception {
    jvms = new ChildJvms(tmp.resolve("logs"));
    introducerPort = NodeDirs.freePort();
    introducerDir = NodeDirs.createIntroducer(tmp.resolve("introducer"), introducerPort);
    introducerUrl = NodeDirs.introducerUrl(introducerDir, introducerPort);
    for (int i = 0; i < SERVERS; i++) {
      nodeDirs.add(NodeDirs.createNode(tmp.resolve(String.format("storage-%02d", i)), introducerUrl,
          "--reserved-space", "0"));
    }
    introducer = jvms.runIntroducer(introducerDir, START);
    List<CairnProcess> nodes = jvms.runNodes(nodeDirs, START);
    assertThat(NodeDirs.writtenIntroducerUrl(introducerDir)).isEqualTo(introducerUrl);
    for (CairnProcess n : nodes) {
      portByNickname.put(n.name(), ChildJvms.storagePort(n));
    }
    gridUpNanos = System.nanoTime();
  }

  @AfterAll
  void stopGrid() throws InterruptedException {
    if (jvms != null) {
      jvms.close();
    }
  }

  @Test
  @Order(1)
  void clientSeesAllTenServersWithinSeconds() throws Exception {
    try (GridMembership m = membership(tmp.resolve("client-1.cache"))) {
      List<GridServer> seen = m.awaitServers(SERVERS, Duration.ofSeconds(45));
      long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - gridUpNanos);

      assertThat(seen).extracting(GridServer::nickname)
          .containsExactlyInAnyOrderElementsOf(portByNickname.keySet());
      for (GridServer s : seen) {
        assertThat(s.addresses()).containsExactly(
            new HostPort("127.0.0.1", portByNickname.get(s.nickname())));
      }
      // Seconds, not minutes, even on two busy cores: announcing is one round trip per server.
      assertThat(seconds).as("seconds from all servers listening to the client seeing them")
          .isLessThan(20);
      assertAllAnswer(seen);
    }
  }

  @Test
  @Order(2)
  void cacheCarriesThroughIntroducerOutageAndRestartedIntroducerSpreadsNews() throws Exception {
    Path cache = tmp.resolve("client-2.cache");
    try (GridMembership first = membership(cache)) {
      assertThat(first.awaitServers(SERVERS, Duration.ofSeconds(45))).hasSize(SERVERS);
    } // close() writes the cache
    Path nodeCache = nodeDirs.get(3).resolve("announcements.cache");
    Await.until("storage-03 caches all ten servers",
        () -> new AnnouncementCache(nodeCache).load().size() == SERVERS, Duration.ofSeconds(20));

    introducer.kill();

    // A client restarted while the introducer is dead starts from its cache and reaches all.
    try (GridMembership restarted = membership(cache)) {
      List<GridServer> fromCache = restarted.servers();
      assertThat(fromCache).hasSize(SERVERS);
      assertThat(restarted.connectedIntroducers()).isZero();
      assertAllAnswer(fromCache);

      // So does a node's own `cairn status`, from the cache its running node keeps.
      CairnProcess status = jvms.exec(Duration.ofSeconds(60), "status-outage", "status",
          nodeDirs.get(3).toString(), "--timeout", "2");
      String out = status.output();
      assertThat(status.process().exitValue()).as(out).isZero();
      assertThat(out).contains("Introducers: 0 of 1 reachable; " + SERVERS + " storage servers known");
      assertThat(out.lines().filter(l -> l.endsWith("answered")).count()).as(out).isEqualTo(SERVERS);

      // The introducer comes back on the same port; the running client reconnects, and a server
      // started now is announced to it.
      Files.deleteIfExists(introducerDir.resolve("introducer.url"));
      introducer = jvms.runIntroducer(introducerDir, START);
      assertThat(NodeDirs.writtenIntroducerUrl(introducerDir)).isEqualTo(introducerUrl);
      Path eleventh = NodeDirs.createNode(tmp.resolve("storage-10"), introducerUrl,
          "--reserved-space", "0");
      CairnProcess late = jvms.runNodes(List.of(eleventh), START).get(0);
      List<GridServer> now = restarted.awaitServers(SERVERS + 1, Duration.ofSeconds(45));
      assertThat(now).extracting(GridServer::nickname).contains("storage-10");
      assertThat(restarted.server(NodeDirs.nodeId(eleventh)).orElseThrow().addresses())
          .containsExactly(new HostPort("127.0.0.1", ChildJvms.storagePort(late)));
      assertThat(restarted.connectedIntroducers()).isEqualTo(1);
    }

    // The old servers re-announced themselves to the new introducer (it keeps no state), so a
    // client with no cache at all sees the whole grid again.
    try (GridMembership fresh = membership(null)) {
      assertThat(fresh.awaitServers(SERVERS + 1, Duration.ofSeconds(60))).hasSize(SERVERS + 1);
    }
  }

  private GridMembership membership(Path cache) {
    GridMembership.Builder b = GridMembership.builder(clientKey)
        .introducer(IntroducerUrl.parse(introducerUrl))
        .clientOptions(OPTIONS)
        .reconnectBackoff(Duration.ofMillis(100), Duration.ofSeconds(1))
        .saveDelay(Duration.ofMillis(100));
    if (cache != null) {
      b.cacheFile(cache);
    }
    return b.build().start();
  }

  /** Every server answers GET_SERVER_INFO over a pinned TLS connection. */
  private void assertAllAnswer(List<GridServer> servers) throws Exception {
    List<CompletableFuture<Response.ServerInfo>> answers = new ArrayList<>();
    for (GridServer s : servers) {
      HostPort a = s.addresses().get(0);
      answers.add(StorageClient.connect(OPTIONS, clientKey, a.host(), a.port(), s.nodeId())
          .thenCompose(c -> c.serverInfo().whenComplete((r, e) -> c.close())));
    }
    for (int i = 0; i < servers.size(); i++) {
      Response.ServerInfo info = answers.get(i).get(30, TimeUnit.SECONDS);
      assertThat(info.protocolVersion()).as(servers.get(i).nickname())
          .isEqualTo(org.cairnfs.protocol.message.Hello.CURRENT_VERSION);
      assertThat(info.freeSpace()).as(servers.get(i).nickname()).isPositive();
    }
  }
}
