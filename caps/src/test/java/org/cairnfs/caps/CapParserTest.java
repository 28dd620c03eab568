package org.cairnfs.caps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CapParserTest {
  private static final String KEY = Base32.encode(CapSamples.bytes(32, 1));
  private static final String HASH = Base32.encode(CapSamples.bytes(32, 90));
  private static final String SI = Base32.encode(CapSamples.bytes(16, 3));

  static Stream<Cap> everyKind() {
    return CapSamples.oneOfEachKind().stream();
  }

  @Nested
  class RoundTrip {
    @ParameterizedTest
    @MethodSource("org.cairnfs.caps.CapParserTest#everyKind")
    void everyKindParsesBackToAnEqualCapAndTheSameString(Cap cap) {
      String text = cap.toString();

      Cap parsed = Cap.parse(text);

      assertThat(parsed).isEqualTo(cap).hasSameClassAs(cap);
      assertThat(parsed.toString()).isEqualTo(text);
    }

    @Test
    void emptyLiteralIsTheBarePrefix() {
      Cap cap = Cap.parse("cairn:lit:");

      assertThat(cap).isEqualTo(new LiteralCap(new byte[0]));
      assertThat(cap.toString()).isEqualTo("cairn:lit:");
    }

    @Test
    void fullSizeLiteralRoundTrips() {
      String text = new LiteralCap(CapSamples.bytes(LiteralCap.MAX_SIZE, 0)).toString();

      assertThat(Cap.parse(text).toString()).isEqualTo(text);
    }

    @Test
    void extremeParametersRoundTrip() {
      String text = "cairn:chk:" + KEY + ":" + HASH + ":256:256:9223372036854775807";

      assertThat(Cap.parse(text).toString()).isEqualTo(text);
      assertThat(Cap.parse("cairn:chk-v:" + SI + ":" + HASH + ":1:1:0").toString())
          .isEqualTo("cairn:chk-v:" + SI + ":" + HASH + ":1:1:0");
    }
  }

  @Nested
  class UnknownKinds {
    @Test
    void unknownKindIsKeptVerbatim() {
      String text = "cairn:future-thing.2:anything:AT-ALL=;";

      Cap cap = Cap.parse(text);

      assertThat(cap).isInstanceOf(UnknownCap.class);
      assertThat(((UnknownCap) cap).kind()).isEqualTo("future-thing.2");
      assertThat(cap.toString()).isEqualTo(text);
      assertThat(cap.storageIndex()).isEmpty();
      assertThat(cap.verifyCap()).isEmpty();
    }

    @Test
    void unknownKindWithoutFieldsIsKept() {
      assertThat(Cap.parse("cairn:zz9").toString()).isEqualTo("cairn:zz9");
    }

    @Test
    void unknownKindWithWhitespaceIsRejected() {
      assertThatThrownBy(() -> Cap.parse("cairn:future:a b"))
          .isInstanceOf(CapFormatException.class)
          .hasMessageContaining("bad character ' ' at position 14");
    }

    @Test
    void knownKindCannotBeWrappedAsUnknown() {
      assertThatThrownBy(() -> new UnknownCap("cairn:mut-ro:x"))
          .isInstanceOf(CapFormatException.class)
          .hasMessageContaining("kind 'mut-ro' is known");
    }
  }

  static Stream<Arguments> malformed() {
    String chk = "cairn:chk:" + KEY + ":" + HASH + ":";
    String longLiteral = "a".repeat(89);
    return Stream.of(
        Arguments.of("", "not a Cairn cap"),
        Arguments.of("URI:CHK:" + KEY, "not a Cairn cap"),
        Arguments.of("CAIRN:lit:", "not a Cairn cap"),
        Arguments.of("cairn", "not a Cairn cap"),
        Arguments.of("cairn:", "cap kind is empty at position 6"),
        Arguments.of("cairn::" + KEY, "cap kind is empty"),
        Arguments.of("cairn:Chk:" + KEY, "bad character 'C' in cap kind at position 6"),
        Arguments.of("cairn:ch_k:" + KEY, "bad character '_' in cap kind at position 8"),
        Arguments.of("cairn:lit:" + "a".repeat(5000),
            "cap string is too long: 5010 characters, the maximum is 4096"),
        Arguments.of("cairn:lit", "cairn:lit cap: missing field 'literal data'"),
        Arguments.of("cairn:lit:nbswy3dp:", "cairn:lit cap: extra field at position 19"),
        Arguments.of("cairn:lit:" + longLiteral,
            "literal data is too long: 89 characters, at most 88 (55 bytes)"),
        Arguments.of("cairn:dir-lit:" + longLiteral, "cairn:dir-lit cap: literal data is too long"),
        Arguments.of("cairn:lit:nbswy3dP", "bad base32 character 'P' at position 17"),
        Arguments.of("cairn:lit:nbswy3dp====", "bad base32 character '=' at position 18"),
        Arguments.of("cairn:lit:mz", "literal data is not canonical base32: base32 text has "
            + "non-zero trailing bits"),
        Arguments.of("cairn:lit:a", "base32 text of length 1 is impossible"),
        Arguments.of("cairn:chk:" + KEY.substring(1) + ":" + HASH + ":3:10:5",
            "cairn:chk cap: key must be 52 base32 characters (32 bytes), got 51"),
        Arguments.of("cairn:chk:" + KEY + ":" + HASH + "a:3:10:5",
            "extension hash must be 52 base32 characters (32 bytes), got 53"),
        Arguments.of("cairn:chk:" + "1" + KEY.substring(1) + ":" + HASH + ":3:10:5",
            "key is not canonical base32: bad base32 character '1' at position 10"),
        Arguments.of("cairn:chk:" + "\u00e9" + KEY.substring(1) + ":" + HASH + ":3:10:5",
            "bad base32 character '\\u00e9' at position 10"),
        Arguments.of(chk + "4:3:5", "k (4) must not exceed n (3)"),
        Arguments.of(chk + "4294967297:10:5", "k (4294967297) must not exceed n (10)"),
        Arguments.of(chk + "0:3:5", "k must be at least 1, got 0"),
        Arguments.of(chk + "0:0:5", "k must be at least 1, got 0"),
        Arguments.of(chk + "3:257:5", "n must be at most 256, got 257"),
        Arguments.of(chk + "03:10:5", "k has a leading zero at position"),
        Arguments.of(chk + "3:10:00", "size has a leading zero"),
        Arguments.of(chk + "3:10:-1", "size is not a decimal number: bad character '-'"),
        Arguments.of(chk + "3:10:+1", "size is not a decimal number: bad character '+'"),
        Arguments.of(chk + "3:1x:5", "n is not a decimal number: bad character 'x'"),
        Arguments.of(chk + "3:10:9223372036854775808", "size overflows"),
        Arguments.of(chk + "3:10:12345678901234567890", "size overflows: 20 digits"),
        Arguments.of(chk + ":10:5", "k is empty"),
        Arguments.of(chk + "3:10", "cairn:chk cap: missing field 'size'"),
        Arguments.of(chk + "3:10:5:", "cairn:chk cap: extra field at position"),
        Arguments.of(chk + "3:10:5:7", "after 'size'"),
        Arguments.of("cairn:chk:" + KEY, "missing field 'extension hash'"),
        Arguments.of("cairn:chk-v:" + SI + "a:" + HASH + ":3:10:5",
            "cairn:chk-v cap: storage index must be 26 base32 characters (16 bytes), got 27"),
        Arguments.of("cairn:dir-chk:" + KEY + ":" + HASH + ":9:8:5",
            "cairn:dir-chk cap: k (9) must not exceed n (8)"),
        Arguments.of("cairn:dir-chk-v:" + SI + ":" + HASH + ":1:300:5",
            "cairn:dir-chk-v cap: n must be at most 256"),
        Arguments.of("cairn:mut:" + KEY.toUpperCase() + ":" + HASH,
            "cairn:mut cap: write key is not canonical base32: bad base32 character 'A'"),
        Arguments.of("cairn:mut:" + KEY, "missing field 'fingerprint'"),
        Arguments.of("cairn:mut-ro:" + KEY, "cairn:mut-ro cap: missing field 'fingerprint'"),
        Arguments.of("cairn:mut-ro:" + KEY + ":" + HASH.substring(2),
            "fingerprint must be 52 base32 characters (32 bytes), got 50"),
        Arguments.of("cairn:mut-v:" + KEY + ":" + HASH,
            "cairn:mut-v cap: extra field at position 65 after 'fingerprint'"),
        Arguments.of("cairn:dir:" + KEY + ":", "cairn:dir cap: fingerprint must be 52"),
        Arguments.of("cairn:dir-ro:" + KEY + "::" + HASH, "fingerprint must be 52"),
        Arguments.of("cairn:dir-v:", "cairn:dir-v cap: fingerprint must be 52"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("malformed")
  void malformedStringIsRejectedNamingTheFault(String text, String fault) {
    assertThatThrownBy(() -> Cap.parse(text))
        .isExactlyInstanceOf(CapFormatException.class)
        .hasMessageContaining(fault);
  }

  @Test
  void faultMessagesNeverEchoKeyMaterial() {
    String text = "cairn:mut:" + KEY + ":" + HASH + "x";

    assertThatThrownBy(() -> Cap.parse(text))
        .hasMessageNotContaining(KEY)
        .hasMessageNotContaining(HASH);
  }

  @Test
  void nullIsRejectedAsMissing() {
    assertThatThrownBy(() -> Cap.parse(null))
        .isInstanceOf(CapFormatException.class)
        .hasMessageContaining("missing");
  }
}
