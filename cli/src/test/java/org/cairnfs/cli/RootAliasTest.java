package org.cairnfs.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.cairnfs.caps.Cap;
import org.cairnfs.fs.mount.MemoryGrid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which directory {@code cairn mount} and {@code cairn demo} mount. */
class RootAliasTest {
  @TempDir
  Path node;
  final MemoryGrid grid = MemoryGrid.inMemory();

  @Test
  void withNothingNamedTheRootAliasIsCreatedOnceAndKept() throws Exception {
    String first = RootAlias.resolve(node, grid, null);
    assertThat(Cap.parse(first).isDirectory()).isTrue();
    assertThat(Cap.parse(first).isWritable()).isTrue();
    assertThat(Aliases.load(node).get(RootAlias.DEFAULT)).contains(first);
    assertThat(RootAlias.resolve(node, grid, null)).as("kept, not created again").isEqualTo(first);
    assertThat(RootAlias.resolve(node, grid, "root:")).isEqualTo(first);
  }

  @Test
  void aCapIsTakenAsIsAndAnUnknownAliasIsAUsageErrorNamingTheKnownOnes() throws Exception {
    String dir = grid.newRoot();
    String readCap = Cap.parse(dir).readOnly().toString();
    assertThat(RootAlias.resolve(node, grid, readCap)).isEqualTo(readCap);
    Aliases.load(node).put("photos", dir);
    assertThat(RootAlias.resolve(node, grid, "photos")).isEqualTo(dir);
    assertThatThrownBy(() -> RootAlias.resolve(node, grid, "music"))
        .isInstanceOf(CliException.class).hasMessageContaining("no alias 'music'")
        .hasMessageContaining("it has: photos");
    assertThat(Aliases.load(node).get("music")).isEmpty();
  }
}
