package org.cairnfs.fs.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.cairnfs.fs.mount.MemoryGrid;
import org.junit.jupiter.api.Test;

/** What a client cannot make the gateway spend: header bytes, time, sockets, memory. */
class GatewayLimitsTest {

  private static String request(String target, String extra) {
    return "GET " + target + " HTTP/1.1\r\nHost: x\r\n" + extra + "Connection: close\r\n\r\n";
  }

  @Test
  void oversizedHeadersAre431AndLongLines414() throws Exception {
    try (GatewayFixture g = GatewayFixture.start(GatewayConfig.builder()
        .maxHeaderBytes(4096).build())) {
      String big = "X-Big: " + "a".repeat(5000) + "\r\n";
      assertThat(g.raw(request("/", big)).toLowerCase()).startsWith("http/1.1 431 ")
          .contains("referrer-policy: no-referrer").contains("request headers larger than 4096");
      assertThat(g.raw(request("/" + "b".repeat(9000), ""))).startsWith("HTTP/1.1 414 ")
          .contains("request line longer than");
      assertThat(g.raw("NOT HTTP AT ALL\r\n\r\n")).startsWith("HTTP/1.1 400 ")
          .contains("malformed HTTP request");
      assertThat(g.getText("/").statusCode()).isEqualTo(200); // still serving
    }
  }

  @Test
  void aHeadThatDoesNotArriveIs408AndAnIdleConnectionIsClosed() throws Exception {
    try (GatewayFixture g = GatewayFixture.start(GatewayConfig.builder()
        .headerTimeout(Duration.ofMillis(300)).idleTimeout(Duration.ofMillis(800)).build())) {
      try (Socket s = g.socket()) {
        s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n".getBytes());
        long t0 = System.nanoTime();
        String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertThat(answer).startsWith("HTTP/1.1 408 ");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
      }
      try (Socket s = g.socket()) { // an idle keep-alive connection is closed without a 408
        s.getOutputStream().write("GET /status?t=json HTTP/1.1\r\nHost: x\r\n\r\n".getBytes());
        InputStream in = s.getInputStream();
        String head = GatewayFixture.readHead(in);
        assertThat(head).startsWith("HTTP/1.1 200 ");
        int length = Integer.parseInt(head.replaceAll("(?s).*content-length: (\\d+).*", "$1"));
        assertThat(in.readNBytes(length)).hasSize(length);
        assertThat(in.read()).isEqualTo(-1);
      }
      try (Socket s = g.socket()) { // a slow PUT body stalls: closed after the idle timeout
        s.getOutputStream().write(("PUT /uri HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n"
            + "abc").getBytes());
        long t0 = System.nanoTime();
        assertThat(s.getInputStream().read()).isEqualTo(-1);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
      }
    }
  }

  /**
   * A request the grid takes longer than the idle timeout to serve is answered: the quiet
   * connection is the node at work, not a stalled client (a long warm put or get through the
   * node's local channel sends nothing until the grid is done).
   */
  @Test
  void aRequestServedSlowerThanTheIdleTimeoutIsStillAnswered() throws Exception {
    try (GatewayFixture g = GatewayFixture.start(GatewayConfig.builder()
        .headerTimeout(Duration.ofMillis(300)).idleTimeout(Duration.ofMillis(600)).build())) {
      HttpResponse<String> put = g.put("/uri", "slow but sure".getBytes(StandardCharsets.UTF_8));
      assertThat(put.statusCode()).isBetween(200, 201);
      String cap = put.body().trim();
      g.grid.delay(Duration.ofMillis(1500));
      HttpResponse<String> got = g.getText("/uri/" + cap);
      assertThat(got.statusCode()).isEqualTo(200);
      assertThat(got.body()).isEqualTo("slow but sure");
      HttpResponse<String> again = g.put("/uri", "stored slowly".getBytes(StandardCharsets.UTF_8));
      assertThat(again.statusCode()).isBetween(200, 201);
      g.grid.delay(Duration.ZERO);
      assertThat(g.getText("/uri/" + again.body().trim()).body()).isEqualTo("stored slowly");
    }
  }

