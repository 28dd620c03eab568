package org.cairnfs.fs.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.List;
import org.cairnfs.caps.dirnode.EntryKind;
import org.cairnfs.fs.mount.GridException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The web API with write caps, its refusals through read caps, and round trips. */
class GatewayWebApiTest {
  static GatewayFixture g;
  static String root;

  @BeforeAll
  static void start() throws Exception {
    g = GatewayFixture.start();
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

  @Test
  void putLinksAFileThatGetReturns() throws Exception {
    byte[] body = GridContent.random(200_000, 7);
    HttpResponse<String> r = g.put("/uri/" + root + "/put.bin", body);
    assertThat(r.statusCode()).isEqualTo(201);
    String cap = r.body().trim();
    assertThat(cap).startsWith("cairn:chk:");
    assertThat(g.grid.entries(root).get("put.bin").cap()).hasValue(cap);
    assertThat(g.grid.entries(root).get("put.bin").metadata().size()).isEqualTo(200_000);
    assertThat(g.get("/uri/" + root + "/put.bin").body()).isEqualTo(body);
    assertThat(g.get("/uri/" + cap).body()).isEqualTo(body);
    HttpResponse<String> again = g.put("/uri/" + root + "/put.bin", "new".getBytes());
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(g.getText("/uri/" + root + "/put.bin").body()).isEqualTo("new");
    HttpResponse<String> keep = g.put("/uri/" + root + "/put.bin?replace=false", "x".getBytes());
    assertThat(keep.statusCode()).isEqualTo(409);
    assertThat(g.getText("/uri/" + root + "/put.bin").body()).isEqualTo("new");
  }

  @Test
  void putOfAnUnlinkedFileReturnsItsCap() throws Exception {
    HttpResponse<String> r = g.put("/uri", "unlinked bytes".getBytes());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(g.getText("/uri/" + r.body().trim()).body()).isEqualTo("unlinked bytes");
    HttpResponse<String> empty = g.put("/uri", new byte[0]);
    assertThat(empty.statusCode()).isEqualTo(200);
    assertThat(g.get("/uri/" + empty.body().trim()).body()).isEmpty();
  }

  @Test
  void mkdirThenPutInsideThenDeleteAndRename() throws Exception {
    HttpResponse<String> mk = g.post("/uri/" + root + "/made?t=mkdir");
    assertThat(mk.statusCode()).isEqualTo(201);
    String made = mk.body().trim();
    assertThat(made).startsWith("cairn:dir:");
    assertThat(g.grid.entries(root).get("made").metadata().kind()).isEqualTo(EntryKind.DIRECTORY);
    assertThat(g.post("/uri/" + root + "/made?t=mkdir").statusCode()).isEqualTo(409);
    assertThat(g.put("/uri/" + root + "/made/f.txt", "f".getBytes()).statusCode()).isEqualTo(201);
    assertThat(g.grid.entries(made)).containsKey("f.txt");
    assertThat(g.put("/uri/" + root + "/made", "x".getBytes()).statusCode()).isEqualTo(409);
    HttpResponse<String> mv = g.post("/uri/" + root + "/made?t=rename&from_name=f.txt"
        + "&to_name=g%20h.txt");
    assertThat(mv.statusCode()).isEqualTo(200);
    assertThat(g.grid.entries(made)).containsOnlyKeys("g h.txt");
    assertThat(g.getText("/uri/" + root + "/made/g%20h.txt").body()).isEqualTo("f");
    assertThat(g.post("/uri/" + root + "/made?t=rename&from_name=nope&to_name=x").statusCode())
        .isEqualTo(404);
    assertThat(g.post("/uri/" + root + "/made?t=rename&from_name=g%20h.txt").statusCode())
        .isEqualTo(400);
    assertThat(g.delete("/uri/" + root + "/made/g%20h.txt").statusCode()).isEqualTo(200);
    assertThat(g.grid.entries(made)).isEmpty();
    assertThat(g.delete("/uri/" + root + "/made/g%20h.txt").statusCode()).isEqualTo(404);
    assertThat(g.delete("/uri/" + root + "/made").statusCode()).isEqualTo(200);
    assertThat(g.grid.entries(root)).doesNotContainKey("made");
    HttpResponse<String> unlinked = g.post("/uri?t=mkdir");
    assertThat(unlinked.statusCode()).isEqualTo(200);
    assertThat(unlinked.body()).startsWith("cairn:dir:");
  }

  @Test
  void everyWriteThroughAReadCapIs403AndChangesNothing() throws Exception {
    GridContent.file(g.grid, root, "keep.txt", "keep".getBytes());
    String sub = GridContent.dir(g.grid, root, "ro-sub");
    String ro = GridContent.readCap(root);
    int publishes = g.grid.publishCount();
    List<HttpResponse<String>> answers = List.of(
        g.put("/uri/" + ro + "/new", "x".getBytes()),
        g.put("/uri/" + ro + "/keep.txt", "x".getBytes()),
        g.post("/uri/" + ro + "/d?t=mkdir"),
        g.delete("/uri/" + ro + "/keep.txt"),
        g.post("/uri/" + ro + "?t=rename&from_name=keep.txt&to_name=k2"),
        g.post("/uri/" + ro + "?t=frob"),
        g.put("/uri/" + GridContent.readCap(sub) + "/x", "x".getBytes()));
    for (HttpResponse<String> r : answers) {
      assertThat(r.statusCode()).as(r.request().method() + " " + r.uri()).isEqualTo(403);
      assertThat(r.body()).contains("needs a write cap").contains("cairn:dir-ro");
    }
    assertThat(g.grid.publishCount()).isEqualTo(publishes);
    assertThat(g.grid.entries(root)).containsKey("keep.txt").doesNotContainKey("new");
  }

  @Test
  void aReadOnlyEntryInsideAWritableDirectoryRefusesWrites() throws Exception {
    String other = g.grid.newRoot();
    g.grid.applyChanges(root, List.of(new org.cairnfs.fs.mount.EntryChange.Put("ro-link",
        java.util.Optional.of(GridContent.readCap(other)), org.cairnfs.fs.mount.NodeMetadata.of(
            EntryKind.DIRECTORY, 0, 0755, GridContent.MTIME, GridContent.MTIME)))).get();
    HttpResponse<String> r = g.put("/uri/" + root + "/ro-link/f", "x".getBytes());
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(g.grid.entries(other)).isEmpty();
  }

  @Test
  void writesNeedANameAndADirectory() throws Exception {
    assertThat(g.put("/uri/" + root, "x".getBytes()).statusCode()).isEqualTo(400);
    assertThat(g.delete("/uri/" + root).statusCode()).isEqualTo(400);
    assertThat(g.put("/uri/" + root + "/a%2Fb", "x".getBytes()).statusCode()).isEqualTo(400);
  }

  @Test
  void putAndMkdirMakeMissingParentDirectoriesAsTahoeDoes() throws Exception {
    String top = g.grid.newRoot();
    HttpResponse<String> r = g.put("/uri/" + top + "/a/b/c.txt", "deep".getBytes());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    assertThat(g.grid.entries(top).get("a").metadata().kind()).isEqualTo(EntryKind.DIRECTORY);
    String a = g.grid.entries(top).get("a").cap().orElseThrow();
    assertThat(a).startsWith("cairn:dir:");
    String b = g.grid.entries(a).get("b").cap().orElseThrow();
    assertThat(g.grid.entries(b)).containsOnlyKeys("c.txt");
    assertThat(g.getText("/uri/" + GridContent.readCap(top) + "/a/b/c.txt").body())
        .isEqualTo("deep");
    // an existing parent is used, not replaced
    assertThat(g.put("/uri/" + top + "/a/b/d.txt", "d".getBytes()).statusCode()).isEqualTo(201);
    assertThat(g.grid.entries(a).get("b").cap()).hasValue(b);
    assertThat(g.grid.entries(b)).containsOnlyKeys("c.txt", "d.txt");
    HttpResponse<String> mk = g.post("/uri/" + top + "/x/y/z?t=mkdir");
    assertThat(mk.statusCode()).isEqualTo(201);
    String x = g.grid.entries(top).get("x").cap().orElseThrow();
    String y = g.grid.entries(x).get("y").cap().orElseThrow();
    assertThat(g.grid.entries(y).get("z").cap()).hasValue(mk.body().trim());
    // a file on the way is no directory; DELETE makes nothing
    HttpResponse<String> through = g.put("/uri/" + top + "/a/b/c.txt/e", "e".getBytes());
    assertThat(through.statusCode()).isEqualTo(400);
    assertThat(through.body()).contains("a/b/c.txt").contains("is a file");
    assertThat(g.delete("/uri/" + top + "/gone/f").statusCode()).isEqualTo(404);
    assertThat(g.grid.entries(top)).containsOnlyKeys("a", "x");
    // through a read-only directory on the way nothing is made
    String other = g.grid.newRoot();
    g.grid.applyChanges(top, List.of(new org.cairnfs.fs.mount.EntryChange.Put("ro",
        java.util.Optional.of(GridContent.readCap(other)), org.cairnfs.fs.mount.NodeMetadata.of(
            EntryKind.DIRECTORY, 0, 0755, GridContent.MTIME, GridContent.MTIME)))).get();
    assertThat(g.put("/uri/" + top + "/ro/new/f", "x".getBytes()).statusCode()).isEqualTo(403);
    assertThat(g.grid.entries(other)).isEmpty();
  }

  @Test
  void aFullGridAnswers507AndAnUnhappyOne503() throws Exception {
    g.grid.failWith(GridException.Kind.FULL);
    HttpResponse<String> full = g.put("/uri/" + root + "/big", "x".getBytes());
    assertThat(full.statusCode()).isEqualTo(507);
    assertThat(full.body()).contains("full");
    g.grid.failWith(GridException.Kind.NOT_HAPPY);
    assertThat(g.put("/uri", "x".getBytes()).statusCode()).isEqualTo(503);
    assertThat(g.grid.entries(root)).doesNotContainKey("big");
  }
}
