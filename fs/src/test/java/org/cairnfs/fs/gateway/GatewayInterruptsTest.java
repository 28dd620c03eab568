package org.cairnfs.fs.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.cairnfs.fs.mount.MemoryGrid;
import org.junit.jupiter.api.Test;

/**
 * A thread interrupted while it starts or closes a gateway keeps its interrupt: the caller (a
 * node shutting down) must still see that it was asked to stop.
 */
class GatewayInterruptsTest {

  /**
   * With the interrupt already set, the wait for the bind fails at once (unless the bind
   * finished first, which a retry covers): the start fails naming the address, with the
   * interrupt as its cause and the thread's interrupt set again.
   */
  @Test
  void anInterruptedStartFailsNamingTheAddressAndKeepsTheInterrupt() throws Exception {
    GatewayConfig config = GatewayConfig.builder().host("127.0.0.1").port(0).build();
    MemoryGrid grid = MemoryGrid.inMemory();
    IOException failed = null;
    for (int attempt = 0; attempt < 50 && failed == null; attempt++) {
      Thread.currentThread().interrupt();
      try {
        Gateway g = Gateway.start(config, grid, NodeStatusSource.NONE);
        g.close(); // the bind was done before the wait looked at the interrupt
      } catch (IOException e) {
        failed = e;
        assertThat(Thread.interrupted()).as("interrupt kept").isTrue();
      } finally {
        Thread.interrupted();
      }
    }
    assertThat(failed).isNotNull().hasCauseInstanceOf(InterruptedException.class)
        .hasMessageStartingWith("cannot serve the gateway on 127.0.0.1:0: ");
  }

  /**
   * A close by an interrupted thread while a worker is deaf to interrupts (held in a grid open)
   * stops waiting for that worker at once, still closes the gateway, and leaves the interrupt
   * set.
   */
  @Test
  void anInterruptedCloseStillClosesAndKeepsTheInterrupt() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    SyntheticFiles files = new SyntheticFiles(grid, 1L << 20);
    files.openGate = new CountDownLatch(1);
    GatewayFixture g = GatewayFixture.start(GatewayConfig.builder().build(), grid, files);
    URI url = g.uri("/");
    try {
      CompletableFuture<HttpResponse<byte[]>> get = g.http.sendAsync(
          g.request("/uri/" + files.hugeCap).GET().build(),
          HttpResponse.BodyHandlers.ofByteArray());
      assertThat(files.opens.tryAcquire(10, TimeUnit.SECONDS)).as("worker in open").isTrue();
      Thread.currentThread().interrupt();
      try {
        g.close();
        assertThat(Thread.interrupted()).as("interrupt kept").isTrue();
      } finally {
        Thread.interrupted();
      }
      try (Socket s = new Socket(url.getHost(), url.getPort())) {
        throw new AssertionError("the gateway still accepts connections after close");
      } catch (ConnectException expected) {
        // closed
      }
      get.cancel(true);
    } finally {
      files.openGate.countDown();
    }
  }
}
