package org.cairnfs.caps;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Feeds arbitrary strings to {@link Cap#parse}. Only {@link CapFormatException} may escape; a
 * string that parses must be canonical and its string form must parse to an equal cap.
 *
 * <p>Without JAZZER_FUZZ it replays the seeds in {@code CapParseFuzzTestInputs/parse/} (each file
 * is a cap string, valid or malformed) under the normal build; with JAZZER_FUZZ=1 it fuzzes:
 * {@code JAZZER_FUZZ=1 mvn -pl caps -am test -Dtest=CapParseFuzzTest}.
 */
class CapParseFuzzTest {
  @FuzzTest(maxDuration = "60s")
  void parse(FuzzedDataProvider data) {
    // UTF-8 so that each seed file is literally the cap string it tests.
    String text = new String(data.consumeRemainingAsBytes(), StandardCharsets.UTF_8);
    Cap cap;
    try {
      cap = Cap.parse(text);
    } catch (CapFormatException expected) {
      assertThat(expected.getMessage()).isNotBlank();
      return;
    }
    String formatted = cap.toString();
    assertThat(formatted).isEqualTo(text);
    assertThat(Cap.parse(formatted)).isEqualTo(cap);
  }
}
