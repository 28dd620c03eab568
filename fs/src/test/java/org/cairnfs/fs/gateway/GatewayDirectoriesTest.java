package org.cairnfs.fs.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Directory listings as HTML and JSON: escaping, links by read caps only, never a write cap. */
class GatewayDirectoriesTest {
  static GatewayFixture g;
  static String root;
  static String sub;
  static List<String> writeCaps = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    g = GatewayFixture.start();
    root = g.grid.newRoot();
    sub = GridContent.dir(g.grid, root, "sub dir");
    String deeper = GridContent.dir(g.grid, sub, "deeper");
    writeCaps.addAll(List.of(root, sub, deeper));
    GridContent.file(g.grid, root, "<script>alert(1)</script>", "x".getBytes());
    GridContent.file(g.grid, root, "notes & \"quotes\".txt", "n".getBytes());
    GridContent.file(g.grid, sub, "inner.txt", "inner".getBytes());
  }

  @AfterAll
  static void stop() {
    g.close();
  }

  @Test
  void htmlListingEscapesNames() throws Exception {
    HttpResponse<String> r = g.getText("/uri/" + GridContent.readCap(root));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");
    assertThat(r.body()).startsWith("<!DOCTYPE html>")
        .contains("&lt;script&gt;alert(1)&lt;/script&gt;")
        .doesNotContain("<script>")
        .contains("notes &amp; &quot;quotes&quot;.txt")
        .contains("sub dir/");
    assertThat(r.body()).contains("?filename=%3Cscript%3Ealert%281%29%3C%2Fscript%3E");
  }

  @Test
  void noPageReachedByAReadCapHoldsAWriteCap() throws Exception {
    List<String> pages = new ArrayList<>();
    String start = "/uri/" + GridContent.readCap(root);
    crawl(start, pages, 0);
    crawl(start + "?t=json", pages, 0);
    crawl("/uri/" + GridContent.readCap(root) + "/sub%20dir?t=json", pages, 0);
    assertThat(pages).hasSizeGreaterThan(4);
    for (String body : pages) {
      assertThat(body).doesNotContain("cairn:dir:").doesNotContain("rw_uri");
      for (String w : writeCaps) {
        assertThat(body).doesNotContain(w.substring(10, 40));
      }
    }
  }

  /** Follows every /uri/ link of a page, depth-first, collecting the bodies. */
  private void crawl(String path, List<String> pages, int depth) throws Exception {
    HttpResponse<String> r = g.getText(path);
    assertThat(r.statusCode()).as(path).isEqualTo(200);
    pages.add(r.body());
    if (depth > 3 || !r.headers().firstValue("content-type").orElse("").startsWith("text/html")) {
      return;
    }
    Matcher m = Pattern.compile("href=\"(/uri/[^\"]+)\"").matcher(r.body());
    while (m.find()) {
      crawl(m.group(1).replace("&amp;", "&"), pages, depth + 1);
    }
  }

  @Test
  void aWriteCapListingLinksByReadCapsToo() throws Exception {
    HttpResponse<String> r = g.getText("/uri/" + root);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains(GridContent.readCap(sub)).doesNotContain(sub)
        .contains("links below are read-only");
  }

  @Test
  void jsonListsChildrenWithReadCapsAndWriteCapsOnlyForAWriteCap() throws Exception {
    HttpResponse<String> ro = g.getText("/uri/" + GridContent.readCap(root) + "?t=json");
    assertThat(ro.statusCode()).isEqualTo(200);
    assertThat(ro.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(ro.body()).startsWith("[\"dirnode\",{\"version\":1,\"ro_uri\":\""
        + GridContent.readCap(root) + "\",\"mutable\":true,\"children\":{")
        .contains("\"sub dir\":[\"dirnode\",{\"ro_uri\":\"" + GridContent.readCap(sub) + "\"")
        .contains("\"\\u003cscript\\u003ealert(1)\\u003c/script\\u003e\":[\"filenode\"")
        .doesNotContain("rw_uri");
    HttpResponse<String> rw = g.getText("/uri/" + root + "?t=json");
    assertThat(rw.body()).contains("\"rw_uri\":\"" + root + "\"")
        .contains("\"rw_uri\":\"" + sub + "\"");
  }

  @Test
  void pathsWalkIntoSubdirectoriesAndFileJson() throws Exception {
    HttpResponse<String> r = g.getText("/uri/" + GridContent.readCap(root) + "/sub%20dir/");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("inner.txt").contains("deeper/");
    HttpResponse<String> f = g.getText("/uri/" + GridContent.readCap(root)
        + "/sub%20dir/inner.txt");
    assertThat(f.body()).isEqualTo("inner");
    HttpResponse<String> j = g.getText("/uri/" + root + "/sub%20dir/inner.txt?t=json");
    assertThat(j.body()).startsWith("[\"filenode\",{\"version\":1,\"ro_uri\":\"cairn:chk:")
        .contains("\"size\":5,\"mutable\":false,\"metadata\":{\"mtime\":1772600767.123456789");
  }

  @Test
  void theOpenFormRedirectsToTheCap() throws Exception {
    String ro = GridContent.readCap(root);
    HttpResponse<String> r = g.getText("/uri?uri=" + ro);
    assertThat(r.statusCode()).isEqualTo(303);
    assertThat(r.headers().firstValue("location")).hasValue("/uri/" + ro);
    assertThat(g.getText("/uri?uri=cairn:chk:zz").statusCode()).isEqualTo(400);
  }

  @Test
  void aLargeDirectoryIsListedInPagesFollowingItsLinks() throws Exception {
    List<String> names = List.of("a", "b c", "b+c", "dé", "e&f", "g", "h");
    try (GatewayFixture paged = GatewayFixture.start(GatewayConfig.builder().listingPage(3)
        .build())) {
      String dir = paged.grid.newRoot();
      for (String n : names) {
        GridContent.file(paged.grid, dir, n, n.getBytes());
      }
      String base = "/uri/" + GridContent.readCap(dir);
      List<String> seen = new ArrayList<>();
      String next = base;
      for (int page = 0; next != null; page++) {
        assertThat(page).as("pages").isLessThan(3);
        HttpResponse<String> r = paged.getText(next);
        assertThat(r.statusCode()).isEqualTo(200);
        Matcher rows = Pattern.compile("filename=[^\"]*\">([^<]*)</a>").matcher(r.body());
        int onPage = 0;
        while (rows.find()) {
          seen.add(rows.group(1).replace("&amp;", "&"));
          onPage++;
        }
        assertThat(onPage).isEqualTo(page < 2 ? 3 : 1);
        assertThat(r.body().contains("First page")).isEqualTo(page > 0);
        Matcher link = Pattern.compile("<a href=\"\\?after=([^\"]*)\">Next page</a>")
            .matcher(r.body());
        next = link.find() ? base + "?after=" + link.group(1) : null;
      }
      assertThat(seen).containsExactlyElementsOf(names); // each once, in name order

      HttpResponse<String> first = paged.getText(base + "?t=json");
      assertThat(first.body()).contains("\"next_after\":\"b+c\"").contains("\"b c\"")
          .doesNotContain("\"d\u00e9\"");
      HttpResponse<String> last = paged.getText(base + "?t=json&after=g");
      assertThat(last.body()).contains("\"h\"").doesNotContain("next_after")
          .doesNotContain("\"g\"");
      for (String bad : List.of("a%2Fb", ".", "..", "%E0%A5%98".repeat(85))) { // last: 510 B NFC
        HttpResponse<String> r = paged.getText(base + "?after=" + bad);
        assertThat(r.statusCode()).as(bad).isEqualTo(400);
        assertThat(r.body()).contains("after= takes an entry name");
      }
    }
  }
}
