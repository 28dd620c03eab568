package org.cairnfs.fs.grid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pool following its membership as the membership changes: real servers announced through
 * a real introducer, and a membership whose clock the test moves (max age one hour), so a
 * server leaves when the test ages its announcement out and moves when it announces another
 * address.
 */
class ServerPoolMembershipTest {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  @TempDir Path dir;
  TestGrid grid;
  IntroducerServer introducer;
  final AtomicReference<Instant> now = new AtomicReference<>(T0);
  final NodeKey clientKey = NodeKey.generate();
  final List<AutoCloseable> closeables = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    grid = new TestGrid(dir, 3);
    introducer = IntroducerServer.start(NodeKey.generate(), "127.0.0.1", 0);
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
    introducer.close();
    grid.close();
  }

  AnnouncementPublisher announce(TestServer s, HostPort address) {
    AnnouncementPublisher p = AnnouncementPublisher.builder(s.key()).signer(NodeSigner.of(s.key()))
        .introducer(introducer.url()).nickname(s.nickname()).address(address)
        .softwareVersion("test").freeSpace(() -> 1L << 30).clientOptions(TestGrid.CLIENT_OPTIONS)
        .build().start();
    closeables.add(p);
    return p;
  }

  AnnouncementPublisher announce(TestServer s) {
    return announce(s, new HostPort("127.0.0.1", s.port()));
  }

  GridMembership membership(NodeAddress... statics) {
    IntroducerUrl url = introducer.url();
    GridMembership.Builder b = GridMembership.builder(clientKey).introducer(url)
        .clock(now::get).maxAge(Duration.ofHours(1)).clientOptions(TestGrid.CLIENT_OPTIONS);
    for (NodeAddress s : statics) {
      b.staticServer(s);
    }
    GridMembership m = b.build().start();
    closeables.add(m);
    return m;
  }

  ServerPool pool(GridMembership membership) {
    ServerPool pool = ServerPool.builder(membership, clientKey)
        .clientOptions(TestGrid.CLIENT_OPTIONS)
        .reconnectBackoff(Duration.ofMillis(100), Duration.ofSeconds(2)).build();
    closeables.add(pool);
    return pool;
  }

  static void await(String what, java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    ServerPoolTest.await(what, condition);
  }

  static List<NodeId> sorted(NodeId... ids) {
    List<NodeId> list = new ArrayList<>(List.of(ids));
    list.sort(null);
    return list;
  }

  @Test
  void aServerThatLeavesIsDisconnectedAndNoLongerListed() throws Exception {
    TestServer s0 = grid.server(0);
    TestServer s1 = grid.server(1);
    TestServer s2 = grid.server(2);
    AnnouncementPublisher leaving = announce(s1);
    GridMembership membership = membership();
    membership.awaitServers(1, Duration.ofSeconds(20));
    now.set(T0.plus(Duration.ofMinutes(50))); // s0 and s2 are seen later than s1
    announce(s0);
    announce(s2);
    assertThat(membership.awaitServers(3, Duration.ofSeconds(20))).hasSize(3);
    ServerPool pool = pool(membership);
    assertThat(pool.serverIds()).isEqualTo(sorted(s0.nodeId(), s1.nodeId(), s2.nodeId()));
    StorageClient toLeaver = pool.connect(s1.nodeId()).get(20, TimeUnit.SECONDS);
    StorageClient toStayer = pool.connect(s0.nodeId()).get(20, TimeUnit.SECONDS);

    leaving.close();
    now.set(T0.plus(Duration.ofMinutes(90))); // s1's announcement is now older than an hour
    assertThat(membership.servers()).extracting(s -> s.nodeId())
        .isEqualTo(sorted(s0.nodeId(), s2.nodeId()));
    await("the pool lets s1 go", () -> pool.serverIds().size() == 2);
    assertThat(pool.serverIds()).isEqualTo(sorted(s0.nodeId(), s2.nodeId()));
    await("the connection to s1 is closed", () -> !toLeaver.connection().isOpen());
    assertThat(pool.connected(s1.nodeId())).isEmpty();
    assertThatThrownBy(() -> pool.connect(s1.nodeId()).get()).isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(ServerUnavailableException.class)
        .hasMessageContaining("not a known server");
    assertThat(toStayer.connection().isOpen()).as("s0 stays connected").isTrue();
    assertThat(pool.connected(s0.nodeId())).containsSame(toStayer);
  }

  @Test
  void aServerAnnouncingAnotherAddressIsReachedThere() throws Exception {
    TestServer s0 = grid.server(0);
    HostPort closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = new HostPort("127.0.0.1", s.getLocalPort());
    }
    // configured statically at an address where nothing listens, then announced at its own
    GridMembership membership = membership(new NodeAddress(s0.nodeId(), closed));
    ServerPool pool = pool(membership);
    assertThat(pool.status()).singleElement()
        .satisfies(st -> assertThat(st.addresses()).containsExactly(closed));

    HostPort real = new HostPort("127.0.0.1", s0.port());
    announce(s0, real);
    await("the pool sees the new address",
        () -> pool.status().stream().anyMatch(st -> st.addresses().equals(List.of(real))));
    assertThat(pool.serverIds()).containsExactly(s0.nodeId());
    assertThat(pool.status().get(0).nickname()).isEqualTo(s0.nickname());
    StorageClient client = pool.connect(s0.nodeId()).get(20, TimeUnit.SECONDS);
    assertThat(client.connection().isOpen()).isTrue();
    assertThat(pool.connected(s0.nodeId())).containsSame(client);
  }

  @Test
  void aChangeInFlightWhenThePoolClosesAddsNothingBack() throws Exception {
    announce(grid.server(0));
    GridMembership membership = membership();
    membership.awaitServers(1, Duration.ofSeconds(20));
    // listeners run in the order added, on the membership's one thread: this one holds a
    // notification while the pool closes, so the pool's listener runs after close
    CountDownLatch held = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    membership.addListener(list -> {
      if (held.getCount() > 0) {
        held.countDown();
        awaitQuietly(release);
      }
    });
    ServerPool pool = pool(membership);
    CountDownLatch passed = new CountDownLatch(1);
    membership.addListener(list -> passed.countDown());
    try {
      announce(grid.server(1));
      assertThat(held.await(20, TimeUnit.SECONDS)).as("a change is being told").isTrue();
      pool.close();
    } finally {
      release.countDown();
    }
    assertThat(passed.await(20, TimeUnit.SECONDS)).as("the pool's listener has run").isTrue();
    assertThat(pool.serverIds()).isEmpty();
    assertThat(pool.status()).isEmpty();
  }

  static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(20, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
