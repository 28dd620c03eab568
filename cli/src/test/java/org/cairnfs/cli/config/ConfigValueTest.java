package org.cairnfs.cli.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Values written to cairn.cfg read back exactly, or are refused. */
class ConfigValueTest {
  @TempDir
  Path dir;

  @Property(tries = 500)
  void everyWritableValueReadsBack(@ForAll("values") String value) {
    assertThat(ConfigValue.parse(" " + ConfigValue.format(value) + "   # comment")).isEqualTo(value);
  }

  @Provide
  Arbitrary<String> values() {
    return Arbitraries.strings().withChars("#\"\\ ab/é=[];,").ofMaxLength(12)
        .injectDuplicates(0.1);
  }

  @Test
  void hashInsideAValueIsKeptAndAHashAfterASpaceIsAComment() {
    assertThat(ConfigValue.parse(" /data/disk#2")).isEqualTo("/data/disk#2");
    assertThat(ConfigValue.parse(" 4600  # pinned")).isEqualTo("4600");
    assertThat(ConfigValue.parse(" \"alice #1\" # quoted")).isEqualTo("alice #1");
    assertThat(ConfigValue.format("alice#1")).isEqualTo("\"alice#1\"");
    assertThat(ConfigValue.format("plain")).isEqualTo("plain");
  }

  @Test
  void controlCharactersAreRefusedWhenWriting() {
    assertThatThrownBy(() -> ConfigValue.format("a\nb")).hasMessageContaining("line break");
    assertThatThrownBy(() -> ConfigValue.format("a\u0007")).hasMessageContaining("U+0007");
  }

  @Test
  void malformedQuotesNameTheFault() {
    assertThatThrownBy(() -> ConfigValue.parse("\"open")).hasMessageContaining("no closing");
    assertThatThrownBy(() -> ConfigValue.parse("\"a\" b")).hasMessageContaining("after the closing");
    assertThatThrownBy(() -> ConfigValue.parse("\"a\\x\"")).hasMessageContaining("\\\\");
  }

  @Test
  void aByteOrderMarkIsIgnoredAndInvisibleCharactersAreShown() throws Exception {
    Path f = dir.resolve("cairn.cfg");
    Files.write(f, ("\uFEFF[node]\nport = 7\n").getBytes(StandardCharsets.UTF_8));
    assertThat(ConfigFile.read(f, Set.of("node.port")).getPort("node.port", 0)).isEqualTo(7);
    Files.writeString(f, "[node]\n\u200B\n");
    assertThatThrownBy(() -> ConfigFile.read(f, Set.of("node.port")))
        .hasMessageContaining("got 'U+200B'");
  }

  @Test
  void editKeepsCommentsAndOtherLinesAndRoundTrips() throws Exception {
    Path f = dir.resolve("cairn.cfg");
    Files.writeString(f, "# top\n[node]\nport = 1  # pinned\nnickname = a\n");
    ConfigEdit.set(f, Set.of("node.port", "node.nickname", "storage.dir"),
        Map.of("node.port", "2", "storage.dir", "/d#1"));
    String text = Files.readString(f);
    assertThat(text).startsWith("# top\n[node]\nport = 2\nnickname = a\n").contains("[storage]");
    ConfigFile c = ConfigFile.read(f, Set.of("node.port", "node.nickname", "storage.dir"));
    assertThat(c.getString("storage.dir", "")).isEqualTo("/d#1");
  }
}
