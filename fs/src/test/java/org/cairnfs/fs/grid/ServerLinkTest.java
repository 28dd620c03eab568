package org.cairnfs.fs.grid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.cairnfs.fs.testing.TestGrid;
import org.cairnfs.fs.testing.TestServer;
import org.cairnfs.introducer.HostPort;
import org.cairnfs.introducer.client.GridServer;
import org.cairnfs.protocol.client.ClientOptions;
import org.cairnfs.protocol.client.ConnectFailedException;
import org.cairnfs.protocol.client.StorageClient;
import org.cairnfs.protocol.identity.NodeKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ServerLink} to one real server, built over a pool that only lends it its options, a
 * clock the test moves, and a backoff (30 s) too long for a background retry to run during a
 * test, so every state seen is one the test caused. Its addresses are the test's: the server's,
 * a closed port (refused at once) or a socket that accepts and never answers (a TLS handshake
 * that times out after a second).
 */
class ServerLinkTest {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  static final Duration BACKOFF = Duration.ofSeconds(30);
  static final long ANNOUNCED_FREE = 12_345;
  @TempDir Path dir;
  TestGrid grid;
  TestServer s0;
  ServerPool pool;
  final AtomicReference<Instant> now = new AtomicReference<>(T0);
  ServerSocket silent;
  HostPort real;
  HostPort quiet;

  @BeforeEach
  void start() throws Exception {
    grid = new TestGrid(dir, 1);
    s0 = grid.server(0);
    pool = poolBuilder(Duration.ofSeconds(1))
        .reconnectBackoff(BACKOFF, BACKOFF.multipliedBy(2)).clock(now::get).build();
    silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    real = new HostPort("127.0.0.1", s0.port());
    quiet = new HostPort("127.0.0.1", silent.getLocalPort());
  }

  @AfterEach
  void stop() throws Exception {
    silent.close();
    pool.close();
    grid.close();
  }

  /** A pool of the test grid's membership whose handshakes time out after {@code connect}. */
  ServerPool.Builder poolBuilder(Duration connect) {
    NodeKey key = NodeKey.generate();
    return ServerPool.builder(grid.membership(key), key)
        .clientOptions(ClientOptions.builder().connectTimeout(connect)
            .requestTimeout(Duration.ofSeconds(10)).build());
  }

  ServerLink link(HostPort... addresses) {
    return link(pool, addresses);
  }

  /** A link of {@code p} to s0 announced at {@code addresses}. */
  ServerLink link(ServerPool p, HostPort... addresses) {
    return new ServerLink(p, new GridServer(s0.nodeId(), "s0", List.of(addresses),
        ANNOUNCED_FREE, "", -1, T0, true, Optional.empty()));
  }

