package org.cairnfs.fs.grid;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
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
    assertThat(p.delayMillis("10.0.0.1")).isEqualTo(500);
    assertThat(p.delayMillis("10.0.0.2")).as("another host has its own").isZero();
    now.addAndGet(2_000 * MS); // the bucket refills, to its burst only
    assertThat(p.delayMillis("10.0.0.1")).isZero();
    assertThat(p.delayMillis("10.0.0.1")).isZero();
    assertThat(p.delayMillis("10.0.0.1")).isZero();
    assertThat(p.delayMillis("10.0.0.1")).isEqualTo(250);
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
        .isEqualTo(1000);
    assertThat(ConnectPacer.isLoopback("127.1.2.3")).isTrue();
    assertThat(ConnectPacer.isLoopback("127.0.0.256")).isFalse();
    assertThat(ConnectPacer.isLoopback("128.0.0.1")).isFalse();
    assertThat(ConnectPacer.isLoopback("127.0.0")).isFalse();
    assertThat(ConnectPacer.isLoopback("::2")).isFalse();
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
    assertThat(p.delayMillis("h4999")).isEqualTo(1000);
  }

  /**
   * Forty servers announced at one address, each link asked to connect at once: the victim
   * sees the burst at once and then the rate, not forty connections; every attempt still comes.
   */
  @Test
  void announcementsAtOneVictimConnectThereAtThePaceOnly() throws Exception {
    try (TestGrid grid = new TestGrid(dir, 1);
        ServerSocket victim = new ServerSocket(0, 200, InetAddress.getLoopbackAddress())) {
      AtomicInteger accepted = new AtomicInteger();
      Thread acceptor = new Thread(() -> {
        while (!victim.isClosed()) {
          try (Socket s = victim.accept()) {
            accepted.incrementAndGet();
          } catch (Exception e) {
            return;
          }
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();
      NodeKey key = NodeKey.generate();
      long t0 = System.nanoTime();
      try (ServerPool pool = ServerPool.builder(grid.membership(key), key)
          .clientOptions(ClientOptions.builder().connectTimeout(Duration.ofSeconds(1)).build())
          .reconnectBackoff(Duration.ofMinutes(1), Duration.ofMinutes(2))
          .connectPacer(new ConnectPacer(4, 5, true, System::nanoTime)).build()) {
        List<ServerLink> links = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
          ServerLink link = new ServerLink(pool, new GridServer(NodeKey.generate().nodeId(),
              "fake" + i, List.of(new HostPort("127.0.0.1", victim.getLocalPort())), 1L << 40,
              "", -1, Instant.EPOCH, true, Optional.empty()));
          links.add(link);
          link.connect();
        }
        Thread.sleep(1_000);
        long elapsedMs = (System.nanoTime() - t0) / MS;
        int seen = accepted.get();
        assertThat(seen).as("the burst of 4, then 5 a second, after %d ms", elapsedMs)
.isLessThanOrEqualTo(4 + (int) (5 * elapsedMs / 1000) + 1);
        ServerPoolTest.await("every attempt made", () -> accepted.get() >= 40);
        links.forEach(ServerLink::remove);
      }
    }
  }
}
