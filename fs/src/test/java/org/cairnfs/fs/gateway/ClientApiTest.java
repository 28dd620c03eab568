package org.cairnfs.fs.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.cairnfs.caps.dirnode.EntryKind;
import org.cairnfs.fs.mount.EntryChange;
import org.cairnfs.fs.mount.GridException;
import org.cairnfs.fs.mount.NodeMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local client channel's token check, its calls and typed failures, and set-children. */
class ClientApiTest {
  static final String TOKEN = "abcdefghijklmnopqrstuvwxyz0123456789_-ABCDE";
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

  @AfterEach
  void heal() {
    g.grid.heal();
  }

  private HttpResponse<String> call(String path, String token, HttpRequest.BodyPublisher body,
      String method) throws Exception {
    HttpRequest.Builder b = g.request(path).method(method, body);
    if (token != null) {
      b.header(ClientApi.TOKEN_HEADER, token);
    }
    return g.http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  private HttpResponse<String> get(String path) throws Exception {
    return call(path, TOKEN, HttpRequest.BodyPublishers.noBody(), "GET");
  }

  @Test
  void everyCallButHelloNeedsTheToken() throws Exception {
    for (String path : List.of("/cli/v1/list?dir=" + root, "/cli/v1/lookup?dir=" + root
        + "&name=a", "/cli/v1/read?cap=" + root + "&offset=0&length=1")) {
      for (String token : java.util.Arrays.asList(null, TOKEN.replace('a', 'b'))) {
        HttpResponse<String> r = call(path, token, HttpRequest.BodyPublishers.noBody(), "GET");
        assertThat(r.statusCode()).as(path).isEqualTo(401);
        assertThat(r.body()).doesNotContain(root);
      }
    }
    assertThat(call("/cli/v1/mkdir", null, HttpRequest.BodyPublishers.noBody(), "POST")
        .statusCode()).isEqualTo(401);
  }

  /**
   * Hello needs no token: the node answers the command's challenge with the proof that it holds
   * the token, which only the token's holder can make, and nothing else that is secret.
   */
  @Test
  void helloProvesTheNodeHoldsTheTokenWithoutTheCallerSendingIt() throws Exception {
    String challenge = NodeProof.challenge();
    int port = g.gateway.url().getPort();
    HttpResponse<String> r = call("/cli/v1/hello?challenge=" + challenge, null,
        HttpRequest.BodyPublishers.noBody(), "GET");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("cairn-client-api 1\nxattrs " + g.grid.keepsUserXattrs()
        + "\nproof " + NodeProof.of(TOKEN, challenge, port) + "\n").doesNotContain(TOKEN);
    String proof = r.body().lines().filter(l -> l.startsWith("proof ")).findFirst().orElseThrow()
        .substring(6);
    assertThat(NodeProof.holds(proof, TOKEN, challenge, port)).isTrue();
    assertThat(NodeProof.holds(proof, TOKEN.replace('a', 'b'), challenge, port)).isFalse();
    assertThat(NodeProof.holds(proof, TOKEN, NodeProof.challenge(), port)).isFalse();
    // a listener on another port relaying the challenge to the node gets the node's port's proof
    assertThat(NodeProof.holds(proof, TOKEN, challenge, port + 1)).isFalse();
    for (String bad : List.of("", "?challenge=", "?challenge=" + challenge.substring(1),
        "?challenge=" + challenge.toUpperCase(java.util.Locale.ROOT), "?challenge=" + challenge
        + "0")) {
      HttpResponse<String> refused = call("/cli/v1/hello" + bad, TOKEN,
          HttpRequest.BodyPublishers.noBody(), "GET");
      assertThat(refused.statusCode()).as(bad).isEqualTo(400);
      assertThat(refused.body()).contains("hello needs ?challenge=");
    }
  }

  @Test
  void aGatewayWithoutTokenOrPublicHasNoChannel() throws Exception {
    try (GatewayFixture plain = GatewayFixture.start();
        GatewayFixture pub = GatewayFixture.start(GatewayConfig.builder().clientToken(TOKEN)
            .publicReadOnly(true).build())) {
      for (GatewayFixture f : List.of(plain, pub)) {
        HttpResponse<String> r = f.http.send(f.request("/cli/v1/hello")
            .header(ClientApi.TOKEN_HEADER, TOKEN).GET().build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(404);
      }
    }
  }

  @Test
  void listLookupMkdirUploadAndRead() throws Exception {
    String sub = call("/cli/v1/mkdir", TOKEN, HttpRequest.BodyPublishers.noBody(), "POST")
        .body().strip();
    byte[] data = GridContent.random(300_000, 3);
    Path local = Files.write(dir.resolve("local file"), data);
    String cap = call("/cli/v1/upload?path=" + java.net.URLEncoder.encode(local.toString(),
        StandardCharsets.UTF_8) + "&size=" + data.length, TOKEN,
        HttpRequest.BodyPublishers.noBody(), "POST").body().strip();
    assertThat(g.grid.content(cap)).isEqualTo(data);
    String streamed = call("/cli/v1/upload", TOKEN, HttpRequest.BodyPublishers.ofString("hi"),
        "PUT").body().strip();
    assertThat(g.grid.content(streamed)).isEqualTo("hi".getBytes());
    String batch = EntryLines.changes(List.of(
        new EntryChange.Put("f", Optional.of(cap), NodeMetadata.of(EntryKind.FILE, data.length,
            0600, Instant.EPOCH, Instant.EPOCH)),
        new EntryChange.Put("s", Optional.of(sub), NodeMetadata.of(EntryKind.DIRECTORY, 0,
            0755, Instant.EPOCH, Instant.EPOCH))));
    int before = g.grid.publishCount();
    HttpResponse<String> set = call("/uri/" + root + "?t=set-children", null,
        HttpRequest.BodyPublishers.ofString(batch), "POST");
    assertThat(set.statusCode()).as(set.body()).isEqualTo(200);
    assertThat(g.grid.publishCount() - before).isEqualTo(1);
    assertThat(EntryLines.parseEntries(get("/cli/v1/list?dir=" + root).body()))
        .extracting(e -> e.name()).contains("f", "s");
    assertThat(EntryLines.parseEntries(get("/cli/v1/lookup?dir=" + root + "&name=f").body()))
        .singleElement().satisfies(e -> assertThat(e.metadata().mode()).isEqualTo(0600));
    assertThat(EntryLines.parseEntries(get("/cli/v1/lookup?dir=" + root + "&name=none")
        .body())).isEmpty();
    HttpResponse<byte[]> bytes = g.http.send(g.request("/cli/v1/read?cap=" + cap
        + "&offset=1000&length=200000").header(ClientApi.TOKEN_HEADER, TOKEN).GET().build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertThat(bytes.body()).isEqualTo(java.util.Arrays.copyOfRange(data, 1000, 201_000));
  }

  @Test
  void downloadWritesAnExistingFileInPlaceAndNothingElse() throws Exception {
    byte[] data = GridContent.random(700_000, 5);
    Path local = Files.write(dir.resolve("src"), data);
    String cap = call("/cli/v1/upload?path=" + enc(local.toString()) + "&size=" + data.length,
        TOKEN, HttpRequest.BodyPublishers.noBody(), "POST").body().strip();
    Path part = Files.write(dir.resolve(".part"), new byte[1_000_000]); // longer: truncated
    HttpResponse<String> ok = download(cap, data.length, part);
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
    assertThat(ok.body().strip()).isEqualTo("wrote " + data.length);
    assertThat(Files.readAllBytes(part)).isEqualTo(data);

    Path absent = dir.resolve("absent");
    assertThat(download(cap, data.length, absent).headers()
        .firstValue(ClientApi.FAILURE_HEADER)).hasValue("io");
    assertThat(absent).doesNotExist();
    Path target = Files.write(dir.resolve("target"), "keep".getBytes());
    Path link = Files.createSymbolicLink(dir.resolve("link"), target);
    assertThat(download(cap, data.length, link).statusCode()).isNotEqualTo(200);
    assertThat(Files.readString(target)).isEqualTo("keep");
    assertThat(download(cap, data.length, Path.of("rel")).statusCode()).isEqualTo(400);
    HttpResponse<String> wrongSize = download(cap, data.length + 1, part);
    assertThat(wrongSize.statusCode()).isNotEqualTo(200);
    assertThat(call("/cli/v1/download?cap=" + enc(cap) + "&size=1&path=" + enc(part.toString()),
        null, HttpRequest.BodyPublishers.noBody(), "POST").statusCode()).isEqualTo(401);
  }

  private HttpResponse<String> download(String cap, long size, Path local) throws Exception {
    return call("/cli/v1/download?cap=" + enc(cap) + "&size=" + size + "&path="
        + enc(local.toString()), TOKEN, HttpRequest.BodyPublishers.noBody(), "POST");
  }

  private static String enc(String s) {
    return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  @Test
  void failuresCarryTheirKind() throws Exception {
    g.grid.failWith(GridException.Kind.NOT_HAPPY);
    HttpResponse<String> r = call("/cli/v1/upload", TOKEN,
        HttpRequest.BodyPublishers.ofString("x"), "PUT");
    assertThat(r.headers().firstValue(ClientApi.FAILURE_HEADER)).hasValue("NOT_HAPPY");
    g.grid.heal();
    HttpResponse<String> missing = call("/cli/v1/upload?path=/no/such/file&size=3", TOKEN,
        HttpRequest.BodyPublishers.noBody(), "POST");
    assertThat(missing.headers().firstValue(ClientApi.FAILURE_HEADER)).hasValue("io");
    assertThat(missing.body()).contains("no such file: /no/such/file");
    HttpResponse<String> relative = call("/cli/v1/upload?path=rel&size=3", TOKEN,
        HttpRequest.BodyPublishers.noBody(), "POST");
    assertThat(relative.statusCode()).isEqualTo(400);
    assertThat(get("/cli/v1/nothing").statusCode()).isEqualTo(404);
  }

  @Test
  void setChildrenRefusesReadCapsAndBadBatchesChangingNothing() throws Exception {
    String dirCap = g.grid.newRoot();
    HttpResponse<String> ro = call("/uri/" + GridContent.readCap(dirCap) + "?t=set-children",
        null, HttpRequest.BodyPublishers.ofString(EntryLines.changes(List.of(
            new EntryChange.Remove("x")))), "POST");
    assertThat(ro.statusCode()).isEqualTo(403);
    HttpResponse<String> bad = call("/uri/" + dirCap + "?t=set-children", null,
        HttpRequest.BodyPublishers.ofString("cairn-entries 1\nput x\n"), "POST");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).contains("entry line 2");
    assertThat(g.grid.entries(dirCap)).isEmpty();
  }
}