  @Test
  void connectionsPastTheLimitAre503AndClosed() throws Exception {
    try (GatewayFixture g = GatewayFixture.start(GatewayConfig.builder().maxConnections(3)
        .build())) {
      List<Socket> held = new ArrayList<>();
      try {
        for (int i = 0; i < 3; i++) {
          Socket s = g.socket();
          s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes());
          assertThat(GatewayFixture.readHead(s.getInputStream())).startsWith("HTTP/1.1 200 ");
          held.add(s);
        }
        String refused = g.raw(request("/", ""));
        assertThat(refused).startsWith("HTTP/1.1 503 ").contains("too many connections");
      } finally {
        for (Socket s : held) {
          s.close();
        }
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (System.nanoTime() < deadline) {
        if (g.raw(request("/", "")).startsWith("HTTP/1.1 200 ")) {
          return; // places came back
        }
        Thread.sleep(50);
      }
      throw new AssertionError("connections did not come back after the clients closed");
    }
  }

  @Test
  void oneAddressCannotTakeEveryConnection() throws Exception {
    // a public gateway is for many clients: one of them holding every place (a request every
    // few seconds on each keeps them) must not turn the others away
    java.net.InetAddress own = ownNonLoopbackAddress();
    org.junit.jupiter.api.Assumptions.assumeTrue(own != null,
        "no non-loopback IPv4 address to connect from");
    GatewayConfig config = GatewayConfig.builder().host("0.0.0.0")
        .headerTimeout(Duration.ofSeconds(60)).idleTimeout(Duration.ofSeconds(60)).build();
    try (GatewayFixture g = GatewayFixture.start(config)) {
      List<Socket> held = new ArrayList<>();
      try {
        int served = 0;
        for (int i = 0; i < config.maxConnections(); i++) {
          Socket s = new Socket(own, g.gateway.url().getPort());
          s.setSoTimeout(20_000);
          held.add(s);
          GatewayFixture.send(s, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
          String head = GatewayFixture.readHead(s.getInputStream());
          if (head.startsWith("HTTP/1.1 200 ")) {
            served++;
          } else {
            assertThat(head).startsWith("HTTP/1.1 503 ");
          }
        }
        assertThat(served).as("connections one address holds")
            .isEqualTo(config.maxConnectionsPerAddress()).isLessThan(config.maxConnections());
        assertThat(g.raw(request("/", ""))).as("another client").startsWith("HTTP/1.1 200 ");
      } finally {
        for (Socket s : held) {
          s.close();
        }
      }
      // every place comes back, the refused connections' too
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      int again = 0;
      held.clear();
      try {
        while (again < config.maxConnectionsPerAddress() && System.nanoTime() < deadline) {
          Socket s = new Socket(own, g.gateway.url().getPort());
          s.setSoTimeout(20_000);
          GatewayFixture.send(s, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
          if (GatewayFixture.readHead(s.getInputStream()).startsWith("HTTP/1.1 200 ")) {
            held.add(s);
            again++;
          } else {
            s.close();
            Thread.sleep(50); // closes still being counted down
          }
        }
        assertThat(again).isEqualTo(config.maxConnectionsPerAddress());
      } finally {
        for (Socket s : held) {
          s.close();
        }
      }
    }
  }

  private static java.net.InetAddress ownNonLoopbackAddress() throws java.io.IOException {
    for (var n : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
      if (n.isUp() && !n.isLoopback()) {
        for (var a : java.util.Collections.list(n.getInetAddresses())) {
          if (a instanceof java.net.Inet4Address) {
            return a;
          }
        }
      }
    }
    return null;
  }

  @Test
  void aClientThatDoesNotReadHoldsTheStreamNotTheFile() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    SyntheticFiles files = new SyntheticFiles(grid, 1L << 30);
    try (GatewayFixture g = GatewayFixture.start(GatewayConfig.builder().build(), grid, files);
        Socket s = g.socket()) {
      s.setReceiveBufferSize(64 * 1024);
      s.getOutputStream().write(request("/uri/" + files.hugeCap, "").getBytes());
      InputStream in = s.getInputStream();
      assertThat(GatewayFixture.readHead(in)).startsWith("HTTP/1.1 200 ").contains("content-length: 1073741824");
      long before = -1;
      for (int i = 0; i < 50 && files.pulled.get() != before; i++) {
        before = files.pulled.get();
        Thread.sleep(100); // until the gateway stops pulling
      }
      assertThat(files.pulled.get()).as("bytes pulled while the client reads nothing")
          .isLessThan(16L << 20);
      byte[] buf = new byte[8192];
      int n = in.readNBytes(buf, 0, buf.length);
      for (int i = 0; i < n; i++) {
        assertThat(buf[i]).isEqualTo(SyntheticFiles.byteAt(i));
      }
    }
  }

  /** What streaming 1 GiB may keep on the heap (client and server together). */
  private static final long HELD_BOUND = 256L << 20;

  @Test
  void aGibibyteStreamsWholeWithBoundedHeap() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    long size = 1L << 30;
    SyntheticFiles files = new SyntheticFiles(grid, size);
    try (GatewayFixture g = GatewayFixture.start(GatewayConfig.builder().build(), grid, files)) {
      Runtime rt = Runtime.getRuntime();
      System.gc();
      long usedBefore = rt.totalMemory() - rt.freeMemory();
      HttpResponse<InputStream> r = g.http.send(g.request("/uri/" + files.hugeCap).GET()
          .build(), HttpResponse.BodyHandlers.ofInputStream());
      long got = 0;
      long peak = 0;
      MessageDigest have = MessageDigest.getInstance("SHA-256");
      MessageDigest want = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 16];
      byte[] expect = new byte[1 << 16];
      try (InputStream in = r.body()) {
        int n;
        while ((n = in.read(buf)) > 0) {
          for (int i = 0; i < n; i++) {
            expect[i] = SyntheticFiles.byteAt(got + i);
          }
          have.update(buf, 0, n);
          want.update(expect, 0, n);
          got += n;
          if ((got & ((64 << 20) - 1)) < n) {
            long grown = rt.totalMemory() - rt.freeMemory() - usedBefore;
            if (grown >= HELD_BOUND) { // garbage not yet collected, or held? collect and see
              System.gc();
              grown = rt.totalMemory() - rt.freeMemory() - usedBefore;
            }
            peak = Math.max(peak, grown);
          }
        }
      }
      assertThat(got).isEqualTo(size);
      assertThat(have.digest()).isEqualTo(want.digest());
      // client and server share this heap; neither may hold a sizeable part of the GiB
      assertThat(peak).as("heap growth while streaming 1 GiB").isLessThan(HELD_BOUND);
    }
  }

  @Test
  void anUploadBodyIsBufferedAtMostTheLimitAheadOfTheGrid() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    SyntheticFiles files = new SyntheticFiles(grid, 1);
    files.uploadGate = new CountDownLatch(1);
    int limit = 256 * 1024;
    long bodySize = 64L << 20;
    try (GatewayFixture g = GatewayFixture.start(GatewayConfig.builder().maxBodyBuffer(limit)
        .build(), grid, files)) {
      ExecutorService pool = Executors.newSingleThreadExecutor();
      try (Socket s = g.socket()) {
        s.setSendBufferSize(64 * 1024);
        Future<Long> sender = pool.submit(() -> {
          OutputStream out = s.getOutputStream();
          out.write(("PUT /uri HTTP/1.1\r\nHost: x\r\nContent-Length: " + bodySize
              + "\r\nConnection: close\r\n\r\n").getBytes());
          byte[] chunk = new byte[65536];
          long sent = 0;
          while (sent < bodySize) {
            out.write(chunk);
            sent += chunk.length;
          }
          return sent;
        });
        Thread.sleep(1500);
        String metrics = g.getText("/metrics").body();
        double received = metric(metrics, "cairn_gateway_received_bytes_total");
        assertThat(received).as("body bytes taken from the socket while the grid waits")
            .isLessThan(limit + (4 << 20));
        assertThat(sender.isDone()).isFalse();
        files.uploadGate.countDown();
        assertThat(sender.get()).isEqualTo(bodySize);
        String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(answer).startsWith("HTTP/1.1 200 ");
        assertThat(files.uploaded.get()).isEqualTo(bodySize);
      } finally {
        pool.shutdownNow();
      }
    }
  }

  static double metric(String text, String name) {
    for (String line : text.split("\n")) {
      if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    throw new AssertionError("no metric " + name + " in\n" + text);
  }

  @Test
  void setChildrenBatchesHeldInMemoryAreBounded() throws Exception {
    // a batch is read whole (up to 16 MiB, then parsed): without a bound, as many connections
    // as the gateway takes could hold one each, far past the node's heap
    MemoryGrid grid = MemoryGrid.inMemory();
    SyntheticFiles files = new SyntheticFiles(grid, 1);
    files.applyGate = new CountDownLatch(1);
    String dir = grid.newRoot();
    StringBuilder doc = new StringBuilder(EntryLines.HEADER + "\n");
    for (int i = 0; i < 20_000; i++) {
      doc.append("remove n").append(i).append('\n');
    }
    int requests = MemorySlots.SLOTS + 2;
    try (GatewayFixture g = GatewayFixture.start(GatewayConfig.builder().build(), grid, files)) {
      List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
      for (int i = 0; i < requests; i++) {
        sent.add(g.http.sendAsync(g.request("/uri/" + dir + "?t=set-children")
            .POST(HttpRequest.BodyPublishers.ofString(doc.toString())).build(),
            HttpResponse.BodyHandlers.ofString()));
      }
      assertHeldAtMost(MemorySlots.SLOTS, files.applying, files.mostApplying, files.applyGate,
          sent, "batches in memory at once", body -> assertThat(body).isEqualTo("ok 20000\n"));
    }
  }

  /**
   * Waits until {@code limit} requests are held at the gate, gives the rest a second to come
   * in were they not held back, checks that no more ever were, opens the gate and checks every
   * answer is a 200 whose body passes {@code check}.
   */
  private static void assertHeldAtMost(int limit, java.util.concurrent.atomic.AtomicInteger now,
      java.util.concurrent.atomic.AtomicInteger most, CountDownLatch gate,
      List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> sent, String what,
      java.util.function.Consumer<String> check) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (now.get() < limit && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    Thread.sleep(1000);
    assertThat(most.get()).as(what).isEqualTo(limit);
    gate.countDown();
    for (var f : sent) {
      HttpResponse<String> r = f.get(20, TimeUnit.SECONDS);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      check.accept(r.body());
    }
  }

  @Test
  void directoryListingsHeldInMemoryAreBounded() throws Exception {
    // a listing page is held and rendered whole: without a bound, as many connections as the
    // gateway takes could each hold one of a huge directory
    MemoryGrid grid = MemoryGrid.inMemory();
    SyntheticFiles files = new SyntheticFiles(grid, 1);
    files.listGate = new CountDownLatch(1);
    String dir = grid.newRoot();
    GridContent.file(grid, dir, "only", "x".getBytes());
    int requests = MemorySlots.LISTINGS + 3;
    try (GatewayFixture g = GatewayFixture.start(GatewayConfig.builder().build(), grid, files)) {
      List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
      for (int i = 0; i < requests; i++) {
        sent.add(g.http.sendAsync(g.request("/uri/" + dir + (i % 2 == 0 ? "" : "?t=json"))
            .GET().build(), HttpResponse.BodyHandlers.ofString()));
      }
      assertHeldAtMost(MemorySlots.LISTINGS, files.listing, files.mostListing, files.listGate,
          sent, "listings in memory at once", body -> assertThat(body).contains("only"));
    }
  }

  @Test
  void aFastClientIsNotCutBecauseTheGridWasSlow() throws Exception {
    // the pace of an answer counts from its head: time the grid took before is not the client's
    MemoryGrid grid = MemoryGrid.inMemory();
    SyntheticFiles files = new SyntheticFiles(grid, 1);
    String dir = grid.newRoot();
    java.time.Instant t = java.time.Instant.parse("2026-12-04T12:00:00Z");
    List<org.cairnfs.fs.mount.EntryChange> puts = new ArrayList<>();
    for (int i = 0; i < 400; i++) { // a page of about 1.6 MB
      puts.add(new org.cairnfs.fs.mount.EntryChange.Put(String.format("link%04d", i),
          java.util.Optional.empty(),
          org.cairnfs.fs.mount.NodeMetadata.symlink("t".repeat(4000), 0777, t, t)));
    }
    grid.applyChanges(dir, puts).get();
    try (GatewayFixture g = GatewayFixture.start(GatewayConfig.builder()
        .slotGrace(Duration.ofSeconds(1)).slotMinRate(1 << 20).build(), grid, files)) {
      files.listGate = new CountDownLatch(1);
      var answer = g.http.sendAsync(g.request("/uri/" + dir).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      Thread.sleep(2_500); // the grid, slower than the grace
      files.listGate.countDown();
      HttpResponse<String> r = answer.get(20, TimeUnit.SECONDS);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).contains("link0399");
    }
  }

  @Test
  void aChangeSurelyRefusedGetsNo100ContinueButItsRefusal() throws Exception {
    // without this, a client waiting for 100 sent its whole body only to have it refused
    String put = "PUT /uri/%s/f.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
        + "Expect: 100-continue\r\n\r\n";
    try (GatewayFixture g = GatewayFixture.start()) {
      String root = g.grid.newRoot();
      try (Socket s = g.socket()) { // through a read cap: 403 at once
        GatewayFixture.send(s, String.format(put, GridContent.readCap(root)));
        assertThat(GatewayFixture.readHead(s.getInputStream())).startsWith("HTTP/1.1 403 ")
            .contains("connection: close");
        assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
            .contains("needs a write cap");
      }
      try (Socket s = g.socket()) { // through the write cap: 100, then the body, then 201
        GatewayFixture.send(s, String.format(put, root));
        InputStream in = s.getInputStream();
        assertThat(GatewayFixture.readHead(in)).startsWith("HTTP/1.1 100 ");
        GatewayFixture.send(s, "hello");
        assertThat(GatewayFixture.readHead(in)).startsWith("HTTP/1.1 201 ");
      }
    }
    try (GatewayFixture g = GatewayFixture.start(GatewayConfig.builder().publicReadOnly(true)
        .build()); Socket s = g.socket()) { // a public gateway takes no change at all
      GatewayFixture.send(s, String.format(put, g.grid.newRoot()));
      assertThat(GatewayFixture.readHead(s.getInputStream())).startsWith("HTTP/1.1 403 ");
    }
  }

  @Test
  void twentyConcurrentDownloadsAllComeWhole() throws Exception {
    try (GatewayFixture g = GatewayFixture.start()) {
      String root = g.grid.newRoot();
      byte[] content = GridContent.random(1 << 20, 5);
      String cap = GridContent.file(g.grid, root, "f", content);
      ExecutorService pool = Executors.newFixedThreadPool(20);
      try {
        List<Future<byte[]>> all = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
          all.add(pool.submit(() -> g.send(g.request("/uri/" + cap).GET().build()).body()));
        }
        for (Future<byte[]> f : all) {
          assertThat(f.get()).isEqualTo(content);
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Test
  void configRejectsBadValuesByName() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> GatewayConfig.builder().port(70000))
        .hasMessageContaining("70000");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> GatewayConfig.builder()
        .maxConnections(0)).hasMessageContaining("maxConnections");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> GatewayConfig.builder()
        .headerTimeout(Duration.ofSeconds(100)).build()).hasMessageContaining("headerTimeout");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> GatewayConfig.builder().host(" "))
        .hasMessageContaining("host");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> GatewayConfig.builder()
        .slotMinRate(10)).hasMessageContaining("slotMinRate").hasMessageContaining("10");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> GatewayConfig.builder()
        .slotGrace(Duration.ZERO)).hasMessageContaining("slotGrace");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> GatewayConfig.builder()
        .slotGrace(Duration.ofDays(400 * 365))).hasMessageContaining("slotGrace");
  }

}
