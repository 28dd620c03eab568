package org.cairnfs.fs.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The status page's HTML, row by row, for a full node and an empty one; "ago" at its edges. */
class StatusPageTest {
  static final Instant NOW = Instant.parse("2026-12-04T12:00:00Z");

  static NodeStatus full() {
    return new NodeStatus(Optional.of("v0-node<1>"),
        List.of(new NodeStatus.Introducer("intro:1", true),
            new NodeStatus.Introducer("intro:2", false)),
        List.of(new NodeStatus.Server("alpha", "v0-a", true, OptionalLong.of(3L << 30),
                Optional.of(NOW.minusSeconds(30))),
            new NodeStatus.Server("beta", "v0-b", false, OptionalLong.empty(), Optional.empty())),
        Optional.of(new NodeStatus.StorageUse(2048, OptionalLong.of(1L << 20))),
        List.of(new NodeStatus.Transfer(NodeStatus.Direction.UPLOAD, "up.bin", 1536,
                OptionalLong.empty(), 4096, true, NOW),
            new NodeStatus.Transfer(NodeStatus.Direction.DOWNLOAD, "down.bin", 10,
                OptionalLong.of(10), 0, false, NOW)),
        List.of(new NodeStatus.MountQueue("/mnt/grid", 3, 5000, Optional.of("grid <down>"))));
  }

  @Test
  void aFullNodeShowsEveryPart() {
    String h = StatusPage.html(full(), false, NOW);
    assertThat(h).contains("<p class=\"ok\">1 of 2 storage servers connected</p>")
        .contains("Node id: <code>v0-node&lt;1&gt;</code>")
        .contains("<tr><td>intro:1</td><td>connected</td></tr>")
        .contains("<tr><td>intro:2</td><td>not connected</td></tr>")
        .contains("<tr><td>alpha</td><td><code>v0-a</code></td><td>connected</td>"
            + "<td class=\"n\">3.0 GiB</td><td>30 s ago</td></tr>")
        .contains("<tr><td>beta</td><td><code>v0-b</code></td><td>not connected</td>"
            + "<td class=\"n\">?</td><td>never</td></tr>")
        .contains("2.0 KiB used of 1.0 MiB")
        .contains("<tr><td>up.bin</td><td>upload</td><td class=\"n\">1.5 KiB</td>"
            + "<td class=\"n\">?</td><td class=\"n\">4.0 KiB/s</td><td>running</td></tr>")
        .contains("<tr><td>down.bin</td><td>download</td><td class=\"n\">10 B</td>"
            + "<td class=\"n\">10 B</td><td class=\"n\">0 B/s</td><td>done</td></tr>")
        .contains("<tr><td>/mnt/grid</td><td class=\"n\">3</td><td class=\"n\">4.9 KiB</td>"
            + "<td>grid &lt;down&gt;</td></tr>")
        .doesNotContain("none configured").doesNotContain("none recently")
        .doesNotContain("no mounts").doesNotContain("runs no storage");
  }

  @Test
  void anEmptyNodeSaysWhatItLacks() {
    String h = StatusPage.html(NodeStatus.empty(), false, NOW);
    assertThat(h).contains("<p class=\"bad\">0 of 0 storage servers connected</p>")
        .contains("none configured").contains("this node runs no storage server")
        .contains("none recently").contains("no mounts").doesNotContain("Node id: ");
    NodeStatus unlimited = new NodeStatus(Optional.empty(), List.of(), List.of(),
        Optional.of(new NodeStatus.StorageUse(0, OptionalLong.empty())), List.of(), List.of());
    assertThat(StatusPage.html(unlimited, false, NOW)).contains("<p>0 B used</p>");
  }

  @Test
  void aPublicPageShowsHealthOnly() {
    String h = StatusPage.html(full(), true, NOW);
    assertThat(h).contains("1 of 2 storage servers connected").contains("public and read-only")
        .doesNotContain("alpha").doesNotContain("v0-node").doesNotContain("up.bin");
  }

  @Test
  void agoChangesUnitAtItsEdges() {
    assertThat(StatusPage.ago(NOW.plusSeconds(5), NOW)).isEqualTo("0 s ago");
    assertThat(StatusPage.ago(NOW.minusSeconds(119), NOW)).isEqualTo("119 s ago");
    assertThat(StatusPage.ago(NOW.minusSeconds(120), NOW)).isEqualTo("2 min ago");
    assertThat(StatusPage.ago(NOW.minusSeconds(7199), NOW)).isEqualTo("119 min ago");
    assertThat(StatusPage.ago(NOW.minusSeconds(7200), NOW)).isEqualTo("2 h ago");
    assertThat(StatusPage.ago(NOW.minusSeconds(172_799), NOW)).isEqualTo("47 h ago");
    assertThat(StatusPage.ago(NOW.minusSeconds(172_800), NOW)).isEqualTo("2 d ago");
    assertThat(StatusPage.ago(NOW.minusSeconds(30 * 86_400 + 5), NOW)).isEqualTo("30 d ago");
  }
}
