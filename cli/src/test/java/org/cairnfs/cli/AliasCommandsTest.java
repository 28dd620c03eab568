package org.cairnfs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.cairnfs.caps.Cap;
import org.cairnfs.fs.mount.MemoryGrid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The alias commands, in-process over a grid in memory. */
class AliasCommandsTest {
  @TempDir
  Path dir;

  @Test
  void createAliasMakesAnEmptyDirectoryOnTheGrid() throws Exception {
    VerbFixture f = new VerbFixture(dir);
    assertThat(f.run("create-alias", "home")).isZero();
    String cap = Aliases.load(f.node).get("home").orElseThrow();
    assertThat(Cap.parse(cap).isWritable()).isTrue();
    assertThat(f.grid.entries(cap)).isEmpty();
    assertThat(f.grid.list(cap).get()).isEmpty();
    assertThat(f.run("create-alias", "home")).isEqualTo(ExitCode.USAGE.code);
    assertThat(f.err()).contains("alias 'home' already exists");
  }

  @Test
  void addAndListAliases() throws Exception {
    VerbFixture f = new VerbFixture(dir);
    String cap = f.grid.newRoot();
    assertThat(f.run("add-alias", "w", cap)).isZero();
    assertThat(f.run("list-aliases")).isZero();
    assertThat(f.out()).isEqualTo("w: " + cap + "\n");
    assertThat(f.run("list-aliases", "--readonly")).isZero();
    assertThat(f.out()).isEqualTo("w: " + Cap.parse(cap).readOnly() + "\n");
  }

  @Test
  void addAliasRefusesBadInputWithUsage() throws Exception {
    VerbFixture f = new VerbFixture(dir);
    assertThat(f.run("add-alias", "x", "cairn:lit:nbswy3dp")).isEqualTo(ExitCode.USAGE.code);
    assertThat(f.err()).contains("not a directory");
    assertThat(f.run("add-alias", "a:b", f.grid.newRoot())).isEqualTo(ExitCode.USAGE.code);
    assertThat(f.err()).contains("bad alias name 'a:b'");
    assertThat(Files.exists(f.node.resolve("private/aliases"))).isFalse();
  }

  @Test
  void malformedAliasesFileIsAConfigError() throws Exception {
    VerbFixture f = new VerbFixture(dir);
    Files.createDirectories(f.node.resolve("private"));
    Files.writeString(f.node.resolve("private/aliases"), "oops\n");
    assertThat(f.run("list-aliases")).isEqualTo(ExitCode.CONFIG.code);
    assertThat(f.err()).contains("aliases:1:");
  }

  @Test
  void noNodeIsAUsageError() {
    VerbFixture f = new VerbFixture(dir, MemoryGrid.inMemory());
    assertThat(f.runIn(dir.resolve("none"), "list-aliases")).isEqualTo(ExitCode.USAGE.code);
    assertThat(f.err()).contains("no node in");
  }
}
