package org.cairnfs.fs.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.cairnfs.caps.dirnode.EntryKind;
import org.cairnfs.fs.mount.EntryChange;
import org.cairnfs.fs.mount.NodeMetadata;
import org.cairnfs.fs.mount.RemoteEntry;
import org.junit.jupiter.api.Test;

/**
 * Entry lines (docs/specs/webapi.md, "Entry lines") byte for byte, and round trips of every
 * metadata field: a layout change must change the spec, its version and this test together.
 */
class EntryLinesGoldenTest {
  static final Instant T = Instant.parse("2026-03-04T05:06:07.000000123Z");
  static final Instant U = Instant.parse("2026-03-04T05:06:08Z");

  @Test
  void entriesLayout() {
    List<RemoteEntry> entries = List.of(
        new RemoteEntry("a b-ü.txt", Optional.of(WebApiGoldenTest.FILE),
            NodeMetadata.of(EntryKind.FILE, 1234, 0640, T, U)),
        new RemoteEntry("-", Optional.of(WebApiGoldenTest.DIR),
            new NodeMetadata(EntryKind.DIRECTORY, 0, 0755, T, T, Optional.empty(),
                Map.of("user.k", "v,=".getBytes(StandardCharsets.UTF_8)))),
        new RemoteEntry("link", Optional.empty(), NodeMetadata.symlink("../x y", 0777, T, T)));
    assertThat(EntryLines.entries(entries)).isEqualTo("cairn-entries 1\n"
        + "entry a%20b%2D%C3%BC.txt " + WebApiGoldenTest.FILE + " file 1234 640 "
        + "2026-03-04T05:06:07.000000123Z 2026-03-04T05:06:08Z - -\n"
        + "entry %2D " + WebApiGoldenTest.DIR + " directory 0 755 "
        + "2026-03-04T05:06:07.000000123Z 2026-03-04T05:06:07.000000123Z - user.k=diw9\n"
        + "entry link - symlink 6 777 2026-03-04T05:06:07.000000123Z "
        + "2026-03-04T05:06:07.000000123Z ../x%20y -\n");
    assertThat(EntryLines.parseEntries(EntryLines.entries(entries)))
        .usingRecursiveFieldByFieldElementComparator().hasSize(3)
        .extracting(RemoteEntry::name).containsExactly("a b-ü.txt", "-", "link");
    RemoteEntry back = EntryLines.parseEntries(EntryLines.entries(entries)).get(1);
    assertThat(back.metadata().xattrs().get("user.k")).isEqualTo("v,=".getBytes(
        StandardCharsets.UTF_8));
    assertThat(EntryLines.parseEntries(EntryLines.entries(entries)).get(0))
        .isEqualTo(entries.get(0));
    assertThat(EntryLines.parseEntries(EntryLines.entries(entries)).get(2))
        .isEqualTo(entries.get(2));
  }

  /**
   * An xattr name may hold '=' (Linux allows it, the mount takes it): it must be escaped, else
   * the NAME=BASE64 pair splits at the wrong '=' and the line does not parse, so a mount through
   * a node channel could never publish the change (the uploader retries it forever).
   */
  @Test
  void xattrNameWithEqualsSignRoundTrips() {
    NodeMetadata m = new NodeMetadata(EntryKind.FILE, 3, 0644, T, T, Optional.empty(),
        Map.of("user.a=b", "xyz".getBytes(StandardCharsets.UTF_8), "user.c", new byte[0]));
    List<EntryChange> changes = List.of(
        new EntryChange.Put("f", Optional.of(WebApiGoldenTest.FILE), m));
    List<EntryChange> back = EntryLines.parseChanges(EntryLines.changes(changes));
    NodeMetadata got = ((EntryChange.Put) back.get(0)).metadata();
    assertThat(got.xattrs()).containsOnlyKeys("user.a=b", "user.c");
    assertThat(got.xattrs().get("user.a=b")).isEqualTo("xyz".getBytes(StandardCharsets.UTF_8));
    RemoteEntry listed = EntryLines.parseEntries(EntryLines.entries(
        List.of(new RemoteEntry("f", Optional.of(WebApiGoldenTest.FILE), m)))).get(0);
    assertThat(listed.metadata().xattrs()).containsOnlyKeys("user.a=b", "user.c");
  }

