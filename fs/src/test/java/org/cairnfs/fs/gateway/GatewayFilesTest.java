package org.cairnfs.fs.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.cairnfs.caps.dirnode.EntryKind;
import org.cairnfs.fs.mount.EntryChange;
import org.cairnfs.fs.mount.NodeMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** GET of files: bytes, headers, validators, conditional requests, ranges, names. */
class GatewayFilesTest {
  static GatewayFixture g;
  static String root;
  static byte[] content = GridContent.random(300_000, 1);
  static String fileCap;

  @BeforeAll
  static void start() throws Exception {
    g = GatewayFixture.start();
    root = g.grid.newRoot();
    fileCap = GridContent.file(g.grid, root, "clip.mp4", content);
  }

  @AfterAll
  static void stop() {
    g.close();
  }

  @Test
  void aFileCapServesTheBytesWithLengthAndETag() throws Exception {
    HttpResponse<byte[]> r = g.get("/uri/" + fileCap);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(content);
    assertThat(r.headers().firstValue("content-length")).hasValue("300000");
    assertThat(r.headers().firstValue("content-type")).hasValue("application/octet-stream");
    assertThat(r.headers().firstValue("accept-ranges")).hasValue("bytes");
    assertThat(r.headers().firstValue("etag").orElseThrow()).startsWith("\"").endsWith("\"")
        .doesNotContain("cairn");
    assertThat(r.headers().firstValue("cache-control").orElseThrow()).contains("immutable");
    assertThat(r.headers().firstValue("last-modified")).isEmpty();
  }

  @Test
  void aNameInADirectoryGivesTypeLastModifiedAndDisposition() throws Exception {
    HttpResponse<byte[]> r = g.get("/uri/" + GridContent.readCap(root) + "/clip.mp4");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(content);
    assertThat(r.headers().firstValue("content-type")).hasValue("video/mp4");
    assertThat(r.headers().firstValue("last-modified"))
        .hasValue("Wed, 04 Mar 2026 05:06:07 GMT");
    assertThat(r.headers().firstValue("content-disposition"))
        .hasValue("inline; filename=\"clip.mp4\"; filename*=UTF-8''clip.mp4");
    assertThat(r.headers().firstValue("cache-control")).hasValue("private, no-cache");
  }

  /**
   * An mtime is whatever a writer set (utimens through the mount, a set-children line), up to
   * Instant.MAX; an HTTP date has four-digit years. Such a file served 500 and its directory's
   * page too; now the file goes without Last-Modified and the page shows the ISO instant.
   */
  @Test
  void mtimesWithoutAnHttpDateServeTheFileAndThePage() throws Exception {
    String dir = g.grid.newRoot();
    Instant[] odd = {Instant.MAX, Instant.parse("+12000-01-01T00:00:00Z"),
        Instant.parse("-0100-01-01T00:00:00Z"), Instant.MIN};
    for (int i = 0; i < odd.length; i++) {
      String cap = g.grid.upload(new ByteArrayInputStream(content)).get();
      g.grid.applyChanges(dir, List.of(new EntryChange.Put("odd" + i, Optional.of(cap),
          NodeMetadata.of(EntryKind.FILE, content.length, 0644, odd[i], odd[i])))).get();
      HttpResponse<byte[]> r = g.get("/uri/" + dir + "/odd" + i);
      assertThat(r.statusCode()).as(odd[i].toString()).isEqualTo(200);
      assertThat(r.body()).isEqualTo(content);
      assertThat(r.headers().firstValue("last-modified")).as(odd[i].toString()).isEmpty();
      assertThat(g.get("/uri/" + dir + "/odd" + i, "If-Modified-Since",
          "Wed, 04 Mar 2026 05:06:07 GMT").statusCode()).isEqualTo(200);
    }
    HttpResponse<byte[]> page = g.get("/uri/" + dir + "/");
    assertThat(page.statusCode()).isEqualTo(200);
    String html = new String(page.body(), java.nio.charset.StandardCharsets.UTF_8);
    for (Instant t : odd) {
      assertThat(html).contains(t.toString());
    }
    assertThat(FileResponder.hasHttpDate(Instant.parse("0001-01-01T00:00:00Z"))).isTrue();
    assertThat(FileResponder.hasHttpDate(Instant.parse("9999-12-31T23:59:59Z"))).isTrue();
    assertThat(FileResponder.hasHttpDate(Instant.parse("0000-12-31T23:59:59Z"))).isFalse();
    assertThat(FileResponder.hasHttpDate(Instant.parse("+10000-01-01T00:00:00Z"))).isFalse();
  }

