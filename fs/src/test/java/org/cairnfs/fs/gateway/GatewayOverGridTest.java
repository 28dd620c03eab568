package org.cairnfs.fs.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.cairnfs.caps.immutable.EncodingParams;
import org.cairnfs.fs.client.ClientFileSystem;
import org.cairnfs.fs.grid.GridConfig;
import org.cairnfs.fs.testing.TestGrid;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway over the real client facade and real storage servers on loopback (TLS, share
 * stores on disk): the web API writes, the read paths read back, and dead servers answer 503.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GatewayOverGridTest {
  static final GridConfig CONFIG = GridConfig.builder()
      .params(EncodingParams.builder().k(2).happy(3).n(4).segmentSize(16 * 1024).build())
      .stallTimeout(Duration.ofSeconds(3)).readTimeout(Duration.ofSeconds(3)).build();

  @TempDir static Path dir;
  static TestGrid grid;
  static Gateway gateway;
  static HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() throws Exception {
    grid = new TestGrid(dir, 4);
    org.cairnfs.fs.grid.GridClient client = grid.client(CONFIG);
    gateway = Gateway.start(GatewayConfig.builder().build(), ClientFileSystem.create(client),
        GridServers.source(client.servers()));
  }

  @AfterAll
  static void stop() {
    gateway.close();
    grid.close();
  }

  static HttpResponse<byte[]> send(String method, String path, byte[] body, String... headers)
      throws Exception {
    return sendTo(gateway, method, path, body, headers);
  }

  static HttpResponse<byte[]> sendTo(Gateway gateway, String method, String path, byte[] body,
      String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(gateway.url().resolve(path))
        .timeout(Duration.ofSeconds(60)).method(method, body == null
            ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  /** The two file caps the memory grid never makes: literal (no server) and chunked. */
  @Test
  @Order(1)
  void literalAndChunkedFilesAreServed() throws Exception {
    byte[] tiny = "ten bytes!".getBytes(StandardCharsets.US_ASCII);
    String literal = new String(send("PUT", "/uri", tiny).body()).trim();
    assertThat(literal).startsWith("cairn:lit:");
    assertThat(send("GET", "/uri/" + literal, null).body()).isEqualTo(tiny);
    byte[] big = GridContent.random((4 << 20) + 1000, 4);
    String chunked = new String(send("PUT", "/uri", big).body()).trim();
    assertThat(org.cairnfs.caps.Cap.parse(chunked))
        .isInstanceOf(org.cairnfs.caps.ChunkedReadCap.class);
    HttpResponse<byte[]> tail = send("GET", "/uri/" + chunked, null, "Range", "bytes=-2000");
    assertThat(tail.statusCode()).isEqualTo(206);
    assertThat(tail.body()).isEqualTo(Arrays.copyOfRange(big, big.length - 2000, big.length));
  }

  @Test
  @Order(2)
  void writeThroughTheWebApiAndReadBackWithRangesThenLoseTheServers() throws Exception {
    HttpResponse<byte[]> mk = send("POST", "/uri?t=mkdir", null);
    assertThat(mk.statusCode()).isEqualTo(200);
    String dircap = new String(mk.body()).trim();
    byte[] content = GridContent.random(700_000, 3);
    HttpResponse<byte[]> put = send("PUT", "/uri/" + dircap + "/movie.webm", content);
    assertThat(put.statusCode()).as(new String(put.body())).isEqualTo(201);
    String ro = GridContent.readCap(dircap);

    HttpResponse<byte[]> whole = send("GET", "/uri/" + ro + "/movie.webm", null);
    assertThat(whole.statusCode()).isEqualTo(200);
    assertThat(whole.body()).isEqualTo(content);
    assertThat(whole.headers().firstValue("content-type")).hasValue("video/webm");
    HttpResponse<byte[]> part = send("GET", "/uri/" + ro + "/movie.webm", null, "Range",
        "bytes=400000-400099");
    assertThat(part.statusCode()).isEqualTo(206);
    assertThat(part.body()).isEqualTo(Arrays.copyOfRange(content, 400_000, 400_100));
    String listing = new String(send("GET", "/uri/" + ro, null).body());
    assertThat(listing).contains("movie.webm").doesNotContain(dircap);
    assertThat(send("PUT", "/uri/" + ro + "/x", "x".getBytes()).statusCode()).isEqualTo(403);
    String status = new String(send("GET", "/status?t=json", null).body());
    assertThat(status).startsWith("{\"version\":1,\"servers_connected\":4,\"servers_known\":4,");
    for (int i = 0; i < 4; i++) {
      assertThat(status).contains(grid.server(i).nodeId().toString());
    }

    for (int i = 0; i < 3; i++) {
      grid.server(i).kill();
    }
    String fileCap = new String(put.body()).trim();
    HttpResponse<byte[]> lost = send("GET", "/uri/" + fileCap, null);
    assertThat(lost.statusCode()).isEqualTo(503);
    assertThat(new String(lost.body())).contains("cannot be recovered");
  }
}
