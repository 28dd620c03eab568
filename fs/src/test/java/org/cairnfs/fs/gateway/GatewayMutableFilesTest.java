package org.cairnfs.fs.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.cairnfs.caps.Cap;
import org.cairnfs.caps.dirnode.EntryKind;
import org.cairnfs.fs.client.ClientFileSystem;
import org.cairnfs.fs.mount.EntryChange;
import org.cairnfs.fs.mount.NodeMetadata;
import org.cairnfs.fs.testing.TestGrid;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutable files through the gateway over real storage servers: created by PUT, read by their
 * read and write caps (whole, ranges, a validator that changes with each version), overwritten
 * by PUT with the write cap, refused with a read cap and past the size limit, and read by path
 * through a directory.
 */
class GatewayMutableFilesTest {
  @TempDir static Path dir;
  static TestGrid grid;
  static ClientFileSystem files;
  static Gateway gateway;

  @BeforeAll
  static void start() throws Exception {
    grid = new TestGrid(dir, 4);
    files = ClientFileSystem.create(grid.client(GatewayOverGridTest.CONFIG));
    gateway = Gateway.start(GatewayConfig.builder().build(), files, NodeStatusSource.NONE);
  }

  @AfterAll
  static void stop() {
    gateway.close();
    grid.close();
  }

  static HttpResponse<byte[]> send(String method, String path, byte[] body, String... headers)
      throws Exception {
    return GatewayOverGridTest.sendTo(gateway, method, path, body, headers);
  }

  static String text(HttpResponse<byte[]> r) {
    return new String(r.body(), StandardCharsets.UTF_8);
  }

  @Test
  void createReadRangeOverwriteAndConditionalGet() throws Exception {
    byte[] v1 = GridContent.random(40_000, 11);
    HttpResponse<byte[]> made = send("PUT", "/uri?mutable=true", v1);
    assertThat(made.statusCode()).as(text(made)).isEqualTo(200);
    String write = text(made).trim();
    assertThat(write).startsWith("cairn:mut:");
    String read = Cap.parse(write).readOnly().toString();
    assertThat(read).startsWith("cairn:mut-ro:");

    for (String cap : List.of(read, write)) {
      HttpResponse<byte[]> whole = send("GET", "/uri/" + cap + "?filename=notes.txt", null);
      assertThat(whole.statusCode()).isEqualTo(200);
      assertThat(whole.body()).isEqualTo(v1);
      assertThat(whole.headers().firstValue("content-type")).hasValue("text/plain; charset=utf-8");
      assertThat(whole.headers().firstValue("cache-control")).hasValue("private, no-cache");
    }
    HttpResponse<byte[]> part = send("GET", "/uri/" + read, null, "Range", "bytes=1000-1999");
    assertThat(part.statusCode()).isEqualTo(206);
    assertThat(part.body()).isEqualTo(Arrays.copyOfRange(v1, 1000, 2000));
    assertThat(part.headers().firstValue("content-range")).hasValue("bytes 1000-1999/40000");
    assertThat(send("GET", "/uri/" + read, null, "Range", "bytes=40000-").statusCode())
        .isEqualTo(416);
    String etag1 = send("GET", "/uri/" + read, null).headers().firstValue("etag").orElseThrow();
    assertThat(etag1).doesNotContain(read.substring(13, 30));
    assertThat(send("GET", "/uri/" + read, null, "If-None-Match", etag1).statusCode())
        .isEqualTo(304);
    String json = text(send("GET", "/uri/" + write + "?t=json", null));
    assertThat(json).contains("\"ro_uri\":\"" + read + "\"").contains("\"rw_uri\":\"" + write)
        .contains("\"size\":40000").contains("\"mutable\":true");
    assertThat(text(send("GET", "/uri/" + read + "?t=json", null))).doesNotContain("rw_uri")
        .doesNotContain(write);

    byte[] v2 = "the second version".getBytes(StandardCharsets.UTF_8);
    HttpResponse<byte[]> over = send("PUT", "/uri/" + write, v2);
    assertThat(over.statusCode()).as(text(over)).isEqualTo(200);
    assertThat(text(over)).contains("version 2");
    HttpResponse<byte[]> after = send("GET", "/uri/" + read, null, "If-None-Match", etag1);
    assertThat(after.statusCode()).isEqualTo(200);
    assertThat(after.body()).isEqualTo(v2);
    assertThat(after.headers().firstValue("etag")).isPresent().get().isNotEqualTo(etag1);
  }

  @Test
  void aReadCapCannotWriteAndTooBigIs413() throws Exception {
    String write = text(send("PUT", "/uri?mutable=true", "keep".getBytes())).trim();
    String read = Cap.parse(write).readOnly().toString();
    HttpResponse<byte[]> ro = send("PUT", "/uri/" + read, "changed".getBytes());
    assertThat(ro.statusCode()).isEqualTo(403);
    assertThat(text(ro)).contains("needs a write cap").contains("cairn:mut-ro");
    byte[] big = new byte[(int) files.maxMutableSize() + 1];
    HttpResponse<byte[]> tooBig = send("PUT", "/uri/" + write, big);
    assertThat(tooBig.statusCode()).isEqualTo(413);
    assertThat(text(tooBig)).contains("at most " + files.maxMutableSize());
    assertThat(text(send("GET", "/uri/" + read, null))).isEqualTo("keep");
  }

