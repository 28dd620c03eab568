package org.cairnfs.caps;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Format/parse identity over arbitrary caps, and total behaviour over arbitrary strings. */
class CapPropertiesTest {
  @Provide
  Arbitrary<Cap> validCaps() {
    return CapSamples.caps();
  }

  @Property(tries = 500)
  void formatThenParseIsIdentity(@ForAll("validCaps") Cap cap) {
    String text = cap.toString();

    Cap parsed = Cap.parse(text);

    assertThat(parsed).isEqualTo(cap);
    assertThat(parsed.toString()).isEqualTo(text);
    assertThat(text.length()).isLessThanOrEqualTo(CapParser.MAX_LENGTH);
  }

  @Property(tries = 500)
  void diminishedCapsRoundTripToo(@ForAll("validCaps") Cap cap) {
    Cap read = cap.readOnly();

    assertThat(Cap.parse(read.toString())).isEqualTo(read);
    cap.verifyCap().ifPresent(v -> assertThat(Cap.parse(v.toString())).isEqualTo(v));
  }

  @Provide
  Arbitrary<String> anyStrings() {
    Arbitrary<String> noise = Arbitraries.strings().withChars("cairn:lithkmuvdo-0123456789=A é")
        .ofMaxLength(200);
    Arbitrary<String> prefixed = noise.map(s -> "cairn:" + s);
    Arbitrary<String> unicode = Arbitraries.strings().all().ofMaxLength(100);
    return Arbitraries.oneOf(noise, prefixed, unicode, mutatedCaps(), mutatedCaps());
  }

  /** Valid cap strings with one edit: delete, replace, insert a character, or cut short. */
  static Arbitrary<String> mutatedCaps() {
    Arbitrary<Character> chars = Arbitraries.of(
        'a', 'z', '2', '7', '0', '1', '8', '9', ':', '=', 'A', '-', ' ', '\u00e9', '\u0000');
    return Combinators.combine(CapSamples.caps().map(Cap::toString),
            Arbitraries.integers().between(0, 3), Arbitraries.doubles().between(0, 1), chars)
        .as((text, op, where, c) -> {
          int at = (int) (where * text.length());
          return switch (op) {
            case 0 -> at < text.length() ? text.substring(0, at) + text.substring(at + 1) : text;
            case 1 -> at < text.length() ? text.substring(0, at) + c + text.substring(at + 1)
                : text + c;
            case 2 -> text.substring(0, at) + c + text.substring(at);
            default -> text.substring(0, at);
          };
        });
  }

  @Property(tries = 2000)
  void anyStringParsesCanonicallyOrFailsWithCapFormatException(
      @ForAll("anyStrings") String text) {
    Cap cap;
    try {
      cap = Cap.parse(text);
    } catch (CapFormatException e) {
      assertThat(e.getMessage()).isNotBlank();
      return;
    }
    assertThat(cap.toString()).isEqualTo(text);
  }
}
