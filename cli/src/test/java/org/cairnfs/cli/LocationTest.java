package org.cairnfs.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocationTest {
  @TempDir
  Path node;

  Aliases aliases;
  String home;

  @BeforeEach
  void setUp() throws Exception {
    aliases = Aliases.load(node);
    home = AliasesTest.dirCap();
    aliases.put("home", home);
  }

  @Test
  void aliasPaths() {
    GridPath p = Location.grid("home:docs//a.txt/", aliases);
    assertThat(p.rootCap()).isEqualTo(home);
    assertThat(p.names()).containsExactly("docs", "a.txt");
    assertThat(p.toString()).isEqualTo("home:docs/a.txt");
    assertThat(Location.grid("home:", aliases).isRoot()).isTrue();
    assertThat(Location.grid("home:./x", aliases).names()).containsExactly("x");
  }

  @Test
  void capsWithAndWithoutPathAndTheirLabelsHideTheSecret() {
    GridPath p = Location.grid(home + "/a/b", aliases);
    assertThat(p.rootCap()).isEqualTo(home);
    assertThat(p.names()).containsExactly("a", "b");
    assertThat(p.toString()).isEqualTo("cairn:dir:.../a/b");
    assertThat(Location.grid(home, aliases).isRoot()).isTrue();
  }

  @Test
  void localPathsAndStdio() {
    assertThat(Location.parse("-", aliases)).isInstanceOf(Location.Stdio.class);
    assertThat(Location.parse("/tmp/x:y", aliases)).isEqualTo(new Location.Local(Path.of("/tmp/x:y")));
    assertThat(Location.parse("./a:b", aliases)).isEqualTo(new Location.Local(Path.of("./a:b")));
    assertThat(Location.parse("plain", aliases)).isEqualTo(new Location.Local(Path.of("plain")));
  }

  @Test
  void refusals() {
    assertThatThrownBy(() -> Location.parse("nope:x", aliases)).isInstanceOf(CliException.class)
        .hasMessageContaining("unknown alias 'nope'").hasMessageContaining("./nope:x");
    assertThatThrownBy(() -> Location.parse("home:a/../b", aliases))
        .hasMessageContaining("'..' is not allowed");
    assertThatThrownBy(() -> Location.parse("cairn:dir:zzz/a", aliases))
        .isInstanceOf(CliException.class).hasMessageContaining("bad cap cairn:dir:...");
    assertThatThrownBy(() -> Location.grid("local/file", aliases))
        .hasMessageContaining("not a grid path");
    assertThatThrownBy(() -> Location.grid("home:", aliases).name())
        .hasMessageContaining("root");
    // an argument's bytes that are not UTF-8 arrive as U+FFFD: such a name could reach another
    assertThatThrownBy(() -> Location.parse("home:d/x\uFFFD", aliases))
        .isInstanceOf(CliException.class).hasMessageContaining("not valid UTF-8");
  }

  @Test
  void containment() {
    GridPath a = new GridPath(home, "home:", List.of("a"));
    assertThat(a.contains(a.child("b"))).isTrue();
    assertThat(a.contains(new GridPath(home, "home:", List.of("ab")))).isFalse();
    assertThat(a.child("b").contains(a)).isFalse();
  }
}
