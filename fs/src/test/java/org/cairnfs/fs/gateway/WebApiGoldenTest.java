package org.cairnfs.fs.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.cairnfs.caps.DirectoryWriteCap;
import org.cairnfs.caps.ImmutableReadCap;
import org.cairnfs.caps.MutableWriteCap;
import org.cairnfs.caps.dirnode.EntryKind;
import org.cairnfs.fs.mount.NodeMetadata;
import org.cairnfs.fs.mount.RemoteEntry;
import org.junit.jupiter.api.Test;

/**
 * The JSON layouts of docs/specs/webapi.md, byte for byte: a layout change must change the spec
 * (and its version) and this test together.
 */
class WebApiGoldenTest {
  static final Instant T = Instant.parse("2026-03-04T05:06:07.000000123Z");

  static byte[] fill(int v) {
    byte[] b = new byte[32];
    java.util.Arrays.fill(b, (byte) v);
    return b;
  }

  static final String DIR = new DirectoryWriteCap(new MutableWriteCap(fill(1), fill(2)))
      .toString();
  static final String SUB = new DirectoryWriteCap(new MutableWriteCap(fill(3), fill(4)))
      .toString();
  static final String FILE = new ImmutableReadCap(fill(5), fill(6), 3, 10, 1234).toString();

  static List<DirectoryPages.Child> children() {
    return DirectoryPages.children(List.of(
        new RemoteEntry("b.txt", Optional.of(FILE), NodeMetadata.of(EntryKind.FILE, 1234, 0644,
            T, T)),
        new RemoteEntry("a dir", Optional.of(SUB), NodeMetadata.of(EntryKind.DIRECTORY, 0, 0755,
            T, T)),
        new RemoteEntry("link", Optional.empty(), NodeMetadata.symlink("b.txt", 0777, T, T))));
  }

  @Test
  void directoryJsonThroughAReadCap() {
    String ro = GridContent.readCap(DIR);
    assertThat(DirectoryPages.json(ro, Optional.empty(), children(),
        DirectoryPages.Paging.WHOLE)).isEqualTo(
        "[\"dirnode\",{\"version\":1,\"ro_uri\":\"" + ro + "\",\"mutable\":true,\"children\":{"
        + "\"a dir\":[\"dirnode\",{\"ro_uri\":\"" + GridContent.readCap(SUB) + "\","
        + "\"mutable\":true,\"metadata\":{\"mtime\":1772600767.000000123,"
        + "\"ctime\":1772600767.000000123,\"mode\":493}}],"
        + "\"b.txt\":[\"filenode\",{\"ro_uri\":\"" + FILE + "\",\"size\":1234,"
        + "\"mutable\":false,\"metadata\":{\"mtime\":1772600767.000000123,"
        + "\"ctime\":1772600767.000000123,\"mode\":420}}],"
        + "\"link\":[\"symlink\",{\"target\":\"b.txt\",\"metadata\":{"
        + "\"mtime\":1772600767.000000123,\"ctime\":1772600767.000000123,\"mode\":511}}]}}]");
  }

  @Test
  void directoryJsonThroughAWriteCapAddsWriteCaps() {
    String json = DirectoryPages.json(GridContent.readCap(DIR), Optional.of(DIR), children(),
        DirectoryPages.Paging.WHOLE);
    assertThat(json).startsWith("[\"dirnode\",{\"version\":1,\"ro_uri\":\""
        + GridContent.readCap(DIR) + "\",\"rw_uri\":\"" + DIR + "\",\"mutable\":true,")
        .contains("\"a dir\":[\"dirnode\",{\"ro_uri\":\"" + GridContent.readCap(SUB)
            + "\",\"rw_uri\":\"" + SUB + "\",\"mutable\":true,");
  }

  @Test
  void fileJson() {
    assertThat(DirectoryPages.fileJson(FILE, 1234, Optional.of(NodeMetadata.of(EntryKind.FILE,
        1234, 0644, T, T)))).isEqualTo("[\"filenode\",{\"version\":1,\"ro_uri\":\"" + FILE
        + "\",\"size\":1234,\"mutable\":false,\"metadata\":{\"mtime\":1772600767.000000123,"
        + "\"ctime\":1772600767.000000123,\"mode\":420}}]");
    assertThat(DirectoryPages.fileJson(FILE, 1234, Optional.empty())).isEqualTo(
        "[\"filenode\",{\"version\":1,\"ro_uri\":\"" + FILE + "\",\"size\":1234,"
        + "\"mutable\":false}]");
  }

  @Test
  void statusJson() {
    NodeStatus s = new NodeStatus(Optional.of("v0-abc"),
        List.of(new NodeStatus.Introducer("intro.example:4500", false)),
        List.of(new NodeStatus.Server("alice", "v0-def", true, OptionalLong.of(1000),
            Optional.of(T)), new NodeStatus.Server("bob", "v0-ghi", false,
            OptionalLong.empty(), Optional.empty())),
        Optional.of(new NodeStatus.StorageUse(10, OptionalLong.empty())),
        List.of(new NodeStatus.Transfer(NodeStatus.Direction.DOWNLOAD, "x.bin", 5,
            OptionalLong.of(10), 2.5, false, T)),
        List.of(new NodeStatus.MountQueue("/mnt", 1, 2, Optional.of("grid unreachable"))));
    assertThat(StatusPage.json(s, false)).isEqualTo("{\"version\":1,\"servers_connected\":1,"
        + "\"servers_known\":2,\"node_id\":\"v0-abc\",\"introducers\":[{\"address\":"
        + "\"intro.example:4500\",\"connected\":false}],\"servers\":[{\"nickname\":\"alice\","
        + "\"node_id\":\"v0-def\",\"connected\":true,\"free_bytes\":1000,\"last_seen\":"
        + "\"2026-03-04T05:06:07.000000123Z\"},{\"nickname\":\"bob\",\"node_id\":\"v0-ghi\","
        + "\"connected\":false,\"free_bytes\":null,\"last_seen\":null}],\"storage\":{"
        + "\"used_bytes\":10,\"max_bytes\":null},\"transfers\":[{\"direction\":\"download\","
        + "\"label\":\"x.bin\",\"bytes_done\":5,\"total_bytes\":10,\"bytes_per_second\":2.5,"
        + "\"active\":false,\"started\":\"2026-03-04T05:06:07.000000123Z\"}],\"mounts\":[{"
        + "\"mount_point\":\"/mnt\",\"pending_files\":1,\"pending_bytes\":2,\"last_error\":"
        + "\"grid unreachable\"}]}");
    assertThat(StatusPage.json(s, true)).isEqualTo(
        "{\"version\":1,\"servers_connected\":1,\"servers_known\":2}");
  }
}
