package org.cairnfs.fs.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Set;
import org.cairnfs.fs.mount.MemoryGrid;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local client channel's failures the other client tests cannot reach: a read whose grid
 * stream fails after the head went out, a write the grid refuses before it starts, and a local
 * file the node may not write.
 */
class ClientApiFailuresTest {
  static final String TOKEN = ClientApiTest.TOKEN;
  static final int CHUNK = 1 << 16;
  static SyntheticFiles files;
  static GatewayFixture g;

  @TempDir
  Path dir;

  @BeforeAll
  static void start() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    files = new SyntheticFiles(grid, 1L << 30);
    g = GatewayFixture.start(GatewayConfig.builder().clientToken(TOKEN).build(), grid, files);
  }

  @AfterAll
  static void stop() {
    g.close();
  }

  @AfterEach
  void heal() {
    files.failAt = Long.MAX_VALUE;
    files.writeFileFailure = null;
    g.grid.slowSource(Duration.ZERO);
  }

  /**
   * {@code cairn put} stopped by Ctrl-C closes its connection while the node reads its file in
   * place: the node stops reading at its next chunk and stores nothing, where it used to upload
   * the whole file for no one.
   */
  @Test
  void anUploadInPlaceStopsWhenItsCallerGoesAway() throws Exception {
    long size = 8 << 20;
    Path local = dir.resolve("big");
    try (FileChannel ch = FileChannel.open(local, StandardOpenOption.CREATE,
        StandardOpenOption.WRITE)) {
      ch.write(java.nio.ByteBuffer.wrap(new byte[] {1}), size - 1);
    }
    long stored = g.grid.bytesReceived();
    g.grid.slowSource(Duration.ofMillis(20)); // 128 reads of 64 KiB: 2.6 s
    try (Socket s = g.socket()) {
      s.getOutputStream().write(("POST /cli/v1/upload?path=" + enc(local) + "&size=" + size
          + " HTTP/1.1\r\nHost: x\r\n" + ClientApi.TOKEN_HEADER + ": " + TOKEN
          + "\r\nContent-Length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      awaitWritesInFlight(1);
      Thread.sleep(100);
    }
    awaitWritesInFlight(0);
    assertThat(g.grid.bytesReceived()).as("nothing stored").isEqualTo(stored);
    // the gateway goes on serving, and the same upload with its caller waiting completes
    g.grid.slowSource(Duration.ZERO);
    HttpResponse<String> r = post("/cli/v1/upload?path=" + enc(local) + "&size=" + size);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(g.grid.bytesReceived()).isEqualTo(stored + size);
  }

  private static void awaitWritesInFlight(int n) throws InterruptedException {
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (g.grid.writesInFlight() != n) {
      assertThat(System.nanoTime()).as("file writes in flight reach " + n).isLessThan(deadline);
      Thread.sleep(10);
    }
  }

  private static HttpResponse<String> post(String path) throws Exception {
    return g.http.send(g.request(path).header(ClientApi.TOKEN_HEADER, TOKEN)
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String enc(Object s) {
    return URLEncoder.encode(s.toString(), StandardCharsets.UTF_8);
  }

  /**
   * The first chunk is sent with the head; the grid fails in the third. The answer can only be
   * cut: the connection closes at once, without the chunked body's last (empty) chunk, and the
   * gateway goes on serving.
   */
  @Test
  void aReadFailingAfterItsHeadIsCutAndTheConnectionClosed() throws Exception {
    files.failAt = 2L * CHUNK + 100;
    try (Socket s = g.socket()) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(("GET /cli/v1/read?cap=" + files.hugeCap + "&offset=0&length="
          + 10 * CHUNK + " HTTP/1.1\r\nHost: x\r\n" + ClientApi.TOKEN_HEADER + ": " + TOKEN
          + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      InputStream in = s.getInputStream();
      assertThat(GatewayFixture.readHead(in).toLowerCase()).startsWith("http/1.1 200 ")
          .contains("transfer-encoding: chunked");
      byte[] rest = in.readAllBytes(); // a SocketTimeoutException if the gateway never ends it
      String tail = new String(rest, rest.length - Math.min(rest.length, 7), Math.min(
          rest.length, 7), StandardCharsets.US_ASCII);
      assertThat(tail).doesNotEndWith("0\r\n\r\n");
      assertThat(rest.length).isGreaterThanOrEqualTo(CHUNK).isLessThan(3 * CHUNK);
    }
    files.failAt = Long.MAX_VALUE;
    HttpResponse<String> hello = g.http.send(g.request("/cli/v1/hello?challenge="
        + NodeProof.challenge()).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(hello.statusCode()).isEqualTo(200);
  }

  /**
   * A grid that refuses a write as it is asked (before any future) is answered with its kind,
   * and the local file it was to read is closed by then, not left to a collection. (A channel
   * left open is closed by its cleaner after a garbage collection, so the check is made after
   * each of ten uploads: a leak shows unless a collection falls in every one of them.)
   */
  @Test
  void anUploadInPlaceTheGridRefusesAtOnceLeavesTheFileClosed() throws Exception {
    Path f = Files.write(dir.resolve("local"), GridContent.random(1000, 5));
    files.writeFileFailure = new IllegalArgumentException("refused at once");
    for (int i = 0; i < 10; i++) {
      HttpResponse<String> r = post("/cli/v1/upload?path=" + enc(f) + "&size=1000");
      assertThat(r.statusCode()).isEqualTo(400);
      assertThat(r.headers().firstValue(ClientApi.FAILURE_HEADER)).hasValue("argument");
      assertThat(r.body()).isEqualTo("refused at once\n");
      assertThat(ClientApiEdgesTest.openDescriptorsOf(f)).as("descriptors of %s after upload %d", f, i).isZero();
    }
  }

  /**
   * A download into a file this process may not write says so, naming the file: a file with
   * no permissions, or, for root (whom those do not stop), a read-only sysfs attribute.
   */
  @Test
  void aLocalFileTheNodeMayNotWriteIsNamedAsPermissionDenied() throws Exception {
    Path denied = Files.write(dir.resolve("denied"), new byte[0]);
    Files.setPosixFilePermissions(denied, Set.of());
    if (!refusesWrites(denied)) {
      denied = Path.of("/sys/kernel/uevent_seqnum");
    }
    assumeTrue(refusesWrites(denied), "no file here refuses this user's writes");
    String cap = GridContent.file(g.grid, g.grid.newRoot(), "f", "0123456789".getBytes());
    HttpResponse<String> r = post("/cli/v1/download?cap=" + enc(cap) + "&size=10&path="
        + enc(denied));
    assertThat(r.statusCode()).isEqualTo(500);
    assertThat(r.headers().firstValue(ClientApi.FAILURE_HEADER)).hasValue("io");
    assertThat(r.body()).isEqualTo("permission denied: " + denied + "\n");
  }

  private static boolean refusesWrites(Path p) {
    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
      return false;
    } catch (AccessDeniedException e) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
