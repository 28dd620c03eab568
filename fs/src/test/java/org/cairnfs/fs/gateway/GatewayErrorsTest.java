package org.cairnfs.fs.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.cairnfs.caps.MutableReadCap;
import org.cairnfs.fs.mount.GridException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Every error path of reads answers its status with a message, and the headers every answer carries. */
class GatewayErrorsTest {
  static GatewayFixture g;
  static String root;
  static String fileCap;

  @BeforeAll
  static void start() throws Exception {
    g = GatewayFixture.start();
    root = g.grid.newRoot();
    fileCap = GridContent.file(g.grid, root, "a.txt", "hello".getBytes());
    GridContent.dir(g.grid, root, "sub");
  }

  @AfterAll
  static void stop() {
    g.close();
  }

  @AfterEach
  void heal() {
    g.grid.heal();
  }

  @Test
  void malformedCapsAre400WithTheParseError() throws Exception {
    HttpResponse<String> r = g.getText("/uri/cairn:nonsense");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("unknown cap kind 'nonsense'");
    HttpResponse<String> bad = g.getText("/uri/cairn:chk:abc:def:3:10:5");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).startsWith("400 Bad Request: malformed cap: ");
    assertThat(g.getText("/uri/not-a-cap").statusCode()).isEqualTo(400);
    assertThat(g.getText("/uri/").statusCode()).isEqualTo(400);
    String verify = org.cairnfs.caps.Cap.parse(fileCap).verifyCap().orElseThrow().toString();
    assertThat(g.getText("/uri/" + verify).body()).contains("a verify cap cannot read");
  }

  @Test
  void badPathsAre400() throws Exception {
    for (String p : new String[] {"/..", "/.", "//a.txt", "/a%00b"}) {
      HttpResponse<String> r = g.getText("/uri/" + root + p);
      assertThat(r.statusCode()).as(p).isEqualTo(400);
    }
    assertThat(g.getText("/uri/" + root + "?t=html").statusCode()).isEqualTo(400);
    String raw = g.raw("GET /uri/" + root + "/%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assertThat(raw).startsWith("HTTP/1.1 400 ");
  }

  @Test
  void missingNamesAre404NamingThem() throws Exception {
    HttpResponse<String> r = g.getText("/uri/" + root + "/sub/nothing");
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.body()).contains("no 'nothing' in directory '/sub'");
    HttpResponse<String> f = g.getText("/uri/" + root + "/a.txt/x");
    assertThat(f.statusCode()).isEqualTo(404);
    assertThat(f.body()).contains("is a file, not a directory");
    assertThat(g.getText("/nothing-here").statusCode()).isEqualTo(404);
  }

  @Test
  void unrecoverableFilesAre503NamingWhatFailed() throws Exception {
    g.grid.failReadsWith(GridException.Kind.UNREACHABLE);
    HttpResponse<String> r = g.getText("/uri/" + fileCap);
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.body()).contains("cannot be recovered").contains("injected failure");
    HttpResponse<String> d = g.getText("/uri/" + root);
    assertThat(d.statusCode()).isEqualTo(503);
    g.grid.failReadsWith(GridException.Kind.INTEGRITY);
    assertThat(g.getText("/uri/" + fileCap).statusCode()).isEqualTo(503);
  }

  @Test
  void mutableFileCapsOnAGridWithoutThemAre501AndOtherMethods405() throws Exception {
    String mut = new MutableReadCap(new byte[32], new byte[32]).toString();
    HttpResponse<String> none = g.getText("/uri/" + mut);
    assertThat(none.statusCode()).isEqualTo(501);
    assertThat(none.body()).contains("keeps no mutable files");
    HttpResponse<String> r = g.http.send(g.request("/uri/" + fileCap)
        .method("PATCH", java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(405);
    assertThat(r.headers().firstValue("allow")).isPresent();
  }

  @Test
  void everyAnswerCarriesTheSecurityHeaders() throws Exception {
    for (String p : new String[] {"/", "/status?t=json", "/metrics", "/uri/" + root,
        "/uri/" + fileCap, "/uri/cairn:nonsense", "/missing", "/uri/" + root + "/none"}) {
      HttpResponse<String> r = g.getText(p);
      assertThat(r.headers().firstValue("referrer-policy")).as(p).hasValue("no-referrer");
      assertThat(r.headers().firstValue("x-content-type-options")).as(p).hasValue("nosniff");
      String csp = r.headers().firstValue("content-security-policy").orElseThrow();
      assertThat(csp).as(p).startsWith("default-src 'none'").doesNotContain("script-src")
          .contains("frame-ancestors");
    }
    String fileCsp = g.getText("/uri/" + fileCap).headers()
        .firstValue("content-security-policy").orElseThrow();
    assertThat(fileCsp).contains("sandbox");
    // HTML content is sandboxed; audio and video are not (a media document fetches the file
    // with CORS, which an opaque sandboxed origin would fail), and take no styles or images
    GridContent.file(g.grid, root, "page.html", "<p>hi".getBytes());
    GridContent.file(g.grid, root, "clip.webm", new byte[100]);
    GridContent.file(g.grid, root, "song.mp3", new byte[100]);
    assertThat(g.getText("/uri/" + root + "/page.html").headers()
        .firstValue("content-security-policy").orElseThrow()).contains("sandbox");
    for (String media : new String[] {"clip.webm", "song.mp3"}) {
      String csp = g.getText("/uri/" + root + "/" + media).headers()
          .firstValue("content-security-policy").orElseThrow();
      assertThat(csp).as(media).isEqualTo("default-src 'none'; media-src 'self';"
          + " frame-ancestors 'self'; base-uri 'none'; form-action 'none'");
    }
  }

  @Test
  void theAccessLogHoldsNoWholeCap() throws Exception {
    Logger access = (Logger) LoggerFactory.getLogger("org.cairnfs.fs.gateway.access");
    ListAppender<ILoggingEvent> list = new ListAppender<>();
    list.start();
    Level before = access.getLevel();
    access.setLevel(Level.INFO);
    access.setAdditive(false); // keep the lines out of the build's console
    access.addAppender(list);
    try {
      g.getText("/uri/" + root + "/a.txt");
      g.getText("/uri/" + root.replace(":", "%3A") + "/a.txt");
      g.getText("/uri?uri=" + root);
      long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (list.list.size() < 3 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
    } finally {
      access.detachAppender(list);
      access.setAdditive(true);
      access.setLevel(before);
    }
    assertThat(list.list).hasSizeGreaterThanOrEqualTo(3);
    String key = root.substring(root.lastIndexOf(':') - 20, root.lastIndexOf(':'));
    for (ILoggingEvent e : list.list) {
      String line = e.getFormattedMessage();
      assertThat(line).contains("cairn:dir:").doesNotContain(key)
          .doesNotContain(root.substring(10));
    }
  }
}
