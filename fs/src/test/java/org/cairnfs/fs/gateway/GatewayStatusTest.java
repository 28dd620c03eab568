package org.cairnfs.fs.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The status page, its JSON and metrics; the public read-only mode. */
class GatewayStatusTest {
  static NodeStatus status() {
    List<NodeStatus.Server> servers = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      servers.add(new NodeStatus.Server(i == 3 ? "<b>evil</b>" : "server-" + i,
          "v0-node" + i, i != 9, OptionalLong.of(1L << (30 + i % 4)),
          Optional.of(Instant.now().minusSeconds(i * 100L))));
    }
    return new NodeStatus(Optional.of("v0-thisnode"),
        List.of(new NodeStatus.Introducer("127.0.0.1:4500", true)), servers,
        Optional.of(new NodeStatus.StorageUse(5L << 20, OptionalLong.of(1L << 30))),
        List.of(new NodeStatus.Transfer(NodeStatus.Direction.UPLOAD, "/photos/a.jpg", 1000,
            OptionalLong.of(2000), 512_000, true, Instant.now())),
        List.of(new NodeStatus.MountQueue("/home/u/grid", 3, 4096, Optional.empty())));
  }

  @Test
  void statusPageShowsServersTransfersAndTheOpenForm() throws Exception {
    try (GatewayFixture g = GatewayFixture.start(GatewayConfig.builder().build(),
        GatewayStatusTest::status)) {
      HttpResponse<String> r = g.getText("/");
      assertThat(r.statusCode()).isEqualTo(200);
      String body = r.body();
      assertThat(body).contains("<html").contains("9 of 10 storage servers connected")
          .contains("server-0").contains("v0-node7").contains("&lt;b&gt;evil&lt;/b&gt;")
          .doesNotContain("<b>evil")
          .contains("127.0.0.1:4500").contains("5.0 MiB used of 1.0 GiB")
          .contains("/photos/a.jpg").contains("500.0 KiB/s").contains("/home/u/grid")
          .contains("<form method=\"get\" action=\"/uri\">")
          .doesNotContain("<script").doesNotContain("http://").doesNotContain("https://");
      HttpResponse<String> j = g.getText("/status?t=json");
      assertThat(j.headers().firstValue("content-type")).hasValue("application/json");
      assertThat(j.body()).startsWith("{\"version\":1,\"servers_connected\":9,\"servers_known\":10,"
          + "\"node_id\":\"v0-thisnode\",\"introducers\":[{\"address\":\"127.0.0.1:4500\","
          + "\"connected\":true}],\"servers\":[{\"nickname\":\"server-0\"")
          .contains("\"nickname\":\"\\u003cb\\u003eevil\\u003c/b\\u003e\"")
          .contains("\"mounts\":[{\"mount_point\":\"/home/u/grid\",\"pending_files\":3");
    }
  }

  @Test
  void metricsArePrometheusText() throws Exception {
    try (GatewayFixture g = GatewayFixture.start(GatewayConfig.builder().build(),
        GatewayStatusTest::status)) {
      g.getText("/");
      g.getText("/missing");
      for (int i = 0; i < 3; i++) {
        g.http.send(g.request("/").method("FROB" + i,
            java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
            HttpResponse.BodyHandlers.ofString());
      }
      HttpResponse<String> m = g.getText("/metrics");
      assertThat(m.statusCode()).isEqualTo(200);
      assertThat(m.headers().firstValue("content-type").orElseThrow()).startsWith("text/plain");
      assertThat(m.body()).contains("# TYPE cairn_gateway_requests_total counter")
          .contains("cairn_gateway_requests_total{method=\"GET\",status=\"404\"} 1.0")
          .contains("cairn_gateway_requests_total{method=\"OTHER\",status=\"405\"} 3.0")
          .doesNotContain("FROB")
          .contains("cairn_grid_servers_connected 9.0")
          .contains("cairn_gateway_connections");
    }
  }

  @Test
  void aPublicGatewayRefusesEveryWriteAndWriteCapAndShowsHealthOnly() throws Exception {
    try (GatewayFixture g = GatewayFixture.start(GatewayConfig.builder().publicReadOnly(true)
        .build(), GatewayStatusTest::status)) {
      String root = g.grid.newRoot();
      String cap = GridContent.file(g.grid, root, "f.txt", "public".getBytes());
      String ro = GridContent.readCap(root);
      int publishes = g.grid.publishCount();
      List<HttpResponse<String>> writes = List.of(
          g.put("/uri/" + root + "/x", "x".getBytes()),
          g.put("/uri/" + ro + "/x", "x".getBytes()),
          g.put("/uri", "x".getBytes()),
          g.post("/uri?t=mkdir"),
          g.post("/uri/" + root + "/d?t=mkdir"),
          g.delete("/uri/" + root + "/f.txt"),
          g.post("/uri/" + root + "?t=rename&from_name=f.txt&to_name=g"));
      for (HttpResponse<String> r : writes) {
        assertThat(r.statusCode()).as(r.request().method() + " " + r.uri()).isEqualTo(403);
        assertThat(r.body()).contains("public and read-only");
      }
      assertThat(g.grid.publishCount()).isEqualTo(publishes);
      for (String p : new String[] {"/uri/" + root, "/uri/" + root + "/f.txt",
          "/uri/" + root + "?t=json", "/uri?uri=" + root}) {
        HttpResponse<String> r = g.getText(p);
        assertThat(r.statusCode()).as(p).isEqualTo(403);
        assertThat(r.body()).contains("takes no write caps").doesNotContain(root);
      }
      assertThat(g.getText("/uri/" + ro + "/f.txt").body()).isEqualTo("public");
      assertThat(g.getText("/uri/" + cap).body()).isEqualTo("public");
      String page = g.getText("/").body();
      assertThat(page).contains("9 of 10 storage servers connected")
          .doesNotContain("server-0").doesNotContain("v0-thisnode").doesNotContain("/photos")
          .doesNotContain("/home/u/grid");
      assertThat(g.getText("/status?t=json").body())
          .isEqualTo("{\"version\":1,\"servers_connected\":9,\"servers_known\":10}");
      assertThat(g.getText("/metrics").statusCode()).isEqualTo(403);
    }
  }

  @Test
  void theGatewaysOwnTransfersShowWithBytesAndRatesRunningThenDone() throws Exception {
    try (GatewayFixture g = GatewayFixture.start()) {
      String root = g.grid.newRoot();
      byte[] small = GridContent.random(300_000, 5);
      assertThat(g.put("/uri/" + root + "/up/small.bin", small).statusCode()).isEqualTo(201);
      String ro = GridContent.readCap(root);
      assertThat(g.get("/uri/" + ro + "/up/small.bin").body()).isEqualTo(small);
      String json = g.getText("/status?t=json").body();
      assertThat(json).contains("{\"direction\":\"upload\",\"label\":\"up/small.bin\","
          + "\"bytes_done\":300000,\"total_bytes\":null,\"bytes_per_second\":")
          .contains("{\"direction\":\"download\",\"label\":\"up/small.bin\","
          + "\"bytes_done\":300000,\"total_bytes\":300000,\"bytes_per_second\":")
          .doesNotContain("\"active\":true").doesNotContain("cairn:");
      assertThat(g.getText("/").body()).contains("up/small.bin").contains("done");

      // a client that stops reading: its download shows as running, part done
      GridContent.file(g.grid, root, "big.bin", GridContent.random(24 << 20, 6));
      try (java.net.Socket s = g.socket()) {
        s.getOutputStream().write(("GET /uri/" + ro + "/big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
            .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        // registered before its first byte is sent: wait for a part done
        String entry = awaitEntry(g, "big.bin", e -> bytesDone(e) > 0);
        assertThat(entry).contains("\"total_bytes\":" + (24 << 20)).contains("\"active\":true");
        assertThat(bytesDone(entry)).isPositive().isLessThan(24 << 20);
        assertThat(g.getText("/").body()).contains("big.bin").contains("running");
      }
      // the client went away: the transfer ends
      long deadline = System.nanoTime() + 20_000_000_000L;
      while (g.getText("/status?t=json").body().contains("\"active\":true")) {
        assertThat(System.nanoTime()).as("the cut download ends").isLessThan(deadline);
        Thread.sleep(50);
      }
    }
  }

  /** The status entry of the transfer labelled {@code label} once it matches {@code ready}. */
  private static String awaitEntry(GatewayFixture g, String label,
      java.util.function.Predicate<String> ready) throws Exception {
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (true) {
      String j = g.getText("/status?t=json").body();
      int at = j.indexOf("\"label\":\"" + label + "\"");
      if (at >= 0) {
        String entry = j.substring(at, j.indexOf('}', at));
        if (ready.test(entry)) {
          return entry;
        }
      }
      assertThat(System.nanoTime()).as("status showing " + label).isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  private static long bytesDone(String entry) {
    return Long.parseLong(entry.replaceAll(".*\"bytes_done\":(\\d+).*", "$1"));
  }
}
