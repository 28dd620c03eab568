package org.cairnfs.fs.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.cairnfs.fs.mount.MemoryGrid;
import org.junit.jupiter.api.Test;

/**
 * One connection's life on raw sockets: pipelined requests answered in order (and a client
 * piling up more than the handler holds cut off), the header deadline armed again for each
 * keep-alive request and never left over from an earlier one, a body the client abandons or
 * garbles never stored, and a response given before its body was read saying it closes.
 */
class GatewayConnectionTest {
  private static final String HOST = " HTTP/1.1\r\nHost: x\r\n\r\n";

  @Test
  void pipelinedRequestsAreAnsweredInOrder() throws Exception {
    try (GatewayFixture g = GatewayFixture.start()) {
      String root = g.grid.newRoot();
      byte[] a = GridContent.random(70_000, 1);
      byte[] b = GridContent.random(3_000, 2);
      GridContent.file(g.grid, root, "a", a);
      GridContent.file(g.grid, root, "b", b);
      String ro = GridContent.readCap(root);
      g.grid.delay(Duration.ofMillis(150)); // the first is still served when the rest arrive
      try (Socket s = g.socket()) {
        GatewayFixture.send(s, "GET /uri/" + ro + "/a" + HOST + "GET /uri/" + ro + "/b" + HOST
            + "GET /uri/" + ro + "/a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        List<byte[]> bodies = readResponses(s.getInputStream());
        assertThat(bodies).hasSize(3);
        assertThat(bodies.get(0)).isEqualTo(a);
        assertThat(bodies.get(1)).isEqualTo(b);
        assertThat(bodies.get(2)).isEqualTo(a);
      }
    }
  }

  /**
   * Sixteen requests may wait behind the one being served: the bound counts requests, not the
   * pieces the decoder makes of them (a GET is a head and an empty end), which closed the
   * connection with nine waiting and lost the answer being made. (More than sixteen wait only
   * when one read of the socket holds them: the gateway reads no more while it answers.)
   */
  @Test
  void sixteenPipelinedRequestsWaitBehindTheOneServed() throws Exception {
    try (GatewayFixture g = GatewayFixture.start()) {
      String root = g.grid.newRoot();
      byte[] b = GridContent.random(3_000, 4);
      GridContent.file(g.grid, root, "b", b);
      String get = "GET /uri/" + GridContent.readCap(root) + "/b" + HOST;
      g.grid.delay(Duration.ofMillis(300)); // the first is still served when the rest arrive
      try (Socket s = g.socket()) { // one in progress, 16 waiting
        s.setSoTimeout(30_000);
        GatewayFixture.send(s, get.repeat(16) + get.replace("\r\n\r\n",
            "\r\nConnection: close\r\n\r\n"));
        List<byte[]> bodies = readResponses(s.getInputStream());
        assertThat(bodies).hasSize(17).allSatisfy(body -> assertThat(body).isEqualTo(b));
      }
    }
  }

  /**
   * A client that half-closes after its request (nc -N, some scripts) still gets its answer,
   * also when the grid is slow: only the local client channel watches for a close meanwhile.
   */
  @Test
  void aClientThatHalfClosesAfterItsRequestStillGetsTheAnswer() throws Exception {
    try (GatewayFixture g = GatewayFixture.start()) {
      String root = g.grid.newRoot();
      byte[] a = GridContent.random(70_000, 3);
      GridContent.file(g.grid, root, "a", a);
      g.grid.delay(Duration.ofMillis(300));
      try (Socket s = g.socket()) {
        s.setSoTimeout(10_000);
        GatewayFixture.send(s, "GET /uri/" + GridContent.readCap(root)
            + "/a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        s.shutdownOutput();
        List<byte[]> bodies = readResponses(s.getInputStream());
        assertThat(bodies).hasSize(1);
        assertThat(bodies.get(0)).isEqualTo(a);
      }
    }
  }

  @Test
  void eachKeepAliveRequestGetsItsOwnHeaderDeadline() throws Exception {
    try (GatewayFixture g = GatewayFixture.start(GatewayConfig.builder()
        .headerTimeout(Duration.ofMillis(1000)).idleTimeout(Duration.ofSeconds(60)).build())) {
      String status = "GET /status?t=json" + HOST;
      try (Socket s = g.socket()) { // a second head that stops half way: 408, not the idle close
        s.setSoTimeout(15_000);
        GatewayFixture.send(s, status);
        InputStream in = s.getInputStream();
        assertThat(readResponse(in)).isNotNull();
        GatewayFixture.send(s, "GET /status HTTP/1.1\r\nHo");
        assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII))
            .startsWith("HTTP/1.1 408 ");
      }
      assertThat(g.getText("/metrics").body()) // answers that close count too
          .contains("cairn_gateway_requests_total{method=\"-\",status=\"408\"} 1.0");
      try (Socket s = g.socket()) { // the first request's deadline does not cut the third
        InputStream in = s.getInputStream();
        GatewayFixture.send(s, status);
        assertThat(readResponse(in)).isNotNull();
        Thread.sleep(600);
        GatewayFixture.send(s, status);
        assertThat(readResponse(in)).isNotNull();
        Thread.sleep(600); // 1.2 s after the first answer, 0.6 s after the second
        GatewayFixture.send(s, status);
        assertThat(readResponse(in)).as("third answer on the same connection").isNotNull();
      }
    }
  }

