package org.cairnfs.caps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class Base32Test {
  @Nested
  class Encode {
    /** RFC 4648 section 10 vectors, lower-cased and without padding. */
    @ParameterizedTest
    @CsvSource({"'',''", "f,my", "fo,mzxq", "foo,mzxw6", "foob,mzxw6yq", "fooba,mzxw6ytb",
        "foobar,mzxw6ytboi"})
    void matchesRfc4648Vectors(String plain, String encoded) {
      assertThat(Base32.encode(plain.getBytes(StandardCharsets.US_ASCII))).isEqualTo(encoded);
      assertThat(Base32.decode(encoded)).isEqualTo(plain.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void encodedLengthMatchesOutput() {
      for (int n = 0; n < 40; n++) {
        assertThat(Base32.encode(new byte[n])).hasSize(Base32.encodedLength(n));
      }
      assertThat(Base32.encodedLength(32)).isEqualTo(52);
      assertThat(Base32.encodedLength(16)).isEqualTo(26);
    }
  }

  @Property(tries = 300)
  void decodeInvertsEncode(@ForAll byte[] data) {
    String text = Base32.encode(data);

    assertThat(Base32.decode(text)).isEqualTo(data);
    assertThat(text).hasSize(Base32.encodedLength(data.length)).matches("[a-z2-7]*");
  }

  @Nested
  class Decode {
    @Test
    void rejectsUpperCase() {
      assertThatThrownBy(() -> Base32.decode("MZXW6"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("bad base32 character 'M' at position 0");
    }

    @Test
    void rejectsPadding() {
      assertThatThrownBy(() -> Base32.decode("mzxw6==="))
          .hasMessage("bad base32 character '=' at position 5");
    }

    @ParameterizedTest
    @ValueSource(strings = {"mzx0", "mzx1", "mzx8", "mzx9", "mzx-", "mzx ", "mzx\u00e9"})
    void rejectsCharactersOutsideTheAlphabet(String text) {
      assertThatThrownBy(() -> Base32.decode(text))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("bad base32 character")
          .hasMessageContaining("at position 3");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 6, 9, 11, 14})
    void rejectsImpossibleLengths(int length) {
      assertThatThrownBy(() -> Base32.decode("a".repeat(length)))
          .hasMessage("base32 text of length " + length + " is impossible");
    }

    @ParameterizedTest
    @ValueSource(strings = {"mz", "mzxr", "mzxw7", "mzxw6yr", "mzxw6ytboj"})
    void rejectsNonZeroTrailingBits(String text) {
      assertThatThrownBy(() -> Base32.decode(text))
          .hasMessage("base32 text has non-zero trailing bits");
    }

    @Test
    void rangeDecodeReportsPositionsInTheWholeText() {
      assertThat(Base32.decode("xx:mzxw6:yy", 3, 8)).isEqualTo("foo".getBytes(
          StandardCharsets.US_ASCII));
      assertThatThrownBy(() -> Base32.decode("xx:mzXw6:yy", 3, 8))
          .hasMessage("bad base32 character 'X' at position 5");
    }
  }
}
