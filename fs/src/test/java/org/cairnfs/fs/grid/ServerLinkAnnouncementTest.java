package org.cairnfs.fs.grid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.cairnfs.fs.testing.CountingListener;
import org.cairnfs.fs.testing.TestGrid;
import org.cairnfs.introducer.HostPort;
import org.cairnfs.introducer.client.GridServer;
import org.cairnfs.protocol.client.ClientOptions;
import org.cairnfs.protocol.identity.NodeKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review findings on {@link ServerLink#update} bringing the next attempt forward: what a stream
 * of new announcements of a server that does not take connections does to the attempts a
 * client makes against it. The server here is a socket that accepts and closes at once (a
 * server that is down behind a proxy, refuses this address, or whose storage port is
 * unreachable while it still announces), counting every attempt.
 */
class ServerLinkAnnouncementTest {
  @TempDir Path dir;
  TestGrid grid;
  ServerPool pool;
  CountingListener refuser;

  @BeforeEach
  void start() throws Exception {
    grid = new TestGrid(dir, 1);
    refuser = new CountingListener();
  }

  @AfterEach
  void stop() throws Exception {
    if (pool != null) {
      pool.close();
    }
    refuser.close();
    grid.close();
  }

  private ServerPool pool(Duration min, Duration max, InstantSource clock) {
    NodeKey key = NodeKey.generate();
    pool = ServerPool.builder(grid.membership(key), key)
        .clientOptions(ClientOptions.builder().connectTimeout(Duration.ofSeconds(1))
            .requestTimeout(Duration.ofSeconds(5)).build())
        .reconnectBackoff(min, max).clock(clock).build();
    return pool;
  }

  private ServerLink link() {
    return new ServerLink(pool, new GridServer(grid.server(0).nodeId(), "s0",
        List.of(new HostPort("127.0.0.1", refuser.port())), 1, "", 1, Instant.EPOCH, false,
        Optional.empty()));
  }

  private static GridServer announcedAgain(GridServer s) {
    return new GridServer(s.nodeId(), s.nickname(), s.addresses(), s.freeSpace(),
        s.softwareVersion(), s.sequence() + 1, s.lastSeen(), s.isStatic(), s.announcement());
  }

  /**
   * A server that keeps announcing but does not take this client's connections (its storage
   * port unreachable, refusing the address, or a hostile introducer replaying the signed
   * announcements it harvested, one newer sequence after another) must not make the client
   * retry it faster than its backoff: every new announcement resets the backoff to the
   * shortest, so the link attempts every shortest backoff for as long as the announcements
   * come, instead of backing off to the maximum.
   *
   * <p>Backoff 100 ms to 10 s: alone, the attempts in 5 s are at about 0, 0.1, 0.3, 0.7, 1.5 and
   * 3.1 s (each delay less up to a fifth), 6 or 7; one announcement bringing an attempt forward
   * adds one.
   */
  @Test
  void aStreamOfNewAnnouncementsDoesNotMakeTheLinkHammerAServerThatRefusesIt()
      throws Exception {
    pool(Duration.ofMillis(100), Duration.ofSeconds(10), InstantSource.system());
    ServerLink link = link();
    assertThatThrownBy(() -> link.connect().get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class);
    long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    GridServer s = link.server();
    int announcements = 0;
    while (System.nanoTime() < end) {
      s = announcedAgain(s);
      link.update(s);
      announcements++;
      Thread.sleep(50);
    }
    int attempts = refuser.accepted();
    assertThat(attempts)
        .as("attempts in 5 s against a refusing server, with %d new announcements", announcements)
        .isLessThanOrEqualTo(8);
  }

  /**
   * {@code retry.cancel(false)} does not stop a retry that already fired and waits for the
   * link's lock: when an announcement brings the next attempt forward just then (the wall clock
   * the link plans with is behind the scheduler's: a step back of the system clock), both the
   * old retry and the new one run, and every failure of each schedules another: the link keeps
   * two retry chains, twice the attempts once the backoff reached its maximum, for as long as
   * the server stays down (status shows one next attempt; the other comes before it).
   */
  @Test
  void aRetryAlreadyRunningWhenAnAnnouncementBringsTheAttemptForwardLeavesOneRetryChain()
      throws Exception {
    AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
    pool(Duration.ofMillis(300), Duration.ofMillis(600), now::get);
    ServerLink link = link();
    assertThatThrownBy(() -> link.connect().get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class);
    assertThat(refuser.accepted()).isEqualTo(1);
    // Rounds: a retry that fired before the round took the lock ends its attempt once the
    // lock is free again, and schedules the next retry for the next round to catch.
    int before = -1;
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (before < 0 && System.nanoTime() < deadline) {
      synchronized (link) {
        // the scheduled retry fires (after at most 600 ms) and waits for the lock
        long roundEnd = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        while (!retryWaitsForLock() && System.nanoTime() < roundEnd) {
          Thread.sleep(5);
        }
        if (retryWaitsForLock()) {
          before = refuser.accepted();
          now.set(now.get().minusSeconds(5)); // the system clock stepped back
          link.update(announcedAgain(link.server()));
        }
      }
      if (before < 0) {
        Thread.sleep(50); // let the attempt in flight end
      }
    }
    assertThat(before).as("the retry fired and waits for the link").isNotNegative();
    // Backoff 300 to 600 ms: one chain attempts every 0.48-0.6 s, at most 7 times in 3 s
    // (the one that fired included); two chains about twice that, for as long as it is down.
    Thread.sleep(3_000);
    assertThat(refuser.accepted() - before).as("attempts in the 3 s after the announcement")
        .isLessThanOrEqualTo(7);
  }

  private static boolean retryWaitsForLock() {
    return Thread.getAllStackTraces().keySet().stream()
        .anyMatch(t -> t.getName().equals("cairn-server-pool")
            && t.getState() == Thread.State.BLOCKED
            && java.util.Arrays.stream(t.getStackTrace())
                .anyMatch(f -> f.getMethodName().equals("retryNow")));
  }
}
