package org.cairnfs.fs.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Optional;
import org.cairnfs.caps.dirnode.EntryKind;
import org.cairnfs.fs.mount.EntryChange;
import org.cairnfs.fs.mount.NodeMetadata;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code t=rename}: names checked both ways, a read-only directory reached through a writable
 * one refused, a file path refused, replace=false kept, and a rename onto itself publishing
 * nothing.
 */
class GatewayRenameTest {
  private GatewayFixture g;
  private String root;

  @BeforeEach
  void start() throws Exception {
    g = GatewayFixture.start();
    root = g.grid.newRoot();
    GridContent.file(g.grid, root, "a", "A".getBytes());
    GridContent.file(g.grid, root, "b", "B".getBytes());
  }

  @AfterEach
  void stop() {
    g.close();
  }

  private HttpResponse<String> rename(String dir, String query) throws Exception {
    return g.post("/uri/" + dir + "?t=rename&" + query);
  }

  @Test
  void bothNamesMustBeNames() throws Exception {
    int publishes = g.grid.publishCount();
    for (String q : new String[] {"from_name=a&to_name=x%2Fy", "from_name=a&to_name=..",
        "from_name=..&to_name=c", "from_name=a%2Fb&to_name=c", "from_name=a&to_name="}) {
      HttpResponse<String> r = rename(root, q);
      assertThat(r.statusCode()).as(q).isEqualTo(400);
    }
    assertThat(g.grid.publishCount()).isEqualTo(publishes);
    assertThat(g.grid.entries(root)).containsOnlyKeys("a", "b");
  }

  @Test
  void aReadOnlyDirectoryInsideAWritableOneRefusesRenames() throws Exception {
    String other = g.grid.newRoot();
    GridContent.file(g.grid, other, "x", "X".getBytes());
    g.grid.applyChanges(root, List.of(new EntryChange.Put("ro-link",
        Optional.of(GridContent.readCap(other)), NodeMetadata.of(EntryKind.DIRECTORY, 0, 0755,
            GridContent.MTIME, GridContent.MTIME)))).get();
    int publishes = g.grid.publishCount();
    HttpResponse<String> r = rename(root + "/ro-link", "from_name=x&to_name=y");
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body()).contains("needs a write cap");
    // a read cap naming a file: refused for the cap before anything is read
    r = rename(GridContent.readCap(root) + "/a", "from_name=x&to_name=y");
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(g.grid.publishCount()).isEqualTo(publishes);
    assertThat(g.grid.entries(other)).containsOnlyKeys("x");
  }

  @Test
  void aFilePathIsNoPlaceToRename() throws Exception {
    HttpResponse<String> r = rename(root + "/a", "from_name=x&to_name=y");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("for a directory");
  }

  @Test
  void replaceFalseKeepsTheTargetAndTheDefaultReplacesIt() throws Exception {
    HttpResponse<String> r = rename(root, "from_name=a&to_name=b&replace=false");
    assertThat(r.statusCode()).isEqualTo(409);
    assertThat(g.getText("/uri/" + root + "/b").body()).isEqualTo("B");
    assertThat(rename(root, "from_name=a&to_name=c&replace=false").statusCode()).isEqualTo(200);
    assertThat(rename(root, "from_name=c&to_name=b").statusCode()).isEqualTo(200);
    assertThat(g.grid.entries(root)).containsOnlyKeys("b");
    assertThat(g.getText("/uri/" + root + "/b").body()).isEqualTo("A");
  }

  @Test
  void aRenameOntoItselfPublishesNothing() throws Exception {
    int publishes = g.grid.publishCount();
    assertThat(rename(root, "from_name=a&to_name=a").statusCode()).isEqualTo(200);
    assertThat(g.grid.publishCount()).isEqualTo(publishes);
    assertThat(g.grid.entries(root)).containsOnlyKeys("a", "b");
  }
}
