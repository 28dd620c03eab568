package org.cairnfs.storage.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ByteSizeTest {
  @ParameterizedTest
  @CsvSource({
    "4096, 4096", "10k, 10240", "10K, 10240", "500M, 524288000", "200G, 214748364800",
    "1.5T, 1649267441664", "1.5k, 1536", "1.5KiB, 1536", "1.5KB, 1536", "2P, 2251799813685248",
    "' 7G ', 7516192768", "0, 0", "1.1k, 1126", "12B, 12", "12b, 12", "3MIB, 3145728",
    "3mib, 3145728", "9223372036854775807, 9223372036854775807"})
  void parses(String text, long bytes) {
    assertThat(ByteSize.parse(text)).isEqualTo(bytes);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "G", "-5G", "1.2.3M", "5X", "5 G", "1e9", "iB", "5iB", "9000000P"})
  void rejectsWithTheTextQuoted(String text) {
    assertThatThrownBy(() -> ByteSize.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("\"" + text + "\"");
  }

  @Test
  void formatsRoundValues() {
    assertThat(ByteSize.format(1536)).isEqualTo("1.5K");
    assertThat(ByteSize.format(200L << 30)).isEqualTo("200G");
    assertThat(ByteSize.format(12)).isEqualTo("12B");
  }

  @Test
  void saysWhatIsWrong() {
    assertThatThrownBy(() -> ByteSize.parse(null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("size is missing");
    assertThatThrownBy(() -> ByteSize.parse("G")).hasMessageContaining("no number before the unit");
    assertThatThrownBy(() -> ByteSize.parse("9223372036854775808"))
        .hasMessageContaining("more than 9223372036854775807 bytes");
  }

  @Test
  void formatsHugeValuesInTheLargestUnit() {
    assertThat(ByteSize.format(1L << 60)).isEqualTo("1024P");
    assertThat(ByteSize.format(1023)).isEqualTo("1023B");
    assertThat(ByteSize.format(1024)).isEqualTo("1K");
    assertThat(ByteSize.format(1L << 50)).isEqualTo("1P");
  }
}