  @Test
  void filenameParameterSetsTypeAndSaveMakesAnAttachment() throws Exception {
    HttpResponse<byte[]> r = g.get("/uri/" + fileCap + "?filename=r%C3%A9sum%C3%A9.pdf&save=true");
    assertThat(r.headers().firstValue("content-type")).hasValue("application/pdf");
    assertThat(r.headers().firstValue("content-disposition")).hasValue(
        "attachment; filename=\"r_sum_.pdf\"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf");
  }

  @Test
  void headSendsTheHeadersOnly() throws Exception {
    HttpResponse<byte[]> r = g.send(g.request("/uri/" + fileCap)
        .method("HEAD", java.net.http.HttpRequest.BodyPublishers.noBody()).build());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEmpty();
    assertThat(r.headers().firstValue("content-length")).hasValue("300000");
  }

  @Test
  void conditionalRequestsAnswer304() throws Exception {
    String etag = g.get("/uri/" + fileCap).headers().firstValue("etag").orElseThrow();
    HttpResponse<byte[]> same = g.get("/uri/" + fileCap, "If-None-Match", etag);
    assertThat(same.statusCode()).isEqualTo(304);
    assertThat(same.body()).isEmpty();
    assertThat(same.headers().firstValue("etag")).hasValue(etag);
    assertThat(g.get("/uri/" + fileCap, "If-None-Match", "\"other\", W/" + etag).statusCode())
        .isEqualTo(304);
    assertThat(g.get("/uri/" + fileCap, "If-None-Match", "\"other\"").statusCode())
        .isEqualTo(200);
    String path = "/uri/" + root + "/clip.mp4";
    assertThat(g.get(path, "If-Modified-Since", "Wed, 04 Mar 2026 05:06:07 GMT").statusCode())
        .isEqualTo(304);
    assertThat(g.get(path, "If-Modified-Since", "Thu, 05 Mar 2026 00:00:00 GMT").statusCode())
        .isEqualTo(304);
    assertThat(g.get(path, "If-Modified-Since", "Wed, 04 Mar 2026 05:06:06 GMT").statusCode())
        .isEqualTo(200);
    // If-None-Match wins over If-Modified-Since
    assertThat(g.get(path, "If-None-Match", "\"x\"", "If-Modified-Since",
        "Thu, 05 Mar 2026 00:00:00 GMT").statusCode()).isEqualTo(200);
  }

  @Test
  void rangesFirstMiddleLastByteAndSuffix() throws Exception {
    assertRange("bytes=0-0", 0, 0);
    assertRange("bytes=1000-1999", 1000, 1999);
    assertRange("bytes=299999-299999", 299_999, 299_999);
    assertRange("bytes=299990-", 299_990, 299_999);
    assertRange("bytes=-10", 299_990, 299_999);
    assertRange("bytes=299000-999999999", 299_000, 299_999);
    assertRange("bytes=-999999", 0, 299_999);
  }

  private void assertRange(String range, int first, int last) throws Exception {
    HttpResponse<byte[]> r = g.get("/uri/" + fileCap, "Range", range);
    assertThat(r.statusCode()).as(range).isEqualTo(206);
    assertThat(r.headers().firstValue("content-range"))
        .hasValue("bytes " + first + "-" + last + "/300000");
    assertThat(r.headers().firstValue("content-length"))
        .hasValue(Integer.toString(last - first + 1));
    assertThat(r.body()).isEqualTo(Arrays.copyOfRange(content, first, last + 1));
  }

