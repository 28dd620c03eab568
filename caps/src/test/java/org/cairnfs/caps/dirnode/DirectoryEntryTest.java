package org.cairnfs.caps.dirnode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class DirectoryEntryTest {
  private final EntryMetadata fileMeta =
      EntryMetadata.of(EntryKind.FILE, 1, 0600, Fixtures.MTIME, Fixtures.CTIME);

  @Test
  void capsMustLookLikeCaps() {
    EntryName n = EntryName.of("f");
    assertThatThrownBy(() -> DirectoryEntry.of(n, "URI:CHK:x", Optional.empty(), fileMeta))
        .hasMessageContaining("does not look like a cap");
    assertThatThrownBy(() -> DirectoryEntry.of(n, "cairn:a b", Optional.empty(), fileMeta))
        .hasMessageContaining("index 7");
    assertThatThrownBy(() -> DirectoryEntry.of(n, "cairn:" + "a".repeat(2043),
        Optional.empty(), fileMeta)).hasMessageContaining("2049");
  }

  @Test
  void symlinksCarryATargetAndNoCaps() {
    assertThatThrownBy(() -> EntryMetadata.of(EntryKind.SYMLINK, 0, 0777, Fixtures.MTIME,
        Fixtures.CTIME)).hasMessageContaining("needs a target");
    EntryMetadata link = EntryMetadata.symlink("../x", 0777, Fixtures.MTIME, Fixtures.CTIME);
    assertThat(link.size()).isEqualTo(4);
    assertThatThrownBy(() -> DirectoryEntry.of(EntryName.of("l"), "cairn:a:1",
        Optional.empty(), link)).hasMessageContaining("symlink carries no cap");
    assertThatThrownBy(() -> EntryMetadata.symlink("a\0b", 0777, Fixtures.MTIME,
        Fixtures.CTIME)).hasMessageContaining("NUL");
  }

  @Test
  void metadataRangesAreChecked() {
    assertThatThrownBy(() -> EntryMetadata.of(EntryKind.FILE, -1, 0, Fixtures.MTIME,
        Fixtures.CTIME)).hasMessageContaining("size");
    assertThatThrownBy(() -> EntryMetadata.of(EntryKind.FILE, 0, 010000, Fixtures.MTIME,
        Fixtures.CTIME)).hasMessageContaining("mode");
  }
}
