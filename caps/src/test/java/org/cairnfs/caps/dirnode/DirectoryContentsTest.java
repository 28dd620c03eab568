package org.cairnfs.caps.dirnode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DirectoryContentsTest {
  @Test
  void putReplacesByNameAndRemoveDeletes() {
    DirectoryContents.Builder b = DirectoryContents.builder()
        .put(Fixtures.file("x", "cairn:a:1"))
        .put(Fixtures.file("y", "cairn:a:2"))
        .put(Fixtures.file("x", "cairn:a:3"));
    assertThat(b.size()).isEqualTo(2);
    assertThat(b.remove(EntryName.of("y"))).isTrue();
    assertThat(b.remove(EntryName.of("y"))).isFalse();
    DirectoryContents d = b.build();
    assertThat(d.get(EntryName.of("x")).orElseThrow().readCap()).contains("cairn:a:3");
    assertThat(d.get(EntryName.of("y"))).isEmpty();
  }

  @Test
  void lookupFindsEveryEntryAndNoOther() {
    DirectoryContents.Builder b = DirectoryContents.builder();
    for (int i = 0; i < 1000; i += 2) {
      b.put(Fixtures.file("n" + i, "cairn:a:" + i));
    }
    DirectoryContents d = b.build();
    for (int i = 0; i < 1000; i++) {
      assertThat(d.get(EntryName.of("n" + i)).isPresent()).isEqualTo(i % 2 == 0);
    }
  }

  @Test
  void toBuilderLeavesTheOriginalUnchanged() {
    DirectoryContents d = DirectoryContents.builder().put(Fixtures.file("x", "cairn:a:1")).build();
    DirectoryContents e = d.toBuilder().put(Fixtures.file("z", "cairn:a:2")).build();
    assertThat(d.size()).isEqualTo(1);
    assertThat(e.size()).isEqualTo(2);
    assertThatThrownBy(() -> e.entries().clear())
        .isInstanceOf(UnsupportedOperationException.class);
  }
}
