package org.cairnfs.fs.grid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.ref.WeakReference;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.cairnfs.caps.ImmutableReadCap;
import org.cairnfs.caps.immutable.PlaintextSource;
import org.cairnfs.fs.testing.TestGrid;
import org.cairnfs.fs.testing.TestServer;
import org.cairnfs.introducer.HostPort;
import org.cairnfs.introducer.IntroducerUrl;
import org.cairnfs.introducer.NodeAddress;
import org.cairnfs.introducer.announcement.NodeSigner;
import org.cairnfs.introducer.client.AnnouncementPublisher;
import org.cairnfs.introducer.client.GridMembership;
import org.cairnfs.introducer.server.IntroducerServer;
import org.cairnfs.protocol.client.StorageClient;
import org.cairnfs.protocol.identity.NodeId;
import org.cairnfs.protocol.identity.NodeKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerPoolTest {
  @TempDir Path dir;
  TestGrid grid;
  final List<AutoCloseable> closeables = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
    if (grid != null) {
      grid.close();
    }
  }

  static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(20);
    }
  }

  static ServerStatus status(ServerPool pool, NodeId id) {
    return pool.status().stream().filter(s -> s.nodeId().equals(id)).findFirst().orElseThrow();
  }

  /**
   * retryUnreachable tries the servers it backs off from only while fewer than the wanted
   * number are connected: with enough, a server that is gone keeps its backoff.
   */
  @Test
  void retryUnreachableTriesBackedOffServersOnlyWhileTooFewAreConnected() throws Exception {
    grid = new TestGrid(dir, 2);
    NodeKey key = NodeKey.generate();
    ServerPool pool = ServerPool.builder(grid.membership(key), key)
        .clientOptions(TestGrid.CLIENT_OPTIONS)
        .reconnectBackoff(Duration.ofSeconds(30), Duration.ofSeconds(60)).build();
    closeables.add(pool);
    NodeId up = grid.server(0).nodeId();
    NodeId down = grid.server(1).nodeId();
    pool.connect(up).get();
    grid.server(1).kill();
    assertThatThrownBy(() -> pool.connect(down).get()).isInstanceOf(ExecutionException.class);
    Instant due = status(pool, down).nextAttempt().orElseThrow();
    grid.server(1).start();

    pool.retryUnreachable(1); // one connected, one wanted: nothing to do
    assertThat(status(pool, down).state()).isEqualTo(ConnectionState.BACKING_OFF);
    assertThat(status(pool, down).nextAttempt()).contains(due);

    pool.retryUnreachable(2);
    assertThat(pool.connect(down).get().connection().isOpen()).isTrue();
    assertThat(pool.connectedCount()).isEqualTo(2);
  }

  @Test
  void connectionsOpenLazilyReconnectWithBackoffAndReportTheirState() throws Exception {
    grid = new TestGrid(dir, 3);
    ServerPool pool = grid.pool(NodeKey.generate());
    assertThat(pool.status()).hasSize(3)
        .allSatisfy(s -> assertThat(s.state()).isEqualTo(ConnectionState.IDLE));
    TestServer s0 = grid.server(0);
    pool.connect(s0.nodeId()).get();
    assertThat(pool.connectedCount()).isEqualTo(1);
    await("server info arrives", () -> status(pool, s0.nodeId()).maxShareSize() > 0);
    ServerStatus up = status(pool, s0.nodeId());
    assertThat(up.state()).isEqualTo(ConnectionState.CONNECTED);
    assertThat(up.freeSpace()).isPositive();
    assertThat(up.addresses()).containsExactly(new HostPort("127.0.0.1", s0.port()));
    assertThat(status(pool, grid.server(1).nodeId()).state()).isEqualTo(ConnectionState.IDLE);

    s0.kill();
    await("the drop is noticed", () -> status(pool, s0.nodeId()).state()
        != ConnectionState.CONNECTED);
    ServerStatus down = status(pool, s0.nodeId());
    assertThat(down.lastError()).isPresent();
    s0.start();
    await("the pool reconnects by itself",
        () -> status(pool, s0.nodeId()).state() == ConnectionState.CONNECTED);
    assertThat(pool.connected(s0.nodeId())).isPresent();

    NodeId stranger = NodeKey.generate().nodeId();
    assertThatThrownBy(() -> pool.connect(stranger).get()).isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(ServerUnavailableException.class)
        .hasMessageContaining("not a known server");
  }

  @Test
  void aClosedPoolRefusesAndHoldsNoConnection() throws Exception {
    grid = new TestGrid(dir, 2);
    ServerPool pool = grid.pool(NodeKey.generate());
    NodeId s0 = grid.server(0).nodeId();
    StorageClient c0 = pool.connect(s0).get();
    StorageClient c1 = pool.connect(grid.server(1).nodeId()).get();
    assertThat(pool.connected(s0)).isPresent();
    assertThat(pool.isClosed()).isFalse();

    pool.close();
    await("every connection is closed",
        () -> !c0.connection().isOpen() && !c1.connection().isOpen());
    assertThat(pool.isClosed()).isTrue();
    assertThat(pool.connected(s0)).isEmpty();
    assertThat(pool.connectedCount()).isZero();
    assertThat(pool.status()).as("a closed pool lists no server").isEmpty();
    assertThatThrownBy(() -> pool.connect(s0).get()).isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(ServerUnavailableException.class);
  }

  @Test
  void serversAreListedInOrderOfTheirIds() throws Exception {
    NodeKey key = NodeKey.generate();
    GridMembership.Builder b = GridMembership.builder(key);
    List<NodeId> ids = new ArrayList<>();
    for (int i = 0; i < 12; i++) { // nothing listens there; the pool opens nothing unasked
      ids.add(NodeKey.generate().nodeId());
      b.staticServer(new NodeAddress(ids.get(i), new HostPort("127.0.0.1", 9)));
    }
    GridMembership membership = b.build().start();
    closeables.add(membership);
    ServerPool pool = ServerPool.builder(membership, key).build();
    closeables.add(pool);
    ids.sort(null);
    assertThat(pool.serverIds()).isEqualTo(ids);
    assertThat(pool.status()).extracting(ServerStatus::nodeId).isEqualTo(ids);
  }

  @Test
  void aClosedPoolIsNoLongerHeldByItsMembership() throws Exception {
    grid = new TestGrid(dir, 1);
    NodeKey key = NodeKey.generate();
    GridMembership membership = grid.membership(key);
    WeakReference<ServerPool> closed = closedPool(membership, key);
    // only the membership's listener could still hold it: once that is gone, a collection frees it
    for (int i = 0; i < 50 && closed.get() != null; i++) {
      System.gc();
      Thread.sleep(10);
    }
    assertThat(closed.get()).as("the closed pool, still referenced").isNull();
    assertThat(membership.servers()).hasSize(1);
  }

  static WeakReference<ServerPool> closedPool(GridMembership membership, NodeKey key) {
    ServerPool pool = ServerPool.builder(membership, key).build();
    assertThat(pool.serverIds()).hasSize(1);
    pool.close();
    return new WeakReference<>(pool);
  }

  @Test
  void thePoolsThreadDoesNotKeepTheJvmAlive() throws Exception {
    grid = new TestGrid(dir, 1);
    ServerPool pool = grid.pool(NodeKey.generate());
    assertThat(pool.scheduler().submit(() -> Thread.currentThread().isDaemon()).get()).isTrue();
  }

  @Test
  void describesServersByNicknameOrShortId() throws Exception {
    grid = new TestGrid(dir, 1);
    ServerPool pool = grid.pool(NodeKey.generate());
    NodeId stranger = NodeKey.generate().nodeId();
    assertThat(pool.describe(stranger)).isEqualTo(stranger.shortForm());
    assertThat(pool.connected(stranger)).isEmpty();
    NodeId s0 = grid.server(0).nodeId();
    String nick = pool.status().get(0).nickname();
    assertThat(pool.describe(s0)).isEqualTo(nick.isEmpty() ? s0.shortForm()
        : nick + " (" + s0.shortForm() + ")");
  }

  @Test
  void reconnectBackoffMustBePositiveAndOrdered() throws Exception {
    grid = new TestGrid(dir, 1);
    NodeKey key = NodeKey.generate();
    GridMembership membership = grid.membership(key);
    ServerPool.Builder b = ServerPool.builder(membership, key);
    assertThatThrownBy(() -> b.reconnectBackoff(null, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("positive");
    assertThatThrownBy(() -> b.reconnectBackoff(Duration.ZERO, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("positive");
    assertThatThrownBy(() -> b.reconnectBackoff(Duration.ofMillis(-1), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("positive");
    assertThatThrownBy(() -> b.reconnectBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("below min");
    assertThatThrownBy(() -> b.reconnectBackoff(Duration.ofSeconds(2), null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("below min");
    b.reconnectBackoff(Duration.ofSeconds(1), Duration.ofSeconds(1)); // equal is allowed
  }

  @Test
  void reconnectDelaysDoubleUpToTheMaximum() throws Exception {
    grid = new TestGrid(dir, 1);
    TestServer s0 = grid.server(0);
    s0.kill();
    NodeKey key = NodeKey.generate();
    Instant frozen = Instant.parse("2026-01-01T00:00:00Z");
    ServerPool pool = ServerPool.builder(grid.membership(key), key)
        .clientOptions(TestGrid.CLIENT_OPTIONS)
        .reconnectBackoff(Duration.ofMillis(200), Duration.ofMillis(700))
        .clock(InstantSource.fixed(frozen)).build();
    closeables.add(pool);
    assertThatThrownBy(() -> pool.connect(s0.nodeId()).get())
        .isInstanceOf(ExecutionException.class);
    // the clock stands still, so each next attempt shows the delay that was chosen
    List<Long> delays = new ArrayList<>();
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (delays.stream().noneMatch(ms -> ms >= 560) && System.nanoTime() < deadline) {
      status(pool, s0.nodeId()).nextAttempt().ifPresent(at -> {
        long ms = Duration.between(frozen, at).toMillis();
        if (delays.isEmpty() || delays.get(delays.size() - 1) != ms) {
          delays.add(ms);
        }
      });
      Thread.sleep(5);
    }
    // each delay is its step (200, 400, then 700 ms) less up to a fifth; a stalled poll may
    // miss a step, so: only these steps, growing, up to the maximum
    List<Integer> steps = delays.stream().map(ms -> ms >= 560 && ms <= 700 ? 2
        : ms >= 320 && ms <= 400 ? 1 : ms >= 160 && ms <= 200 ? 0 : -1).toList();
    assertThat(steps).as("steps of the delays seen: %s", delays).doesNotContain(-1).contains(2)
        .isSorted();
  }

  @Test
  void aFailedServerFailsFastWhileBackingOff() throws Exception {
    grid = new TestGrid(dir, 2);
    NodeKey key = NodeKey.generate();
    // a backoff longer than the test, so no retry can have started when the status is read
    ServerPool pool = ServerPool.builder(grid.membership(key), key)
        .clientOptions(TestGrid.CLIENT_OPTIONS)
        .reconnectBackoff(Duration.ofSeconds(60), Duration.ofSeconds(60)).build();
    closeables.add(pool);
    TestServer s1 = grid.server(1);
    s1.kill();
    assertThatThrownBy(() -> pool.connect(s1.nodeId()).get())
        .isInstanceOf(ExecutionException.class);
    ServerStatus st = status(pool, s1.nodeId());
    assertThat(st.state()).isEqualTo(ConnectionState.BACKING_OFF);
    assertThat(st.nextAttempt()).isPresent();
    assertThatThrownBy(() -> pool.connect(s1.nodeId()).get())
        .hasCauseInstanceOf(ServerUnavailableException.class)
        .hasMessageContaining("next attempt at");
  }

  @Test
  void aClientStartedFromCachedAnnouncementsWorksWithoutTheIntroducer() throws Exception {
    grid = new TestGrid(dir, 10);
    IntroducerServer introducer = IntroducerServer.start(NodeKey.generate(), "127.0.0.1", 0);
    closeables.add(introducer);
    IntroducerUrl url = introducer.url();
    List<AnnouncementPublisher> publishers = new ArrayList<>();
    for (TestServer s : grid.servers()) {
      publishers.add(AnnouncementPublisher.builder(s.key()).signer(NodeSigner.of(s.key()))
          .introducer(url).nickname(s.nickname()).address(new HostPort("127.0.0.1", s.port()))
          .softwareVersion("test").freeSpace(() -> 1L << 30).clientOptions(TestGrid.CLIENT_OPTIONS)
          .build().start());
    }
    Path cache = dir.resolve("client").resolve("announcements.cache");
    NodeKey clientKey = NodeKey.generate();
    try (GridMembership first = GridMembership.builder(clientKey).introducer(url)
        .cacheFile(cache).saveDelay(Duration.ZERO).build().start()) {
      assertThat(first.awaitServers(10, Duration.ofSeconds(20))).hasSize(10);
    }
    publishers.forEach(AnnouncementPublisher::close);
    introducer.close();

    AtomicReference<Instant> now = new AtomicReference<>(Instant.now());
    InstantSource clock = now::get;
    GridMembership offline = GridMembership.builder(clientKey).introducer(url).cacheFile(cache)
        .clock(clock).maxAge(Duration.ofHours(1))
        .reconnectBackoff(Duration.ofSeconds(5), Duration.ofSeconds(5)).build().start();
    closeables.add(offline);
    assertThat(offline.connectedIntroducers()).isZero();
    ServerPool pool = ServerPool.builder(offline, clientKey)
        .clientOptions(TestGrid.CLIENT_OPTIONS).build();
    closeables.add(pool);
    assertThat(pool.status()).hasSize(10).extracting(ServerStatus::nickname)
        .allSatisfy(n -> assertThat(n).startsWith("server"));
    GridClient client = GridClient.create(pool, ClientSecrets.random(new SecureRandom()),
        GridConfig.defaults());
    closeables.add(client);
    byte[] data = new byte[300_000];
    new Random(3).nextBytes(data);
    UploadResult r = client.upload(PlaintextSource.of(data)).get();
    assertThat(r.happiness()).isEqualTo(10);
    try (ImmutableFile file = client.open((ImmutableReadCap) r.cap())) {
      assertThat(file.read(0, data.length).get()).isEqualTo(data);
    }

    // Announcements older than the max age drop out, and the pool lets their servers go.
    now.set(now.get().plus(Duration.ofHours(2)));
    assertThat(offline.servers()).isEmpty();
    await("the pool drops expired servers", () -> pool.serverIds().isEmpty());
    assertThat(pool.connectedCount()).isZero();
  }
}