  static HostPort closedPort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return new HostPort("127.0.0.1", s.getLocalPort());
    }
  }

  static <T> T get(CompletableFuture<T> f) throws Exception {
    return f.get(20, TimeUnit.SECONDS);
  }

  static void await(String what, java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    ServerPoolTest.await(what, condition);
  }

  /**
   * A server never reached whose attempts fail slowly (an announced address where nothing
   * answers) is retried in the background, and an operation that meets it during such a retry
   * fails at once instead of waiting for it, unless someone waiting for the grid asked for the
   * attempt or the server announced itself again. A server that connected once is waited for
   * while it reconnects. (A pool of its own: short backoffs, so the background retries run,
   * and a 2 s handshake timeout, so each is seen under way.)
   */
  @Test
  void aServerNeverReachedFailsAtOnceWhileTheBackgroundRetriesIt() throws Exception {
    ServerPool fast = poolBuilder(Duration.ofSeconds(2))
        .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(100)).build();
    ServerLink never = link(fast, quiet);
    ServerLink once = link(fast, quiet, real);
    try {
      CompletableFuture<StorageClient> first = never.connect();
      assertThat(first).as("its first attempt is waited for").isNotDone();
      assertThatThrownBy(() -> get(first)).isInstanceOf(ExecutionException.class);
      await("a background retry under way",
          () -> never.status().state() == ConnectionState.CONNECTING);
      CompletableFuture<StorageClient> during = never.connect();
      assertThat(during).isCompletedExceptionally();
      assertThatThrownBy(() -> get(during)).cause()
          .isInstanceOf(ServerUnavailableException.class)
          .hasMessageContaining("not reached yet; an attempt is under way (last: ");
      never.retrySoon(); // someone waits for the grid: the attempt under way is theirs
      assertThat(never.connect()).isNotDone();
      await("the next background retry",
          () -> never.status().state() == ConnectionState.BACKING_OFF);
      await("under way", () -> never.status().state() == ConnectionState.CONNECTING);
      assertThat(never.connect()).isCompletedExceptionally();
      never.update(announcedAgain(never.server())); // probably back: waited for
      assertThat(never.connect()).isNotDone();

      // refused at once (a server down): cheap to wait for, so its retries are waited for,
      // even one that is slow this time (its port now taken by a socket that never answers)
      HostPort spot = closedPort();
      ServerLink down = link(fast, spot);
      assertThatThrownBy(() -> get(down.connect())).isInstanceOf(ExecutionException.class);
      try (ServerSocket hangs = new ServerSocket(spot.port(), 50,
          InetAddress.getLoopbackAddress())) {
        await("a retry hanging", () -> down.status().state() == ConnectionState.CONNECTING);
        assertThat(down.connect()).isNotDone();
      } finally {
        down.remove();
      }

      get(once.connect()); // past the silent address to the server
      s0.kill();
      await("reconnecting past the silent address",
          () -> once.status().state() == ConnectionState.CONNECTING);
      CompletableFuture<StorageClient> back = once.connect();
      assertThat(back).as("a server reached before is waited for").isNotDone();
    } finally {
      never.remove();
      once.remove();
      fast.close();
    }
  }

  /**
   * An attempt refused a turn at a crowded host (servers announced there by the hundred) says
   * nothing about how long the next one takes: a server never reached so is not waited for
   * when its retry is due, as one whose attempts timed out. (Loopback paced, one turn, a pacer
   * clock that never moves: the first attempt takes the turn, every later one is refused.)
   */
  @Test
  void aServerRefusedATurnAtACrowdedHostIsNotWaitedForWhenItsRetryIsDue() throws Exception {
    ServerPool paced = poolBuilder(Duration.ofSeconds(1))
        .connectPacer(new ConnectPacer(1, 1, true, () -> 0L))
        .reconnectBackoff(BACKOFF, BACKOFF.multipliedBy(2)).clock(now::get).build();
    ServerLink first = link(paced, real);
    ServerLink crowded = link(paced, closedPort());
    try {
      get(first.connect()); // the host's one turn
      assertThatThrownBy(() -> get(crowded.connect())).cause()
          .hasMessageContaining("too many connection attempts");
      now.set(crowded.status().nextAttempt().orElseThrow());
      assertThatThrownBy(() -> get(crowded.connect())).cause()
          .isInstanceOf(ServerUnavailableException.class)
          .hasMessageContaining("not reached yet; an attempt is under way");
    } finally {
      first.remove();
      crowded.remove();
      paced.close();
    }
  }

  @Test
  void opensOnFirstUseAndEveryCallerSharesTheOneConnection() throws Exception {
    ServerLink link = link(real);
    ServerStatus idle = link.status();
    assertThat(idle.state()).isEqualTo(ConnectionState.IDLE);
    assertThat(idle.since()).isEqualTo(T0);
    assertThat(idle.freeSpace()).as("announced, nothing reported yet").isEqualTo(ANNOUNCED_FREE);
    assertThat(idle.lastError()).isEmpty();
    assertThat(idle.nextAttempt()).isEmpty();
    assertThat(link.connectedClient()).isEmpty();

    now.set(T0.plusSeconds(5));
    CompletableFuture<StorageClient> first = link.connect();
    CompletableFuture<StorageClient> second = link.connect();
    StorageClient client = get(first);
    assertThat(get(second)).isSameAs(client);
    assertThat(get(link.connect())).isSameAs(client);
    assertThat(client.connection().isOpen()).isTrue();
    assertThat(link.connectedClient()).containsSame(client);
    ServerStatus up = link.status();
    assertThat(up.state()).isEqualTo(ConnectionState.CONNECTED);
    assertThat(up.since()).isEqualTo(T0.plusSeconds(5));
    await("the server reports its space", () -> link.status().maxShareSize() > 0);
    assertThat(link.status().freeSpace()).isPositive().isNotEqualTo(ANNOUNCED_FREE);
  }

  @Test
  void anAttemptInProgressIsConnectingAndSharedAndMovesOnToTheNextAddress() throws Exception {
    ServerLink link = link(quiet, real);
    now.set(T0.plusSeconds(1));
    CompletableFuture<StorageClient> first = link.connect();
    assertThat(link.status().state()).isEqualTo(ConnectionState.CONNECTING);
    assertThat(link.status().since()).isEqualTo(T0.plusSeconds(1));
    assertThat(link.connectedClient()).as("nothing connected yet").isEmpty();
    CompletableFuture<StorageClient> second = link.connect();
    assertThat(second).isNotSameAs(first); // a copy: a caller cancelling it cancels no other
    StorageClient client = get(first); // after the silent address's handshake times out
    assertThat(get(second)).isSameAs(client);
    assertThat(client.connection().isOpen()).isTrue();
    assertThat(link.status().state()).isEqualTo(ConnectionState.CONNECTED);
  }

  @Test
  void whenEveryAddressFailsTheLastFailureIsGivenAndNoAddressAtAllSaysSo() throws Exception {
    HostPort deadA = closedPort();
    HostPort deadB = closedPort();
    assertThatThrownBy(() -> get(link(deadA, deadB).connect()))
        .isInstanceOf(ExecutionException.class).cause()
        .isInstanceOf(ConnectFailedException.class)
        .hasMessageContaining("cannot connect to 127.0.0.1:" + deadB.port());
    assertThatThrownBy(() -> get(link().connect())).isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(ServerUnavailableException.class)
        .hasMessageContaining("has no address");
  }

  @Test
  void aFailedServerFailsFastUntilItsNextAttemptIsDue() throws Exception {
    s0.kill();
    ServerLink link = link(real);
    now.set(T0.plusSeconds(2));
    assertThatThrownBy(() -> get(link.connect())).isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(ConnectFailedException.class);
    ServerStatus down = link.status();
    assertThat(down.state()).isEqualTo(ConnectionState.BACKING_OFF);
    assertThat(down.since()).isEqualTo(T0.plusSeconds(2));
    assertThat(down.lastError()).hasValueSatisfying(e -> assertThat(e).contains("cannot connect"));
    Instant due = down.nextAttempt().orElseThrow();
    assertThat(due).as("the backoff less up to a fifth of it")
        .isBetween(T0.plusSeconds(2).plus(BACKOFF.multipliedBy(4).dividedBy(5)),
            T0.plusSeconds(2).plus(BACKOFF));

    s0.start(); // back, but the link does not know yet
    now.set(due.minusMillis(1));
    assertThatThrownBy(() -> get(link.connect())).isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(ServerUnavailableException.class)
        .hasMessageContaining("unreachable (").hasMessageContaining("next attempt at " + due);
    assertThat(link.status().state()).isEqualTo(ConnectionState.BACKING_OFF);

    now.set(due); // refused at once before: quick to try, so this caller waits for it
    StorageClient client = get(link.connect());
    assertThat(client.connection().isOpen()).isTrue();
    ServerStatus up = link.status();
    assertThat(up.state()).isEqualTo(ConnectionState.CONNECTED);
    assertThat(up.since()).isEqualTo(due);
    assertThat(up.lastError()).isEmpty();
    assertThat(up.nextAttempt()).isEmpty();
  }

  @Test
  void aDroppedConnectionBacksOffAndSaysWhy() throws Exception {
    ServerLink link = link(real);
    get(link.connect());
    now.set(T0.plusSeconds(7));
    s0.kill();
    await("the drop is noticed",
        () -> link.status().state() == ConnectionState.BACKING_OFF);
    ServerStatus down = link.status();
    assertThat(down.lastError()).contains("connection closed");
    assertThat(down.since()).isEqualTo(T0.plusSeconds(7));
    assertThat(down.nextAttempt()).hasValueSatisfying(at -> assertThat(at)
        .isBetween(T0.plusSeconds(7).plus(BACKOFF.multipliedBy(4).dividedBy(5)),
            T0.plusSeconds(7).plus(BACKOFF)));
    assertThat(link.connectedClient()).isEmpty();
  }

  /**
   * A new announcement of a server the link backs off from (it restarted) brings the next
   * attempt forward to the shortest backoff; the same announcement again, or one while
   * connected, changes nothing.
   */
  @Test
  void aNewAnnouncementWhileBackingOffBringsTheNextAttemptForward() throws Exception {
    s0.kill();
    ServerLink link = link(real);
    assertThatThrownBy(() -> get(link.connect())).isInstanceOf(ExecutionException.class);
    now.set(link.status().nextAttempt().orElseThrow());
    assertThatThrownBy(() -> get(link.connect())).isInstanceOf(ExecutionException.class);
    Instant failed = now.get();
    Instant doubled = link.status().nextAttempt().orElseThrow();
    assertThat(doubled).as("the second failure earned twice the backoff")
        .isAfterOrEqualTo(failed.plus(BACKOFF.multipliedBy(8).dividedBy(5)));
    GridServer old = link.server();
    link.update(old); // the same announcement again
    assertThat(link.status().nextAttempt()).contains(doubled);

    now.set(failed.plusSeconds(1));
    link.update(announcedAgain(old));
    Instant sooner = link.status().nextAttempt().orElseThrow();
    assertThat(sooner).isBetween(now.get().plus(BACKOFF.multipliedBy(4).dividedBy(5)),
        now.get().plus(BACKOFF));
    assertThat(link.status().state()).isEqualTo(ConnectionState.BACKING_OFF);
    assertThat(link.status().since()).as("still down since the first failure")
        .isBefore(failed.plusMillis(1));

    s0.start();
    now.set(sooner);
    get(link.connect());
    link.update(announcedAgain(link.server()));
    assertThat(link.status().state()).isEqualTo(ConnectionState.CONNECTED);
    assertThat(link.status().nextAttempt()).isEmpty();
  }

  /**
   * A server announced at new addresses while an attempt walks its old ones (it moved, and the
   * old address drops packets): when that attempt fails, the next comes after the shortest
   * backoff, at the new addresses, not after the backoff the failures earned (up to a minute).
   * Once per outage, as any announcement's.
   */
  @Test
  void anAnnouncementOfNewAddressesDuringAnAttemptBringsTheNextForward() throws Exception {
    ServerLink link = link(quiet);
    assertThatThrownBy(() -> get(link.connect())).isInstanceOf(ExecutionException.class);
    now.set(link.status().nextAttempt().orElseThrow());
    link.retrySoon(); // asked, so the failing attempt is waited for and earns its backoff
    assertThatThrownBy(() -> get(link.connect())).isInstanceOf(ExecutionException.class);
    Instant earned = link.status().nextAttempt().orElseThrow();
    assertThat(earned).as("the second failure earned twice the backoff")
        .isAfterOrEqualTo(now.get().plus(BACKOFF.multipliedBy(8).dividedBy(5)));

    now.set(earned);
    link.retrySoon();
    CompletableFuture<StorageClient> walking = link.connect(); // the silent address again
    assertThat(link.status().state()).isEqualTo(ConnectionState.CONNECTING);
    GridServer moved = announcedAgain(link.server());
    link.update(new GridServer(moved.nodeId(), moved.nickname(), List.of(real),
        moved.freeSpace(), moved.softwareVersion(), moved.sequence(), moved.lastSeen(),
        moved.isStatic(), moved.announcement()));
    assertThatThrownBy(() -> get(walking)).isInstanceOf(ExecutionException.class);
    Instant next = link.status().nextAttempt().orElseThrow();
    assertThat(next).as("the shortest backoff, not the earned one")
        .isBefore(now.get().plus(BACKOFF).plusMillis(1));
    now.set(next);
    assertThat(get(link.connect()).connection().isOpen()).isTrue();
  }

  /**
   * New addresses announced while connected (an address added) are no attempt walking old ones:
   * the drop that follows leaves the outage's one bring-forward to the restart's announcement.
   */
  @Test
  void newAddressesWhileConnectedLeaveTheBringForwardToTheRestart() throws Exception {
    ServerLink link = link(real);
    get(link.connect());
    GridServer more = announcedAgain(link.server());
    link.update(new GridServer(more.nodeId(), more.nickname(), List.of(real, closedPort()),
        more.freeSpace(), more.softwareVersion(), more.sequence(), more.lastSeen(),
        more.isStatic(), more.announcement()));
    s0.kill();
    await("dropped", () -> link.status().state() == ConnectionState.BACKING_OFF);
    now.set(link.status().nextAttempt().orElseThrow());
    assertThatThrownBy(() -> get(link.connect())).isInstanceOf(ExecutionException.class);
    Instant earned = link.status().nextAttempt().orElseThrow();
    assertThat(earned).isAfterOrEqualTo(now.get().plus(BACKOFF.multipliedBy(8).dividedBy(5)));
    link.update(announcedAgain(link.server())); // restarted
    assertThat(link.status().nextAttempt().orElseThrow()).as("brought forward")
        .isBefore(now.get().plus(BACKOFF).plusMillis(1));
  }

  /**
   * A read that came up short asks a server again only if something changed since it started:
   * the server connected, or started an attempt callers wait for, after the read began. A
   * connection or an attempt the read already met failed it once (a server that hangs, an
   * attempt that outlasts the read's wait): asking again would only double the wait.
   */
  @Test
  void aReadAsksAgainOnlyAConnectionOrAttemptNewerThanItself() throws Exception {
    long beforeAll = System.nanoTime();
    ServerLink up = link(real);
    get(up.connect());
    assertThat(up.retryForRead(beforeAll)).as("connected since the read started").isTrue();
    assertThat(up.retryForRead(System.nanoTime())).as("the connection it met").isFalse();

    ServerLink trying = link(quiet);
    CompletableFuture<StorageClient> attempt = trying.connect();
    assertThat(trying.status().state()).isEqualTo(ConnectionState.CONNECTING);
    assertThat(trying.retryForRead(beforeAll)).as("an attempt started since").isTrue();
    assertThat(trying.retryForRead(System.nanoTime())).as("the attempt it met").isFalse();
    assertThatThrownBy(() -> get(attempt)).isInstanceOf(ExecutionException.class);
    assertThat(trying.retryForRead(beforeAll)).as("backing off after a slow failure").isFalse();
  }

  /**
   * Someone waiting for the grid (a sync) makes a link that backs off try at once, and a
   * {@code connect} right after waits for that attempt instead of failing fast; asked again
   * within the shortest backoff, it does nothing, so a caller in a loop cannot hammer a server.
   */
  @Test
  void someoneWaitingMakesALinkTryAtOnceAtMostOncePerShortestBackoff() throws Exception {
    s0.kill();
    ServerLink link = link(real);
    assertThatThrownBy(() -> get(link.connect())).isInstanceOf(ExecutionException.class);
    Instant first = link.status().nextAttempt().orElseThrow();

    link.retrySoon(); // still down: one attempt now, which fails and backs off further
    await("the attempt failed", () -> link.status().state() == ConnectionState.BACKING_OFF);
    Instant second = link.status().nextAttempt().orElseThrow();
    assertThat(second).as("a second failure doubled the backoff")
        .isAfterOrEqualTo(T0.plus(BACKOFF.multipliedBy(8).dividedBy(5)));

    s0.start();
    now.set(T0.plus(BACKOFF).minusSeconds(1)); // within the shortest backoff of the last ask
    assertThat(first).isAfter(now.get().minusSeconds(10)); // (the first attempt is not due yet)
    link.retrySoon();
    assertThat(link.status().state()).isEqualTo(ConnectionState.BACKING_OFF);
    assertThatThrownBy(() -> get(link.connect())).isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(ServerUnavailableException.class)
        .hasMessageContaining("next attempt at " + second);

    now.set(T0.plus(BACKOFF)); // the window is over; the backoff is not
    assertThat(second).isAfter(now.get());
    link.retrySoon();
    StorageClient client = get(link.connect());
    assertThat(client.connection().isOpen()).isTrue();
    assertThat(link.status().state()).isEqualTo(ConnectionState.CONNECTED);
    link.retrySoon(); // connected: nothing to do
    assertThat(get(link.connect())).isSameAs(client);
  }

  private static GridServer announcedAgain(GridServer s) {
    return new GridServer(s.nodeId(), s.nickname(), s.addresses(), s.freeSpace(),
        s.softwareVersion(), s.sequence() + 1, s.lastSeen(), s.isStatic(), s.announcement());
  }

  /** Retries spread over the last fifth of each backoff, so clients refused together part. */
  @Test
  void theDelayIsTheBackoffLessUpToAFifthAtRandom() {
    java.util.Set<Long> seen = new java.util.HashSet<>();
    for (int i = 0; i < 2_000; i++) {
      long d = org.cairnfs.introducer.client.Backoff.jittered(30_000);
      assertThat(d).isBetween(24_000L, 30_000L);
      seen.add(d / 1_000);
    }
    assertThat(seen).as("spread over the whole range").contains(24L, 27L, 29L);
    assertThat(org.cairnfs.introducer.client.Backoff.jittered(4)).isEqualTo(4); // too short to spread
  }

  @Test
  void aRemovedLinkClosesItsConnectionAndRefusesForGood() throws Exception {
    ServerLink link = link(real);
    StorageClient client = get(link.connect());
    now.set(T0.plusSeconds(3));
    link.remove();
    assertThat(link.status().state()).isEqualTo(ConnectionState.IDLE);
    assertThat(link.status().since()).isEqualTo(T0.plusSeconds(3));
    assertThat(link.connectedClient()).isEmpty();
    await("its connection is closed", () -> !client.connection().isOpen());
    assertThatThrownBy(() -> get(link.connect())).isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(ServerUnavailableException.class)
        .hasMessageContaining("left the grid");
    Thread.sleep(100);
    assertThat(link.status().state()).as("the close is no drop to recover from")
        .isEqualTo(ConnectionState.IDLE);
  }

  @Test
  void aConnectionThatArrivesAfterTheRemovalIsClosed() throws Exception {
    ServerLink link = link(real);
    CompletableFuture<StorageClient> pending = link.connect();
    link.remove();
    try {
      StorageClient late = get(pending);
      await("the late connection is closed", () -> !late.connection().isOpen());
    } catch (ExecutionException e) {
      assertThat(e).cause().hasMessageContaining("left the grid"); // removed before it started
    }
    assertThat(link.status().state()).isEqualTo(ConnectionState.IDLE);
    assertThat(link.connectedClient()).isEmpty();
  }

  /** Removed while its first address times out, a link tries no further address. */
  @Test
  void aRemovedLinkTriesNoFurtherAddress() throws Exception {
    ServerLink link = link(quiet, real);
    CompletableFuture<StorageClient> pending = link.connect();
    link.remove();
    assertThatThrownBy(() -> get(pending)).isInstanceOf(ExecutionException.class)
        .cause().hasMessageContaining("left the grid");
    assertThat(link.connectedClient()).isEmpty();
  }

  @Test
  void aFullServerReportsNoFreeSpaceOverItsAnnouncement() throws Exception {
    try (TestGrid full = new TestGrid(dir.resolve("full"), 1, 4096)) {
      TestServer f = full.server(0);
      byte[] bytes = new byte[4096];
      UploadFaultsTest.plant(f, org.cairnfs.caps.StorageIndex.of(new byte[16]), 0, bytes);
      ServerLink link = new ServerLink(pool, new GridServer(f.nodeId(), "full",
          List.of(new HostPort("127.0.0.1", f.port())), ANNOUNCED_FREE, "", -1, T0, true,
          Optional.empty()));
      get(link.connect());
      await("the server reports its space", () -> link.status().maxShareSize() > 0);
      assertThat(link.status().freeSpace()).isZero();
    }
  }
}
