package org.cairnfs.caps;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Feeds arbitrary strings to {@link Cap#parse}. Only {@link CapFormatException} may escape; a
 * string that parses must be canonical and its string form must parse to an equal cap.
 *
 * <p>Without JAZZER_FUZZ it replays the seeds in {@code CapParseFuzzTestInputs/parse/} under the
 * normal build; with JAZZER_FUZZ=1 it fuzzes.
 */
class CapParseFuzzTest {
  @FuzzTest(maxDuration = "60s")
  void parse(FuzzedDataProvider data) {
    String text = data.consumeRemainingAsString();
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
