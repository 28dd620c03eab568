package org.cairnfs.fs.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.util.Arrays;
import org.cairnfs.fs.mount.MemoryGrid;
import org.junit.jupiter.api.Test;

/**
 * The file responses {@code GatewayFilesTest} leaves out: HEAD (one range or
 * several) reading nothing and leaving the connection usable, a range longer than one send
 * chunk, a 416's validators, If-Range by date, a file whose stream ends before its size, the
 * transfer count of a multipart answer, and Content-Disposition's two filename forms.
 */
class FileResponderTest {
  private static final int CHUNK = FileResponder.CHUNK;

  @Test
  void headReadsNothingAndLeavesTheConnectionUsable() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    SyntheticFiles files = new SyntheticFiles(grid, 1L << 30);
    try (GatewayFixture g = GatewayFixture.start(GatewayConfig.builder().build(), grid, files);
        Socket s = g.socket()) {
      String path = "/uri/" + files.hugeCap;
      GatewayFixture.send(s, "HEAD " + path + " HTTP/1.1\r\nHost: x\r\n\r\n");
      String head = GatewayFixture.readHead(s.getInputStream());
      assertThat(head).startsWith("HTTP/1.1 200 ").contains("content-length: 1073741824");
      GatewayFixture.send(s, "HEAD " + path + " HTTP/1.1\r\nHost: x\r\nRange: bytes=0-9,20-29\r\n\r\n");
      head = GatewayFixture.readHead(s.getInputStream());
      assertThat(head).startsWith("HTTP/1.1 206 ").contains("multipart/byteranges");
      int length = Integer.parseInt(head.replaceAll("(?s).*content-length: (\\d+).*", "$1"));
      assertThat(length).isGreaterThan(20);
      assertThat(files.pulled.get()).as("bytes read for HEAD").isZero();
      GatewayFixture.send(s, "GET " + path + " HTTP/1.1\r\nHost: x\r\nRange: bytes=5-9\r\n\r\n");
      assertThat(GatewayFixture.readHead(s.getInputStream())).startsWith("HTTP/1.1 206 ");
      byte[] five = s.getInputStream().readNBytes(5);
      for (int i = 0; i < 5; i++) {
        assertThat(five[i]).isEqualTo(SyntheticFiles.byteAt(5 + i));
      }
    }
  }

  @Test
  void rangesLongerThanOneChunkComeWholeOnAKeptConnection() throws Exception {
    try (GatewayFixture g = GatewayFixture.start()) {
      String root = g.grid.newRoot();
      byte[] content = GridContent.random(5 * CHUNK + 123, 7);
      String cap = GridContent.file(g.grid, root, "f.bin", content);
      for (int[] r : new int[][] {{CHUNK / 2, 3 * CHUNK + 7}, {1, 2 * CHUNK}, {0, CHUNK}}) {
        HttpResponse<byte[]> got = g.get("/uri/" + cap, "Range",
            "bytes=" + r[0] + "-" + (r[0] + r[1] - 1));
        assertThat(got.statusCode()).isEqualTo(206);
        assertThat(got.body()).isEqualTo(Arrays.copyOfRange(content, r[0], r[0] + r[1]));
      }
      assertThat(g.get("/uri/" + cap).body()).isEqualTo(content);
    }
  }

  @Test
  void unsatisfiableRangesKeepTheirValidatorsAndIfRangeTakesADate() throws Exception {
    try (GatewayFixture g = GatewayFixture.start()) {
      String root = g.grid.newRoot();
      byte[] content = GridContent.random(1000, 8);
      GridContent.file(g.grid, root, "f.bin", content);
      String path = "/uri/" + root + "/f.bin";
      HttpResponse<byte[]> whole = g.get(path);
      String etag = whole.headers().firstValue("etag").orElseThrow();
      String modified = whole.headers().firstValue("last-modified").orElseThrow();
      HttpResponse<byte[]> r = g.get(path, "Range", "bytes=5000-");
      assertThat(r.statusCode()).isEqualTo(416);
      assertThat(r.headers().firstValue("etag")).hasValue(etag);
      assertThat(r.headers().firstValue("last-modified")).hasValue(modified);

      r = g.get(path, "Range", "bytes=0-9", "If-Range", modified);
      assertThat(r.statusCode()).isEqualTo(206);
      assertThat(r.body()).isEqualTo(Arrays.copyOf(content, 10));
      r = g.get(path, "Range", "bytes=0-9", "If-Range", "Sun, 06 Nov 1994 08:49:37 GMT");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo(content);
      r = g.get(path, "Range", "bytes=0-9", "If-Range", "W/" + etag); // weak never matches
      assertThat(r.statusCode()).isEqualTo(200);
      r = g.get("/uri/" + GridContent.readCap(root) + "/f.bin", "Range", "bytes=0-9",
          "If-Range", "not a date");
      assertThat(r.statusCode()).isEqualTo(200);
    }
  }

  @Test
  void aStreamEndingBeforeTheSizeCutsTheResponseAndTheGatewayGoesOn() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    SyntheticFiles files = new SyntheticFiles(grid, 1L << 30);
    files.truncateAt = 3L * CHUNK + 5;
    try (GatewayFixture g = GatewayFixture.start(GatewayConfig.builder().build(), grid, files)) {
      try (Socket s = g.socket()) {
        GatewayFixture.send(s, "GET /uri/" + files.hugeCap + " HTTP/1.1\r\nHost: x\r\n\r\n");
        InputStream in = s.getInputStream();
        assertThat(GatewayFixture.readHead(in)).startsWith("HTTP/1.1 200 ");
        byte[] got = in.readAllBytes(); // the server closes: the client sees the body cut
        assertThat((long) got.length).isLessThanOrEqualTo(files.truncateAt);
      }
      assertThat(g.getText("/status?t=json").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void aMultipartAnswerCountsEveryByteItSends() throws Exception {
    try (GatewayFixture g = GatewayFixture.start()) {
      String root = g.grid.newRoot();
      GridContent.file(g.grid, root, "m.bin", GridContent.random(3 * CHUNK, 9));
      HttpResponse<byte[]> r = g.get("/uri/" + root + "/m.bin", "Range",
          "bytes=0-9, " + CHUNK + "-" + (2 * CHUNK + 99));
      assertThat(r.statusCode()).isEqualTo(206);
      String json = g.getText("/status?t=json").body();
      assertThat(json).contains("\"label\":\"m.bin\",\"bytes_done\":" + r.body().length
          + ",\"total_bytes\":" + r.body().length + ",");
    }
  }

  /**
   * A file entry whose cap no file read can use (a kind from a newer version, or a verify cap)
   * is refused as such, naming its kind, not read as a file; its JSON still gives the size the
   * entry records.
   */
  @Test
  void anEntryHoldingACapNoFileReadCanUseIs400NamingItsKind() throws Exception {
    try (GatewayFixture g = GatewayFixture.start()) {
      String root = g.grid.newRoot();
      String chk = GridContent.file(g.grid, root, "f.bin", GridContent.random(100, 10));
      String verify = org.cairnfs.caps.Cap.parse(chk).verifyCap().orElseThrow().toString();
      java.time.Instant t = GridContent.MTIME;
      g.grid.applyChanges(root, java.util.List.of(
          new org.cairnfs.fs.mount.EntryChange.Put("future", java.util.Optional.of(
              "cairn:future-ro:abc"), org.cairnfs.fs.mount.NodeMetadata.of(
                  org.cairnfs.caps.dirnode.EntryKind.FILE, 1234, 0644, t, t)),
          new org.cairnfs.fs.mount.EntryChange.Put("verify", java.util.Optional.of(verify),
              org.cairnfs.fs.mount.NodeMetadata.of(
                  org.cairnfs.caps.dirnode.EntryKind.FILE, 100, 0644, t, t)))).get();
      HttpResponse<String> future = g.getText("/uri/" + root + "/future");
      assertThat(future.statusCode()).isEqualTo(400);
      assertThat(future.body()).contains("not a file cap this gateway can read: cairn:future-ro")
          .doesNotContain("abc");
      HttpResponse<String> v = g.getText("/uri/" + root + "/verify");
      assertThat(v.statusCode()).isEqualTo(400);
      assertThat(v.body()).contains("not a file cap this gateway can read: ");
      HttpResponse<String> json = g.getText("/uri/" + root + "/future?t=json");
      assertThat(json.statusCode()).isEqualTo(200);
      assertThat(json.body()).contains("\"size\":1234");
    }
  }

  @Test
  void dispositionGivesAnAsciiNameAndTheExactUtf8One() {
    String name = "Az09 ~\u007f\u001f\"\\@[`{:/!#$&+-.^_|é";
    assertThat(FileResponder.disposition(name, false)).isEqualTo("inline; filename=\""
        + "Az09 ~____@[`{:/!#$&+-.^_|_\"; filename*=UTF-8''"
        + "Az09%20~%7F%1F%22%5C%40%5B`%7B%3A%2F!#$&+-.^_|%C3%A9");
    assertThat(FileResponder.disposition("aZ", true))
        .isEqualTo("attachment; filename=\"aZ\"; filename*=UTF-8''aZ");
  }
}
