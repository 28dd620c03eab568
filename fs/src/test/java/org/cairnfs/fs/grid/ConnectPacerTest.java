package org.cairnfs.fs.grid;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.cairnfs.fs.testing.CountingListener;
import org.cairnfs.fs.testing.TestGrid;
import org.cairnfs.introducer.HostPort;
import org.cairnfs.introducer.client.GridServer;
import org.cairnfs.protocol.client.ClientOptions;
import org.cairnfs.protocol.identity.NodeKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Connection attempts per destination host: a burst, then a rate; loopback unpaced unless asked.
 * Over real sockets, announcements of many servers at one victim's address make a pool connect
 * there at the pace only (the reflection a hostile review found: 3 200 connections for one
 * status with 200 such announcements).
 */
class ConnectPacerTest {
  static final long MS = 1_000_000L;
  @TempDir Path dir;

  @Test
  void aBurstAtOnceThenOneAttemptPerInterval() {
    AtomicLong now = new AtomicLong(1_000 * MS);
    ConnectPacer p = new ConnectPacer(3, 4, true, now::get);
    assertThat(p.delayMillis("10.0.0.1")).isZero();
    assertThat(p.delayMillis("10.0.0.1")).isZero();
    assertThat(p.delayMillis("10.0.0.1")).isZero();
    assertThat(p.delayMillis("10.0.0.1")).isEqualTo(250);
    assertThat(p.delayMillis("10.0.0.1")).as("500 ms away: refused").isEqualTo(-1);
    assertThat(p.delayMillis("10.0.0.2")).as("another host has its own").isZero();
    now.addAndGet(2_000 * MS); // the bucket refills, to its burst only
    assertThat(p.delayMillis("10.0.0.1")).isZero();
    assertThat(p.delayMillis("10.0.0.1")).isZero();
    assertThat(p.delayMillis("10.0.0.1")).isZero();
    assertThat(p.delayMillis("10.0.0.1")).isEqualTo(250);
  }

  /** A turn more than 250 ms away is refused, taking none: the queue stays short. */
  @Test
  void aTurnTooFarAwayIsRefused() {
    AtomicLong now = new AtomicLong(1_000 * MS);
    ConnectPacer p = new ConnectPacer(2, 8, true, now::get);
    assertThat(p.delayMillis("10.0.0.1")).isZero();
    assertThat(p.delayMillis("10.0.0.1")).isZero();
    assertThat(p.delayMillis("10.0.0.1")).isEqualTo(125);
    assertThat(p.delayMillis("10.0.0.1")).isEqualTo(250);
    assertThat(p.delayMillis("10.0.0.1")).as("375 ms away").isEqualTo(-1);
    assertThat(p.delayMillis("10.0.0.1")).as("still: a refusal takes no turn").isEqualTo(-1);
    now.addAndGet(125 * MS);
    assertThat(p.delayMillis("10.0.0.1")).isEqualTo(250);
  }

  /** One address however written is one host (the review's ten spellings of 10.0.0.1). */
  @Test
  void anAddressIsOneHostHoweverItIsWritten() {
    AtomicLong now = new AtomicLong(1_000 * MS);
    ConnectPacer p = new ConnectPacer(16, 4, true, now::get);
    String[] same = {"10.0.0.1", "167772161", "10.1", "10.0.1", "010.0.0.1", "::ffff:10.0.0.1",
        "::FFFF:A00:1", "0:0:0:0:0:ffff:a00:1", "0000::ffff:0a00:0001", "[00::ffff:a00:1]"};
    for (String h : same) {
      assertThat(ConnectPacer.key(h)).as(h).isEqualTo("10.0.0.1");
    }
    int atOnce = 0;
    for (String h : same) {
      for (int i = 0; i < 16; i++) {
        atOnce += p.delayMillis(h) == 0 ? 1 : 0;
      }
    }
    assertThat(atOnce).isEqualTo(16);
    assertThat(ConnectPacer.key("2001:DB8::1")).isEqualTo(ConnectPacer.key("2001:db8:0::0:1"));
    assertThat(ConnectPacer.key("Server.Example.")).isEqualTo("server.example");
    assertThat(ConnectPacer.key("1.2.3.4.5")).as("not an address: as written")
        .isEqualTo("1.2.3.4.5");
    assertThat(ConnectPacer.key("256.1.1.1")).isEqualTo("256.1.1.1");
    assertThat(ConnectPacer.key("1.16777216")).isEqualTo("1.16777216");
    assertThat(ConnectPacer.key("1.16777215")).isEqualTo("1.255.255.255");
    assertThat(ConnectPacer.key("4294967295")).isEqualTo("255.255.255.255");
    assertThat(ConnectPacer.key("zz:1")).as("not an address").isEqualTo("zz:1");
  }

  @Test
  void loopbackIsUnpacedByDefault() {
    AtomicLong now = new AtomicLong();
    ConnectPacer p = new ConnectPacer(1, 1, false, now::get);
    for (int i = 0; i < 5; i++) {
      assertThat(p.delayMillis("127.0.0.1")).isZero();
      assertThat(p.delayMillis("localhost")).isZero();
      assertThat(p.delayMillis("[::1]")).isZero();
    }
    assertThat(p.delayMillis("127.0.0.2.example")).isZero();
    assertThat(p.delayMillis("127.0.0.2.example")).as("a name, not a loopback literal")
        .isEqualTo(-1);
    assertThat(p.delayMillis("127.1")).as("127.0.0.1 written short").isZero();
    assertThat(p.delayMillis("::ffff:127.0.0.1")).isZero();
    assertThat(ConnectPacer.isLoopback(ConnectPacer.key("127.1.2.3"))).isTrue();
    assertThat(ConnectPacer.isLoopback(ConnectPacer.key("128.0.0.1"))).isFalse();
    assertThat(ConnectPacer.isLoopback(ConnectPacer.key("::2"))).isFalse();
  }