  @Test
  void changesLayout() {
    List<EntryChange> changes = List.of(
        new EntryChange.Put("n\n", Optional.of(WebApiGoldenTest.FILE),
            NodeMetadata.of(EntryKind.FILE, 5, 0644, U, U)),
        new EntryChange.Remove("old name"));
    String doc = EntryLines.changes(changes);
    assertThat(doc).isEqualTo("cairn-entries 1\n"
        + "put n%0A " + WebApiGoldenTest.FILE + " file 5 644 2026-03-04T05:06:08Z "
        + "2026-03-04T05:06:08Z - -\n"
        + "remove old%20name\n");
    assertThat(EntryLines.parseChanges(doc)).isEqualTo(changes);
    assertThat(EntryLines.parseChanges("cairn-entries 1\n")).isEmpty();
  }

  @Test
  void specialFilesAndADevicesNumber() {
    List<EntryChange> changes = List.of(
        new EntryChange.Put("null", Optional.empty(), new NodeMetadata(EntryKind.CHAR_DEVICE,
            0, 0666, U, U, Optional.empty(), Map.of(), 259)),
        new EntryChange.Put("p", Optional.empty(), new NodeMetadata(EntryKind.FIFO, 0, 0644,
            U, U, Optional.empty(), Map.of())),
        new EntryChange.Put("s", Optional.empty(), new NodeMetadata(EntryKind.SOCKET, 0, 0755,
            U, U, Optional.empty(), Map.of())),
        new EntryChange.Put("b", Optional.empty(), new NodeMetadata(EntryKind.BLOCK_DEVICE, 0,
            0660, U, U, Optional.empty(), Map.of(), 0)));
    String doc = EntryLines.changes(changes);
    assertThat(doc).isEqualTo("cairn-entries 1\n"
        + "put null - char-device 0 666 2026-03-04T05:06:08Z 2026-03-04T05:06:08Z - - 259\n"
        + "put p - fifo 0 644 2026-03-04T05:06:08Z 2026-03-04T05:06:08Z - -\n"
        + "put s - socket 0 755 2026-03-04T05:06:08Z 2026-03-04T05:06:08Z - -\n"
        + "put b - block-device 0 660 2026-03-04T05:06:08Z 2026-03-04T05:06:08Z - - 0\n");
    assertThat(EntryLines.parseChanges(doc)).isEqualTo(changes);
    // the tenth field belongs to devices only, and a device needs it
    assertThatThrownBy(() -> EntryLines.parseChanges("cairn-entries 1\nput p - fifo 0 644 "
        + "2026-03-04T05:06:08Z 2026-03-04T05:06:08Z - - 3\n")).hasMessageContaining("line 2");
    assertThatThrownBy(() -> EntryLines.parseChanges("cairn-entries 1\nput c - char-device 0 "
        + "644 2026-03-04T05:06:08Z 2026-03-04T05:06:08Z - -\n"))
        .hasMessageContaining("device number");
  }

  @Test
  void malformedDocumentsNameTheLine() {
    assertThatThrownBy(() -> EntryLines.parseChanges("cairn-entries 2\n"))
        .hasMessageContaining("line 1").hasMessageContaining("header");
    assertThatThrownBy(() -> EntryLines.parseChanges("cairn-entries 1\nremove\n"))
        .hasMessageContaining("line 2");
    assertThatThrownBy(() -> EntryLines.parseChanges("cairn-entries 1\nput a - file x 644 "
        + "2026-03-04T05:06:08Z 2026-03-04T05:06:08Z - -\n")).hasMessageContaining("line 2");
    assertThatThrownBy(() -> EntryLines.parseChanges("cairn-entries 1\nput a - file 1 644 "
        + "2026-03-04T05:06:08Z 2026-03-04T05:06:08Z tgt -\n"))
        .hasMessageContaining("symlink");
    assertThatThrownBy(() -> EntryLines.parseChanges("cairn-entries 1\nremove a%4\n"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> EntryLines.parseChanges("cairn-entries 1\nremove a\tb\n"))
        .hasMessageContaining("unescaped");
    assertThatThrownBy(() -> EntryLines.parseEntries("cairn-entries 1\nput a\n"))
        .hasMessageContaining("line 2");
  }
}
