package org.cairnfs.fs.health;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The deep check's one line for people. */
class DeepCheckSummaryTest {
  @Test
  void objectsThatCouldNotBeCheckedAreNamedOnlyWhenThereAreAny() {
    DeepCheckSummary clean = new DeepCheckSummary(5, 4, 1, 1, 0, 0);
    assertThat(clean.format()).isEqualTo(
        "5 objects checked: 4 healthy, 1 not healthy, 1 repaired, 0 unrecoverable");
    assertThat(clean).hasToString(clean.format());
    DeepCheckSummary failing = new DeepCheckSummary(3, 1, 2, 0, 1, 2);
    assertThat(failing.format()).isEqualTo("3 objects checked: 1 healthy, 2 not healthy, "
        + "0 repaired, 1 unrecoverable, 2 could not be checked");
    assertThat(failing).hasToString(failing.format());
  }
}