  @Test
  void aBodyTheClientAbandonsIsNeitherStoredNorWaitedForForEver() throws Exception {
    try (GatewayFixture g = GatewayFixture.start()) {
      String root = g.grid.newRoot();
      try (Socket s = g.socket()) {
        GatewayFixture.send(s, "PUT /uri/" + root + "/cut.bin HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000"
            + "\r\n\r\n" + "x".repeat(100_000));
        awaitUploadRunning(g);
        assertThat(GatewayLimitsTest.metric(g.getText("/metrics").body(),
            "cairn_gateway_received_bytes_total")).isGreaterThanOrEqualTo(100_000);
      } // closed mid-body
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (g.getText("/status?t=json").body().contains("\"active\":true")) {
        assertThat(System.nanoTime()).as("the cut upload ends").isLessThan(deadline);
        Thread.sleep(20);
      }
      assertThat(g.get("/uri/" + root + "/cut.bin").statusCode()).isEqualTo(404);
    }
  }

  @Test
  void aDownloadWhoseClientLeavesStopsPullingFromTheGrid() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    SyntheticFiles files = new SyntheticFiles(grid, 1L << 30);
    try (GatewayFixture g = GatewayFixture.start(GatewayConfig.builder().build(), grid, files)) {
      try (Socket s = g.socket()) {
        s.setReceiveBufferSize(64 * 1024);
        GatewayFixture.send(s, "GET /uri/" + files.hugeCap + HOST);
        assertThat(GatewayFixture.readHead(s.getInputStream())).startsWith("HTTP/1.1 200 ");
      } // gone after the head, the stream held by the socket's buffers
      long deadline = System.nanoTime() + 20_000_000_000L;
      while (g.getText("/status?t=json").body().contains("\"active\":true")) {
        assertThat(System.nanoTime()).as("the cut download ends").isLessThan(deadline);
        Thread.sleep(20);
      }
      assertThat(files.pulled.get()).as("bytes pulled for a client that left")
          .isLessThan(64L << 20);
    }
  }

  @Test
  void aGarbledChunkedBodyClosesTheConnectionAndStoresNothing() throws Exception {
    try (GatewayFixture g = GatewayFixture.start()) {
      String root = g.grid.newRoot();
      String answer = g.raw("PUT /uri/" + root + "/bad.bin HTTP/1.1\r\nHost: x\r\n"
          + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\nmore\r\n0\r\n\r\n");
      assertThat(answer).doesNotStartWith("HTTP/1.1 2");
      assertThat(g.get("/uri/" + root + "/bad.bin").statusCode()).isEqualTo(404);
      assertThat(g.getText("/uri/" + root + "?t=json").body()).doesNotContain("bad.bin");
    }
  }

  @Test
  void anAnswerGivenBeforeTheBodyIsReadSaysTheConnectionCloses() throws Exception {
    try (GatewayFixture g = GatewayFixture.start()) {
      String ro = GridContent.readCap(g.grid.newRoot());
      try (Socket s = g.socket()) {
        GatewayFixture.send(s, "PUT /uri/" + ro + "/x.bin HTTP/1.1\r\nHost: x\r\nContent-Length: 500000\r\n\r\n");
        InputStream in = s.getInputStream();
        String head = GatewayFixture.readHead(in);
        assertThat(head).startsWith("HTTP/1.1 403 ").containsIgnoringCase("connection: close");
      }
    }
  }

  private static void awaitUploadRunning(GatewayFixture g) throws Exception {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!g.getText("/status?t=json").body().contains("\"active\":true")) {
      assertThat(System.nanoTime()).as("the upload shows as running").isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  /** Every response until the server closes, each body read by its Content-Length. */
  private static List<byte[]> readResponses(InputStream in) throws IOException {
    List<byte[]> bodies = new ArrayList<>();
    for (byte[] body = readResponse(in); body != null; body = readResponse(in)) {
      bodies.add(body);
    }
    return bodies;
  }

  /** One whole response's body, or null at the end of the stream (or a response cut short). */
  private static byte[] readResponse(InputStream in) throws IOException {
    String head = GatewayFixture.readHead(in);
    if (!head.endsWith("\r\n\r\n")) {
      return null;
    }
    assertThat(head).startsWith("HTTP/1.1 200 ");
    int length = Integer.parseInt(head.replaceAll("(?is).*content-length: (\\d+).*", "$1"));
    byte[] body = in.readNBytes(length);
    return body.length == length ? body : null;
  }
}
