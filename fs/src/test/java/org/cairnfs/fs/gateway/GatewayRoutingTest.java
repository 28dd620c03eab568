package org.cairnfs.fs.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The router's paths and methods, the headers every exchange sets, the gateway's meters and its
 * own start and stop: over a real socket on the in-memory grid.
 */
class GatewayRoutingTest {

  @Test
  void theStatusPathsServeOnlyGetAndHead() throws Exception {
    try (GatewayFixture g = GatewayFixture.start()) {
      for (String p : new String[] {"/", "/status", "/metrics"}) {
        for (String m : new String[] {"POST", "PUT", "DELETE"}) {
          HttpResponse<String> r = g.http.send(g.request(p).method(m,
              HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
          assertThat(r.statusCode()).as(m + " " + p).isEqualTo(405);
          assertThat(r.body()).as(m + " " + p).contains(m + " is not served here");
        }
        HttpResponse<String> head = g.http.send(g.request(p).method("HEAD",
            HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(head.statusCode()).as("HEAD " + p).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        assertThat(Long.parseLong(head.headers().firstValue("content-length").orElseThrow()))
            .as("HEAD " + p + " gives the length of the GET").isPositive();
      }
    }
  }

  @Test
  void theOpenFormRedirectsForGetAndHeadAndNeedsACap() throws Exception {
    try (GatewayFixture g = GatewayFixture.start()) {
      String ro = GridContent.readCap(g.grid.newRoot());
      for (String m : new String[] {"GET", "HEAD"}) {
        HttpResponse<String> r = g.http.send(g.request("/uri?uri=" + ro).method(m,
            HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(m).isEqualTo(303);
        assertThat(r.headers().firstValue("location")).hasValue("/uri/" + ro);
        // the cap is in the Location: no cache may keep it
        assertThat(r.headers().firstValue("cache-control")).hasValue("no-store");
      }
      for (String p : new String[] {"/uri", "/uri?uri=", "/uri?uri=%20%20"}) {
        HttpResponse<String> r = g.getText(p);
        assertThat(r.statusCode()).as(p).isEqualTo(400);
        assertThat(r.body()).as(p).contains("give a cap");
      }
    }
  }

  @Test
  void aPutWithATypeIsRefusedAndStoresNothing() throws Exception {
    try (GatewayFixture g = GatewayFixture.start()) {
      String root = g.grid.newRoot();
      int publishes = g.grid.publishCount();
      HttpResponse<String> r = g.put("/uri/" + root + "/x?t=mkdir", "x".getBytes());
      assertThat(r.statusCode()).isEqualTo(400);
      assertThat(r.body()).contains("PUT takes no t=mkdir");
      assertThat(g.grid.publishCount()).isEqualTo(publishes);
      assertThat(g.getText("/uri/" + root + "/x").statusCode()).isEqualTo(404);
    }
  }

  @Test
  void aPostToTheOpenFormMakesADirectoryOnlyForTMkdir() throws Exception {
    try (GatewayFixture g = GatewayFixture.start()) {
      int publishes = g.grid.publishCount();
      for (String p : new String[] {"/uri", "/uri?t=rename", "/uri?t=json"}) {
        HttpResponse<String> r = g.post(p);
        assertThat(r.statusCode()).as(p).isEqualTo(400);
        assertThat(r.body()).as(p).contains("POST /uri needs t=mkdir (POST) or a body (PUT)");
      }
      // t=mkdir makes a directory for POST only: a GET never makes anything
      HttpResponse<String> get = g.getText("/uri?t=mkdir");
      assertThat(get.statusCode()).isEqualTo(400);
      assertThat(get.body()).contains("give a cap");
      HttpResponse<String> delete = g.delete("/uri?t=mkdir");
      assertThat(delete.statusCode()).isEqualTo(400);
      assertThat(delete.body()).contains("DELETE /uri needs t=mkdir (POST)");
      assertThat(g.grid.publishCount()).isEqualTo(publishes);
      assertThat(g.post("/uri?t=mkdir").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void aWalkStopsAtASymlinkAndAtANameWithNoDataEachSayingWhich() throws Exception {
    try (GatewayFixture g = GatewayFixture.start()) {
      String root = g.grid.newRoot();
      java.time.Instant t = GridContent.MTIME;
      g.grid.applyChanges(root, java.util.List.of(
          new org.cairnfs.fs.mount.EntryChange.Put("link", java.util.Optional.empty(),
              org.cairnfs.fs.mount.NodeMetadata.symlink("elsewhere", 0777, t, t)),
          new org.cairnfs.fs.mount.EntryChange.Put("pipe", java.util.Optional.empty(),
              org.cairnfs.fs.mount.NodeMetadata.of(org.cairnfs.caps.dirnode.EntryKind.FIFO, 0,
                  0644, t, t)))).get();
      HttpResponse<String> link = g.getText("/uri/" + root + "/link/x");
      assertThat(link.statusCode()).isEqualTo(404);
      assertThat(link.body()).contains("'link' is a symbolic link (to 'elsewhere'), which the"
          + " gateway does not follow");
      HttpResponse<String> pipe = g.getText("/uri/" + root + "/pipe");
      assertThat(pipe.statusCode()).isEqualTo(404);
      assertThat(pipe.body()).contains("'pipe' is a fifo, which has no data on the grid");
    }
  }

  @Test
  void aDirectoryPageIsTitledByItsPath() throws Exception {
    try (GatewayFixture g = GatewayFixture.start()) {
      String root = g.grid.newRoot();
      String sub = GridContent.dir(g.grid, root, "sub");
      GridContent.dir(g.grid, sub, "deeper");
      assertThat(g.getText("/uri/" + root).body()).contains("<title>Directory</title>")
          .contains("<h1>Directory</h1>");
      assertThat(g.getText("/uri/" + root + "/sub/deeper").body())
          .contains("<title>Directory /sub/deeper</title>");
    }
  }

  @Test
  void aWalkKeepsWriteCapsFromAWriteCapAndDiminishesThemFromAReadCap() throws Exception {
    try (GatewayFixture g = GatewayFixture.start()) {
      String root = g.grid.newRoot();
      String sub = GridContent.dir(g.grid, root, "sub");
      String written = g.getText("/uri/" + root + "/sub?t=json").body();
      assertThat(written).contains("\"ro_uri\":\"" + GridContent.readCap(sub) + "\"")
          .contains("\"rw_uri\":\"" + sub + "\"");
      String read = g.getText("/uri/" + GridContent.readCap(root) + "/sub?t=json").body();
      assertThat(read).contains("\"ro_uri\":\"" + GridContent.readCap(sub) + "\"")
          .doesNotContain("rw_uri").doesNotContain(sub);
    }
  }

  /**
   * Four requests on one connection, pipelined so each is served after the last one ended: the
   * bytes-sent meter counts the streamed file and the whole 404 body, nothing for HEAD.
   */
  @Test
  void theMetersCountBodyBytesSentAndEachAnswersConnectionHeader() throws Exception {
    try (GatewayFixture g = GatewayFixture.start()) {
      String root = g.grid.newRoot();
      String file = GridContent.file(g.grid, root, "f.bin", GridContent.random(1000, 3));
      String all = g.raw("GET /uri/" + file + " HTTP/1.1\r\nHost: x\r\n\r\n"
          + "HEAD / HTTP/1.1\r\nHost: x\r\n\r\n"
          + "GET /nothing-here HTTP/1.1\r\nHost: x\r\n\r\n"
          + "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
      Matcher notFound = Pattern.compile("HTTP/1.1 404 [^\r]*\r\n(?:[^\r]+\r\n)*?"
          + "content-length: (\\d+)\r\n", Pattern.CASE_INSENSITIVE).matcher(all);
      assertThat(notFound.find()).isTrue();
      long notFoundBody = Long.parseLong(notFound.group(1));
      assertThat(notFoundBody).isPositive();
      assertThat(all).contains("cairn_gateway_sent_bytes_total " + (1000 + notFoundBody) + ".0");
      assertThat(all).contains("cairn_gateway_requests_total{method=\"HEAD\",status=\"200\"} 1.0");
      String[] heads = all.split("HTTP/1.1 ");
      assertThat(heads).hasSize(5);
      for (int i = 1; i <= 3; i++) {
        assertThat(heads[i].toLowerCase()).as("answer " + i).contains("connection: keep-alive");
      }
      assertThat(heads[4].toLowerCase()).contains("connection: close")
          .doesNotContain("keep-alive");
    }
  }

  @Test
  void aDownloadCutByItsClientIsCountedOnce() throws Exception {
    try (GatewayFixture g = GatewayFixture.start()) {
      String root = g.grid.newRoot();
      String file = GridContent.file(g.grid, root, "big.bin", GridContent.random(24 << 20, 4));
      try (Socket s = g.socket()) {
        GatewayFixture.send(s, "GET /uri/" + file + " HTTP/1.1\r\nHost: x\r\n"
            + "Range: bytes=0-\r\n\r\n");
        InputStream in = s.getInputStream();
        assertThat(GatewayFixture.readHead(in)).startsWith("HTTP/1.1 206 ");
        in.readNBytes(1 << 16);
      }
      // the 206 is counted once the gateway has given up on the client
      String counted = "cairn_gateway_requests_total{method=\"GET\",status=\"206\"} 1.0";
      long deadline = System.nanoTime() + 20_000_000_000L;
      while (!g.getText("/metrics").body().contains(counted)) {
        assertThat(System.nanoTime()).as("the cut download counted").isLessThan(deadline);
        Thread.sleep(50);
      }
    }
  }

  @Test
  void theServersGaugesReadTheStatusAndANodesOwnMetersShow() throws Exception {
    try (GatewayFixture g = GatewayFixture.start(GatewayConfig.builder().build(),
        GatewayStatusTest::status)) {
      g.gateway.meters().counter("cairn.node.test").increment(2);
      String m = g.getText("/metrics").body();
      assertThat(m).contains("cairn_grid_servers_connected 9.0")
          .contains("cairn_grid_servers_known 10.0").contains("cairn_node_test_total 2.0");
    }
    NodeStatusSource broken = () -> {
      throw new IllegalStateException("no status yet");
    };
    try (GatewayFixture g = GatewayFixture.start(GatewayConfig.builder().build(), broken)) {
      HttpResponse<String> m = g.getText("/metrics");
      assertThat(m.statusCode()).isEqualTo(200);
      assertThat(m.body()).contains("cairn_grid_servers_connected NaN")
          .contains("cairn_grid_servers_known NaN");
    }
  }

  @Test
  void connectionsRefusedByTheLimitAreCounted() throws Exception {
    try (GatewayFixture g = GatewayFixture.start(GatewayConfig.builder().maxConnections(1)
        .build())) {
      try (Socket held = g.socket()) {
        GatewayFixture.send(held, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(GatewayFixture.readHead(held.getInputStream())).startsWith("HTTP/1.1 200 ");
        assertThat(g.raw("GET / HTTP/1.1\r\nHost: x\r\n\r\n")).startsWith("HTTP/1.1 503 ");
        GatewayFixture.send(held, "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        String m = new String(held.getInputStream().readAllBytes(),
            java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThat(m).contains("cairn_gateway_connections_refused_total 1.0");
      }
    }
  }

  @Test
  void aGatewayNeedsItsThreePartsAndSaysWhereItCannotBind() throws Exception {
    GatewayConfig config = GatewayConfig.builder().build();
    var grid = org.cairnfs.fs.mount.MemoryGrid.inMemory();
    assertThatThrownBy(() -> Gateway.start(null, grid, NodeStatusSource.NONE))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Gateway.start(config, null, NodeStatusSource.NONE))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Gateway.start(config, grid, null))
        .isInstanceOf(IllegalArgumentException.class);
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      int port = taken.getLocalPort();
      assertThatThrownBy(() -> Gateway.start(GatewayConfig.builder().host("127.0.0.1")
          .port(port).build(), grid, NodeStatusSource.NONE))
          .isInstanceOf(IOException.class)
          .hasMessageStartingWith("cannot serve the gateway on 127.0.0.1:" + port + ": ")
          .hasMessageContaining("in use");
    }
  }

  @Test
  void theUrlNamesALoopbackHostForAWildcardAndBracketsAnIpv6One() throws Exception {
    try (GatewayFixture g = GatewayFixture.start(GatewayConfig.builder().host("0.0.0.0")
        .build())) {
      assertThat(g.gateway.url().toString())
          .isEqualTo("http://127.0.0.1:" + g.gateway.url().getPort() + "/");
      assertThat(g.getText("/").statusCode()).isEqualTo(200);
    }
    try (GatewayFixture g = GatewayFixture.start(GatewayConfig.builder().host("::")
        .build())) {
      assertThat(g.gateway.url().toString())
          .isEqualTo("http://127.0.0.1:" + g.gateway.url().getPort() + "/");
      assertThat(g.getText("/").statusCode()).isEqualTo(200);
    }
    try (GatewayFixture g = GatewayFixture.start(GatewayConfig.builder().host("::1")
        .build())) {
      assertThat(g.gateway.url().toString())
          .isEqualTo("http://[::1]:" + g.gateway.url().getPort() + "/");
      assertThat(g.getText("/").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void closingTheGatewayClosesItsMeters() throws Exception {
    GatewayFixture g = GatewayFixture.start();
    g.close();
    assertThat(g.gateway.meters().isClosed()).isTrue();
  }
}
