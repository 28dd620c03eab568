package org.cairnfs.cli.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigFileTest {
  static final Set<String> SCHEMA = Set.of("node.port", "node.nickname", "storage.gc");

  @TempDir
  Path dir;

  private ConfigFile read(String text) throws Exception {
    Path f = dir.resolve("cairn.cfg");
    Files.writeString(f, text);
    return ConfigFile.read(f, SCHEMA);
  }

  @Test
  void readsSectionsValuesAndComments() throws Exception {
    ConfigFile c = read("# top\n[node]\nnickname = alice  # trailing\nport=7\n\n[storage]\ngc = yes\n");
    assertThat(c.getString("node.nickname", "x")).isEqualTo("alice");
    assertThat(c.getPort("node.port", 0)).isEqualTo(7);
    assertThat(c.getBoolean("storage.gc", false)).isTrue();
    assertThat(c.get("node.nickname").orElseThrow().line()).isEqualTo(3);
  }

  @Test
  void missingKeysFallBack() throws Exception {
    ConfigFile c = read("[node]\n");
    assertThat(c.getPort("node.port", 42)).isEqualTo(42);
    assertThat(c.getString("node.nickname", "n")).isEqualTo("n");
  }

  @Test
  void unknownKeyNamesFileLineAndKnownKeys() {
    assertThatThrownBy(() -> read("[node]\nnickname = a\nprot = 5\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("cairn.cfg:3")
        .hasMessageContaining("unknown key 'node.prot'")
        .hasMessageContaining("node.port");
  }

  @Test
  void repeatedKeyIsRefused() {
    assertThatThrownBy(() -> read("[node]\nport = 1\nport = 2\n"))
        .hasMessageContaining(":3").hasMessageContaining("set twice (first on line 2)");
  }

  @Test
  void syntaxErrorsNameTheLine() {
    assertThatThrownBy(() -> read("[node\n")).hasMessageContaining(":1: bad section header");
    assertThatThrownBy(() -> read("[node]\njust words\n"))
        .hasMessageContaining(":2: expected 'key = value'");
    assertThatThrownBy(() -> read("port = 1\n")).hasMessageContaining("outside any section");
  }

  @Test
  void badValuesNameTheKeyAndLine() throws Exception {
    ConfigFile c = read("[node]\nport = 70000\n[storage]\ngc = maybe\n");
    assertThatThrownBy(() -> c.getPort("node.port", 0))
        .hasMessageContaining(":2").hasMessageContaining("port 0-65535");
    assertThatThrownBy(() -> c.getBoolean("storage.gc", false))
        .hasMessageContaining(":4").hasMessageContaining("true or false");
  }

  @Test
  void missingFileSaysHowToCreateOne() {
    assertThatThrownBy(() -> ConfigFile.read(dir.resolve("nope.cfg"), SCHEMA))
        .isInstanceOf(ConfigException.class).hasMessageContaining("cairn create-node");
  }
}
