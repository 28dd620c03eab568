package org.cairnfs.fs.mount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The checks of a new file version the mount hands the grid, and of its ranges (no grid). */
class FileWriteTest {
  static final FileWrite.Source NONE = (o, d) -> { };
  static final Optional<String> BASE = Optional.of("URI:CHK:base");

  @Test
  void rangesMayTouchEachOtherAndTheEndButNotOverlapOrPassIt() {
    List<FileWrite.Range> ranges = new ArrayList<>(List.of(new FileWrite.Range(0, 5),
        new FileWrite.Range(5, 3), new FileWrite.Range(9, 1)));
    FileWrite w = new FileWrite(Optional.empty(), 0, 10, ranges, NONE);
    assertThat(w.dirtyBytes()).isEqualTo(9);
    ranges.clear();
    assertThat(w.dirty()).as("a copy, not the caller's list").hasSize(3);
    assertThatThrownBy(() -> new FileWrite(Optional.empty(), 0, 9,
        List.of(new FileWrite.Range(5, 5)), NONE))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("inside");
    assertThatThrownBy(() -> new FileWrite(Optional.empty(), 0, 10,
        List.of(new FileWrite.Range(4, 2), new FileWrite.Range(5, 2)), NONE))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("after 6");
  }

  @Test
  void lengthsMustBeNonNegativeAndABaseLengthNeedsABase() {
    assertThat(new FileWrite(Optional.empty(), 0, 0, List.of(), NONE).size()).isZero();
    assertThat(new FileWrite(BASE, 0, 0, List.of(), NONE).baseLength()).isZero();
    assertThat(new FileWrite(BASE, 10, 3, List.of(), NONE).baseLength()).isEqualTo(10);
    assertThatThrownBy(() -> new FileWrite(Optional.empty(), 0, -1, List.of(), NONE))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("size -1");
    assertThatThrownBy(() -> new FileWrite(BASE, -1, 3, List.of(), NONE))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("base length -1");
    assertThatThrownBy(() -> new FileWrite(Optional.empty(), 1, 3, List.of(), NONE))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("base length 1");
    assertThatThrownBy(() -> new FileWrite(null, 0, 3, List.of(), NONE))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new FileWrite(BASE, 0, 3, null, NONE))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new FileWrite(BASE, 0, 3, List.of(), null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aRangeIsNotEmptyAndNotNegative() {
    assertThat(new FileWrite.Range(0, 1).end()).isEqualTo(1);
    assertThat(new FileWrite.Range(3, 4).end()).isEqualTo(7);
    assertThatThrownBy(() -> new FileWrite.Range(-1, 1)).hasMessageContaining("bad range -1+1");
    assertThatThrownBy(() -> new FileWrite.Range(0, 0)).hasMessageContaining("bad range 0+0");
  }
}