  @Test
  void exactlyTheSizeLimitIsTaken() throws Exception {
    String write = text(send("PUT", "/uri?mutable=true", "small".getBytes())).trim();
    byte[] full = GridContent.random((int) files.maxMutableSize(), 12);
    HttpResponse<byte[]> r = send("PUT", "/uri/" + write, full);
    assertThat(r.statusCode()).as(text(r)).isEqualTo(200);
    assertThat(send("GET", "/uri/" + write, null).body()).isEqualTo(full);
  }

  @Test
  void aMutableFileInADirectoryIsReadByPathAndOnlyItsReadCapIsShown() throws Exception {
    String root = files.createDirectory().get();
    String write = files.createMutable("in a dir".getBytes()).get();
    files.applyChanges(root, List.of(new EntryChange.Put("m.txt", Optional.of(write),
        NodeMetadata.of(EntryKind.FILE, 8, 0644, GridContent.MTIME, GridContent.MTIME)))).get();
    String ro = Cap.parse(root).readOnly().toString();
    HttpResponse<byte[]> r = send("GET", "/uri/" + ro + "/m.txt", null);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(text(r)).isEqualTo("in a dir");
    String listing = text(send("GET", "/uri/" + ro, null));
    assertThat(listing).contains("cairn:mut-ro:").doesNotContain(write);
    assertThat(text(send("GET", "/uri/" + ro + "/m.txt?t=json", null)))
        .contains("\"mutable\":true").doesNotContain("rw_uri");
  }

  /** A gateway over the same grid whose slot holders must move 4 MiB/s after 1 s. */
  private static Gateway pacedGateway() throws Exception {
    return Gateway.start(GatewayConfig.builder().slotGrace(Duration.ofSeconds(1))
        .slotMinRate(4 << 20).build(), files, NodeStatusSource.NONE);
  }

  private static Socket connect(Gateway g) throws Exception {
    Socket s = new Socket();
    s.setReceiveBufferSize(64 * 1024); // before connecting, so the window stays small
    s.connect(new InetSocketAddress(g.url().getHost(), g.url().getPort()), 5_000);
    s.setSoTimeout(20_000);
    return s;
  }

  @Test
  void clientsThatStopReadingAMutableFileLoseTheirSlots() throws Exception {
    byte[] big = GridContent.random((int) files.maxMutableSize(), 21);
    String write = files.createMutable(big).get();
    List<Socket> stalled = new ArrayList<>();
    try (Gateway paced = pacedGateway()) {
      for (int i = 0; i < MemorySlots.SLOTS; i++) { // every slot, each answer left unread
        Socket s = connect(paced);
        stalled.add(s);
        GatewayFixture.send(s, "GET /uri/" + write + " HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(GatewayFixture.readHead(s.getInputStream())).startsWith("HTTP/1.1 200 ");
      }
      // before slots had a pace, this request waited 30 s for one and answered 503
      HttpResponse<byte[]> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          paced.url().resolve("/uri/" + write)).timeout(Duration.ofSeconds(20)).build(),
          HttpResponse.BodyHandlers.ofByteArray());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo(big);
      // each is past its deadline (1 s + about 4 MiB at 4 MiB/s) well before this
      Thread.sleep(5_000);
      for (Socket s : stalled) { // each was cut: it ends before the whole file
        long got = 0;
        try (InputStream in = s.getInputStream()) {
          for (int n; (n = in.read(new byte[65536])) > 0; ) {
            got += n;
          }
        } catch (java.net.SocketException reset) {
          // the server's close reset it
        }
        assertThat(got).isLessThan(big.length);
      }
    } finally {
      for (Socket s : stalled) {
        s.close();
      }
    }
  }

  @Test
  void aMutableBodyTrickledWhileHoldingASlotIs408AndFreesIt() throws Exception {
    String write = files.createMutable("before".getBytes()).get();
    AtomicBoolean stop = new AtomicBoolean();
    try (Gateway paced = pacedGateway(); Socket s = connect(paced)) {
      GatewayFixture.send(s, "PUT /uri/" + write + " HTTP/1.1\r\nHost: x\r\n"
          + "Content-Length: 1000000\r\n\r\n" + "x".repeat(1000));
      Thread trickle = new Thread(() -> { // 10 bytes every 100 ms: a slow-loris body
        try {
          OutputStream out = s.getOutputStream();
          while (!stop.get()) {
            out.write("0123456789".getBytes());
            out.flush();
            Thread.sleep(100);
          }
        } catch (Exception e) {
          // the gateway closed the connection
        }
      });
      trickle.start();
      String head = GatewayFixture.readHead(s.getInputStream());
      stop.set(true);
      assertThat(head).startsWith("HTTP/1.1 408 ");
      trickle.join(5_000);
      HttpResponse<byte[]> put = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          paced.url().resolve("/uri/" + write)).timeout(Duration.ofSeconds(20))
          .PUT(HttpRequest.BodyPublishers.ofByteArray("after".getBytes())).build(),
          HttpResponse.BodyHandlers.ofByteArray());
      assertThat(put.statusCode()).as(text(put)).isEqualTo(200);
      assertThat(files.readMutable(write).get().contents()).isEqualTo("after".getBytes());
    } finally {
      stop.set(true);
    }
  }
}
