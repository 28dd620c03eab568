package org.cairnfs.caps.dirnode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EntryNameTest {
  @Test
  void normalizesToNfcSoMacAndLinuxSpellingsAreOneName() {
    EntryName decomposed = EntryName.of("Cafe\u0301");
    EntryName composed = EntryName.of("Caf\u00e9");
    assertThat(decomposed).isEqualTo(composed);
    assertThat(decomposed.text()).isEqualTo("Caf\u00e9");
    assertThat(decomposed.utf8()).isEqualTo("Caf\u00e9".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void storedBytesMustAlreadyBeNfc() {
    byte[] nfd = "Cafe\u0301".getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> EntryName.fromStored(nfd))
        .isInstanceOf(DirectoryFormatException.class).hasMessageContaining("not NFC");
    assertThatThrownBy(() -> EntryName.fromStored(new byte[] {(byte) 0xc3}))
        .isInstanceOf(DirectoryFormatException.class).hasMessageContaining("UTF-8");
  }

  @Test
  void rejectsForbiddenNames() {
    assertThatThrownBy(() -> EntryName.of("")).hasMessageContaining("empty");
    assertThatThrownBy(() -> EntryName.of(".")).hasMessageContaining("\".\"");
    assertThatThrownBy(() -> EntryName.of("..")).hasMessageContaining("\"..\"");
    assertThatThrownBy(() -> EntryName.of("a/b")).hasMessageContaining("'/'");
    assertThatThrownBy(() -> EntryName.of("a\0b")).hasMessageContaining("NUL");
    assertThatThrownBy(() -> EntryName.of("x".repeat(256))).hasMessageContaining("256");
    assertThatThrownBy(() -> EntryName.of("bad\ud800")).hasMessageContaining("surrogate");
    assertThat(EntryName.of("x".repeat(255)).utf8()).hasSize(255);
    assertThat(EntryName.of("...").text()).isEqualTo("...");
  }

  @Test
  void multiByteNamesAreLimitedInBytesNotCharacters() {
    assertThat(EntryName.of("\u00e9".repeat(127)).utf8()).hasSize(254);
    assertThatThrownBy(() -> EntryName.of("\u00e9".repeat(128)))
        .isInstanceOf(DirectoryFormatException.class).hasMessageContaining("256 UTF-8 bytes");
  }

  @Test
  void ordersByUnsignedUtf8Bytes() {
    // U+00E9 (0xC3 0xA9) sorts after 'z' (0x7A) in byte order.
    assertThat(EntryName.of("z").compareTo(EntryName.of("\u00e9"))).isNegative();
    assertThat(EntryName.of("B").compareTo(EntryName.of("a"))).isNegative();
  }
}