  @Test
  void unsatisfiableRangeIs416WithTheSize() throws Exception {
    HttpResponse<byte[]> r = g.get("/uri/" + fileCap, "Range", "bytes=300000-");
    assertThat(r.statusCode()).isEqualTo(416);
    assertThat(r.headers().firstValue("content-range")).hasValue("bytes */300000");
    assertThat(g.get("/uri/" + fileCap, "Range", "bytes=-0").statusCode()).isEqualTo(416);
  }

  @Test
  void badOrForeignRangesServeTheWhole() throws Exception {
    for (String h : new String[] {"bytes=5-1", "bytes=x-3", "items=0-1", "bytes=1"}) {
      HttpResponse<byte[]> r = g.get("/uri/" + fileCap, "Range", h);
      assertThat(r.statusCode()).as(h).isEqualTo(200);
      assertThat(r.body()).isEqualTo(content);
    }
  }

  @Test
  void ifRangeWithAnOldValidatorServesTheWhole() throws Exception {
    String etag = g.get("/uri/" + fileCap).headers().firstValue("etag").orElseThrow();
    assertThat(g.get("/uri/" + fileCap, "Range", "bytes=0-9", "If-Range", etag).statusCode())
        .isEqualTo(206);
    HttpResponse<byte[]> r = g.get("/uri/" + fileCap, "Range", "bytes=0-9", "If-Range",
        "\"stale\"");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).hasSize(content.length);
  }

  @Test
  void multipleRangesComeAsMultipartByteranges() throws Exception {
    HttpResponse<byte[]> r = g.get("/uri/" + root + "/clip.mp4", "Range",
        "bytes=0-9, 100-199, -5");
    assertThat(r.statusCode()).isEqualTo(206);
    String type = r.headers().firstValue("content-type").orElseThrow();
    assertThat(type).startsWith("multipart/byteranges; boundary=");
    assertThat(r.headers().firstValue("content-length"))
        .hasValue(Integer.toString(r.body().length));
    var parts = Multipart.parse(r.body(), type.substring(type.indexOf('=') + 1));
    assertThat(parts).hasSize(3);
    assertThat(parts.get(0).contentRange()).isEqualTo("bytes 0-9/300000");
    assertThat(parts.get(0).type()).isEqualTo("video/mp4");
    assertThat(parts.get(0).body()).isEqualTo(Arrays.copyOfRange(content, 0, 10));
    assertThat(parts.get(1).body()).isEqualTo(Arrays.copyOfRange(content, 100, 200));
    assertThat(parts.get(2).contentRange()).isEqualTo("bytes 299995-299999/300000");
    assertThat(parts.get(2).body()).isEqualTo(Arrays.copyOfRange(content, 299_995, 300_000));
  }

  @Test
  void overlappingRangesDoNotMultiplyTheFile() throws Exception {
    // one short header asking the whole file 64 times would have the gateway read it from the
    // grid and send it 64 times: ranges asking more than the whole are served as the whole
    HttpResponse<byte[]> r = g.get("/uri/" + fileCap, "Range",
        "bytes=" + "0-,".repeat(RangeRequest.MAX_RANGES - 1) + "0-");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(content);
  }

  @Test
  void anEmptyFile() throws Exception {
    String empty = GridContent.file(g.grid, root, "empty.txt", new byte[0]);
    HttpResponse<byte[]> r = g.get("/uri/" + empty);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEmpty();
    assertThat(r.headers().firstValue("content-length")).hasValue("0");
  }

  @Test
  void aCapOfAFileNotOnTheGridIs404() throws Exception {
    String missing = new org.cairnfs.caps.ImmutableReadCap(new byte[32], new byte[32], 3, 10,
        1000).toString();
    HttpResponse<String> r = g.getText("/uri/" + missing);
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.body()).contains("not on the grid");
  }

  @Test
  void keepAliveServesManyRequestsOnOneConnection() throws Exception {
    for (int i = 0; i < 20; i++) {
      HttpResponse<byte[]> r = g.get("/uri/" + fileCap, "Range", "bytes=" + i + "-" + i);
      assertThat(r.body()).containsExactly(content[i]);
    }
  }
}
