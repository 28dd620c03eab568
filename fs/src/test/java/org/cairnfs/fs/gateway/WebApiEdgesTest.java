package org.cairnfs.fs.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import org.cairnfs.caps.MutableWriteCap;
import org.junit.jupiter.api.Test;

/**
 * The web API's refusals in the order a request meets them, on the in-memory grid (which keeps
 * no mutable files): a read cap before a missing name, a file cap where a directory is needed,
 * and mutable files on a grid without them.
 */
class WebApiEdgesTest {
  static final String MUT = new MutableWriteCap(WebApiGoldenTest.fill(7),
      WebApiGoldenTest.fill(8)).toString();

  @Test
  void aReadCapIsRefusedBeforeItsMissingName() throws Exception {
    try (GatewayFixture g = GatewayFixture.start()) {
      String ro = GridContent.readCap(g.grid.newRoot());
      int publishes = g.grid.publishCount();
      HttpResponse<String> r = g.put("/uri/" + ro, "x".getBytes());
      assertThat(r.statusCode()).isEqualTo(403);
      assertThat(r.body()).contains("needs a write cap");
      assertThat(g.grid.publishCount()).isEqualTo(publishes);
    }
  }

  @Test
  void aWritableFileCapIsNoDirectoryToPutIn() throws Exception {
    try (GatewayFixture g = GatewayFixture.start()) {
      for (HttpResponse<String> r : new HttpResponse[] {g.put("/uri/" + MUT + "/x",
          "x".getBytes()), g.post("/uri/" + MUT + "/d?t=mkdir"), g.delete("/uri/" + MUT + "/x")}) {
        assertThat(r.statusCode()).as(r.request().method()).isEqualTo(400);
        assertThat(r.body()).contains("needs a directory cap, not a file cap");
      }
    }
  }

  @Test
  void aGridWithoutMutableFilesRefusesToMakeOrOverwriteOne() throws Exception {
    try (GatewayFixture g = GatewayFixture.start()) {
      for (String p : new String[] {"/uri?mutable=true", "/uri/" + MUT}) {
        HttpResponse<String> r = g.put(p, "x".getBytes());
        assertThat(r.statusCode()).as(p).isEqualTo(501);
        assertThat(r.body()).contains("this grid keeps no mutable files");
      }
    }
  }
}
