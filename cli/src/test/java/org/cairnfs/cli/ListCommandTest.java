package org.cairnfs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.cairnfs.caps.dirnode.EntryKind;
import org.cairnfs.fs.mount.NodeMetadata;
import org.cairnfs.fs.mount.RemoteEntry;
import org.junit.jupiter.api.Test;

/** How `cairn ls` shows FIFOs, sockets and devices: type letters, kind names, device numbers. */
class ListCommandTest {
  static final Instant T = Instant.parse("2026-03-04T05:06:07Z");

  static RemoteEntry special(String name, EntryKind kind, long rdev) {
    return new RemoteEntry(name, Optional.empty(), new NodeMetadata(kind, 0, 0640, T, T,
        Optional.empty(), Map.of(), rdev));
  }

  @Test
  void specialFilesHaveTheirTypeLetterKindNameAndDeviceNumber() {
    assertThat(ListCommand.modeString(special("p", EntryKind.FIFO, 0).metadata()))
        .isEqualTo("prw-r-----");
    assertThat(ListCommand.modeString(special("s", EntryKind.SOCKET, 0).metadata()))
        .startsWith("s");
    assertThat(ListCommand.modeString(special("b", EntryKind.BLOCK_DEVICE, 0).metadata()))
        .startsWith("b");
    String json = ListCommand.json(special("null", EntryKind.CHAR_DEVICE, 259));
    assertThat(json).contains("\"kind\": \"char-device\"").contains("\"rdev\": 259")
        .doesNotContain("readCap");
    assertThat(ListCommand.json(special("p", EntryKind.FIFO, 0))).contains("\"kind\": \"fifo\"")
        .doesNotContain("rdev");
  }
}
