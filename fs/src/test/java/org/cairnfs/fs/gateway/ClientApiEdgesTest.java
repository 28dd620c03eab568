package org.cairnfs.fs.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.Socket;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local client channel's edges {@code ClientApiTest} leaves out: parameters that are
 * empty or negative, a GET where a POST is needed, a streamed read framed by chunks, a
 * set-children batch with no body, on a file, and at its size bound, empty uploads both ways,
 * a local file that shrank, and no file left open by uploads read in place; a public gateway's
 * refusal saying why, a grid read failing under a download in place and a local path Java
 * cannot name, each answered with its kind.
 */
class ClientApiEdgesTest {
  static final String TOKEN = ClientApiTest.TOKEN;
  static GatewayFixture g;
  static String root;

  @TempDir
  Path dir;

  @BeforeAll
  static void start() throws Exception {
    g = GatewayFixture.start(GatewayConfig.builder().clientToken(TOKEN).build());
    root = g.grid.newRoot();
  }

  @AfterAll
  static void stop() {
    g.close();
  }

  private static HttpResponse<String> call(String path, String method,
      HttpRequest.BodyPublisher body) throws Exception {
    return g.http.send(g.request(path).header(ClientApi.TOKEN_HEADER, TOKEN)
        .method(method, body).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> post(String path) throws Exception {
    return call(path, "POST", HttpRequest.BodyPublishers.noBody());
  }

  private static String enc(Object s) {
    return URLEncoder.encode(s.toString(), StandardCharsets.UTF_8);
  }

  @Test
  void parametersMustBePresentNonEmptyAndNotNegative() throws Exception {
    HttpResponse<String> r = call("/cli/v1/list?dir=", "GET",
        HttpRequest.BodyPublishers.noBody());
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("needs ?dir=");
    String cap = post("/cli/v1/upload?path=" + enc(Files.write(dir.resolve("f"),
        "0123456789".getBytes())) + "&size=10").body().strip();
    r = call("/cli/v1/read?cap=" + cap + "&offset=-1&length=3", "GET",
        HttpRequest.BodyPublishers.noBody());
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("offset must be a number >= 0, got -1");
    r = call("/cli/v1/read?cap=" + cap + "&offset=0&length=3", "GET",
        HttpRequest.BodyPublishers.noBody());
    assertThat(r.body()).isEqualTo("012");
    r = call("/cli/v1/download?cap=" + cap + "&size=10&path=" + enc(dir.resolve("f")), "GET",
        HttpRequest.BodyPublishers.noBody());
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("download is a POST");
    assertThat(Files.readString(dir.resolve("f"))).isEqualTo("0123456789");
  }

  @Test
  void aStreamedReadIsFramedByChunks() throws Exception {
    String cap = call("/cli/v1/upload", "PUT", HttpRequest.BodyPublishers.ofByteArray(
        GridContent.random(5000, 2))).body().strip();
    try (Socket s = g.socket()) {
      s.getOutputStream().write(("GET /cli/v1/read?cap=" + cap + "&offset=0&length=5000"
          + " HTTP/1.1\r\nHost: x\r\n" + ClientApi.TOKEN_HEADER + ": " + TOKEN + "\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      String head = GatewayFixture.readHead(s.getInputStream()).toLowerCase();
      assertThat(head).startsWith("http/1.1 200 ").contains("transfer-encoding: chunked");
    }
  }

  @Test
  void setChildrenNeedsABodyADirectoryAndAtMostTheBound() throws Exception {
    HttpResponse<String> r = call("/uri/" + root + "?t=set-children", "POST",
        HttpRequest.BodyPublishers.noBody());
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("header");
    String file = GridContent.file(g.grid, root, "plain", "x".getBytes());
    r = call("/uri/" + root + "/plain?t=set-children", "POST",
        HttpRequest.BodyPublishers.ofString(EntryLines.HEADER + "\n"));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("needs a directory");
    assertThat(file).isNotEmpty();
    byte[] atBound = new byte[ClientApi.MAX_CHANGES_BYTES];
    java.util.Arrays.fill(atBound, (byte) 'x');
    r = call("/uri/" + root + "?t=set-children", "POST",
        HttpRequest.BodyPublishers.ofByteArray(atBound));
    assertThat(r.statusCode()).as("a batch of exactly the bound is parsed").isEqualTo(400);
    byte[] past = java.util.Arrays.copyOf(atBound, atBound.length + 1);
    r = call("/uri/" + root + "?t=set-children", "POST",
        HttpRequest.BodyPublishers.ofByteArray(past));
    assertThat(r.statusCode()).isEqualTo(413);
  }

  @Test
  void emptyUploadsGiveTheEmptyFileEitherWay() throws Exception {
    String streamed = call("/cli/v1/upload", "PUT", HttpRequest.BodyPublishers.noBody())
        .body().strip();
    String inPlace = post("/cli/v1/upload?path=" + enc(Files.write(dir.resolve("empty"),
        new byte[0])) + "&size=0").body().strip();
    assertThat(streamed).isEqualTo(inPlace);
    assertThat(call("/cli/v1/read?cap=" + streamed + "&offset=0&length=10", "GET",
        HttpRequest.BodyPublishers.noBody()).body()).isEmpty();
  }

  @Test
  void aLocalFileThatShrankFailsAndNoUploadLeavesItOpen() throws Exception {
    Path f = Files.write(dir.resolve("shrinking"), GridContent.random(1000, 4));
    HttpResponse<String> r = post("/cli/v1/upload?path=" + enc(f) + "&size=5000");
    assertThat(r.statusCode()).isEqualTo(500);
    assertThat(r.body()).contains("shrank while it was uploaded");
    for (int i = 0; i < 5; i++) {
      assertThat(post("/cli/v1/upload?path=" + enc(f) + "&size=1000").statusCode())
          .isEqualTo(200);
    }
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (openDescriptorsOf(f) > 0) {
      assertThat(System.nanoTime()).as("descriptors of " + f + " closed").isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  @Test
  void aPublicGatewaySaysItHasNoChannelBecauseItIsPublic() throws Exception {
    try (GatewayFixture pub = GatewayFixture.start(GatewayConfig.builder().publicReadOnly(true)
        .build())) {
      HttpResponse<String> r = pub.getText("/cli/v1/hello");
      assertThat(r.statusCode()).isEqualTo(404);
      assertThat(r.body()).contains("has no local client channel (it is public)");
    }
    try (GatewayFixture none = GatewayFixture.start()) {
      HttpResponse<String> r = none.getText("/cli/v1/hello");
      assertThat(r.statusCode()).isEqualTo(404);
      assertThat(r.body()).contains("has no local client channel").doesNotContain("public");
    }
  }

  @Test
  void aGridReadFailingUnderADownloadInPlaceIsTheGridsKind() throws Exception {
    String cap = call("/cli/v1/upload", "PUT", HttpRequest.BodyPublishers.ofByteArray(
        GridContent.random(3000, 8))).body().strip();
    Path part = Files.write(dir.resolve(".part"), new byte[0]);
    g.grid.failReadsWith(org.cairnfs.fs.mount.GridException.Kind.NOT_HAPPY);
    HttpResponse<String> r;
    try {
      r = post("/cli/v1/download?cap=" + enc(cap) + "&size=3000&path=" + enc(part));
    } finally {
      g.grid.heal();
    }
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.headers().firstValue(ClientApi.FAILURE_HEADER)).hasValue("NOT_HAPPY");
    assertThat(r.body()).contains("injected failure");
  }

  @Test
  void aLocalPathJavaCannotNameIsAnArgumentFailure() throws Exception {
    HttpResponse<String> r = post("/cli/v1/upload?path=" + enc("/tmp/a\0b") + "&size=1");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.headers().firstValue(ClientApi.FAILURE_HEADER)).hasValue("argument");
    assertThat(r.body()).contains("Nul character");
  }

  /** Descriptors of this process open on {@code file}. */
  static long openDescriptorsOf(Path file) throws IOException {
    Path real = file.toRealPath();
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.filter(fd -> {
        try {
          return Files.readSymbolicLink(fd).equals(real);
        } catch (IOException e) {
          return false; // closed while listed
        }
      }).count();
    }
  }
}