  @Test
  void manyHostsAreForgottenOnceTheirBucketsRefill() {
    AtomicLong now = new AtomicLong();
    ConnectPacer p = new ConnectPacer(1, 1, true, now::get);
    for (int i = 0; i < 5_000; i++) {
      assertThat(p.delayMillis("h" + i)).isZero();
      now.addAndGet(2_000 * MS);
    }
    assertThat(p.delayMillis("h4999")).isZero(); // refilled, forgotten or not
    assertThat(p.delayMillis("h4999")).isEqualTo(-1);
  }

  /**
   * A link that connected once reconnects unpaced while a crowd of links at its host fills the
   * pace; one waiting for its turn fails at once when the pool closes (the review found both
   * waiting: the real link behind 100 fakes for about 21 s, a waiting attempt never settled).
   */
  @Test
  void aProvenLinkIsNotQueuedBehindACrowdAndAWaitingOneEndsWithThePool() throws Exception {
    try (TestGrid grid = new TestGrid(dir, 1);
        ServerSocket victim = new ServerSocket(0, 200, InetAddress.getLoopbackAddress())) {
      NodeKey key = NodeKey.generate();
      // a short backoff: the crowd retries every 0.2 s and keeps the host's pace full
      ServerPool pool = ServerPool.builder(grid.membership(key), key)
          .clientOptions(ClientOptions.builder().connectTimeout(Duration.ofSeconds(1)).build())
          .reconnectBackoff(Duration.ofMillis(100), Duration.ofMillis(200))
          .connectPacer(new ConnectPacer(2, 1, true, System::nanoTime)).build();
      try {
        org.cairnfs.protocol.client.StorageClient first =
            pool.connect(grid.server(0).nodeId()).get(20, java.util.concurrent.TimeUnit.SECONDS);
        List<ServerLink> crowd = new ArrayList<>();
        for (int i = 0; i < 20; i++) { // at the real server's host
          ServerLink l = new ServerLink(pool, new GridServer(NodeKey.generate().nodeId(),
              "f" + i, List.of(new HostPort("127.0.0.1", victim.getLocalPort())), 1L << 40, "",
              -1, Instant.EPOCH, true, Optional.empty()));
          crowd.add(l);
          l.connect();
        }
        Thread.sleep(500);
        long t0 = System.nanoTime();
        Instant closedAt = Instant.now();
        first.close(); // dropped: the proven link reconnects after its backoff, unpaced
        ServerPoolTest.await("the real link back", () -> {
          ServerStatus st = ServerPoolTest.status(pool, grid.server(0).nodeId());
          return st.state() == ConnectionState.CONNECTED && st.since().isAfter(closedAt);
        });
        assertThat((System.nanoTime() - t0) / MS).as("behind the crowd: about 20 s")
            .isLessThan(4_000);
        // one of the crowd waiting for its turn ends with the pool
        java.util.concurrent.CompletableFuture<?> waiting = null;
        for (int i = 0; i < 50 && waiting == null; i++) {
          for (ServerLink l : crowd) {
            java.util.concurrent.CompletableFuture<?> f = l.connect();
            if (!f.isDone()) {
              waiting = f;
              break;
            }
          }
          Thread.sleep(20);
        }
        pool.close();
        if (waiting != null) {
          java.util.concurrent.CompletableFuture<?> w = waiting;
          ServerPoolTest.await("a waiting attempt ended by the close", w::isDone);
        }
      } finally {
        pool.close();
      }
    }
  }

  /**
   * Forty servers announced at one address, each link asked to connect at once: the victim
   * sees the burst at once and then the rate, not forty connections; turns more than 250
   * ms away are refused (those links back off).
   */
  @Test
  void announcementsAtOneVictimConnectThereAtThePaceOnly() throws Exception {
    try (TestGrid grid = new TestGrid(dir, 1); CountingListener victim = new CountingListener()) {
      NodeKey key = NodeKey.generate();
      long t0 = System.nanoTime();
      try (ServerPool pool = ServerPool.builder(grid.membership(key), key)
          .clientOptions(ClientOptions.builder().connectTimeout(Duration.ofSeconds(1)).build())
          .reconnectBackoff(Duration.ofMinutes(1), Duration.ofMinutes(2))
          .connectPacer(new ConnectPacer(4, 5, true, System::nanoTime)).build()) {
        List<ServerLink> links = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
          ServerLink link = new ServerLink(pool, new GridServer(NodeKey.generate().nodeId(),
              "fake" + i, List.of(new HostPort("127.0.0.1", victim.port())), 1L << 40,
              "", -1, Instant.EPOCH, true, Optional.empty()));
          links.add(link);
          link.connect();
        }
        Thread.sleep(1_000);
        long elapsedMs = (System.nanoTime() - t0) / MS;
        int seen = victim.accepted();
        assertThat(seen).as("the burst of 4, then 5 a second, after %d ms", elapsedMs)
            .isLessThanOrEqualTo(4 + (int) (5 * elapsedMs / 1000) + 1);
        // turns more than 250 ms away were refused at once: those links back off a minute
        long refused = links.stream().map(l -> l.connect()).filter(f -> f.isDone()
            && f.isCompletedExceptionally()).count();
        Thread.sleep(2_500);
        long total = (System.nanoTime() - t0) / MS;
        assertThat(victim.accepted()).as("after %d ms", total)
            .isLessThanOrEqualTo(4 + (int) (5 * total / 1000) + 1);
        assertThat(refused).isGreaterThanOrEqualTo(40 - 4 - 5 * 2 - 1);
        links.forEach(ServerLink::remove);
      }
    }
  }
}
