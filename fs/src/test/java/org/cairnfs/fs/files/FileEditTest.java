package org.cairnfs.fs.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.cairnfs.caps.Cap;
import org.cairnfs.caps.LiteralCap;
import org.junit.jupiter.api.Test;

/** The checks of a file edit and its ranges (no grid). */
class FileEditTest {
  static final FileEdit.Source NONE = (o, d) -> { };
  static final Optional<Cap> BASE = Optional.of(new LiteralCap(new byte[10]));

  @Test
  void rangesMayTouchEachOtherAndTheEndButNotOverlapOrPassIt() {
    List<FileEdit.Range> ranges = new ArrayList<>(List.of(new FileEdit.Range(0, 5),
        new FileEdit.Range(5, 3), new FileEdit.Range(9, 1)));
    FileEdit e = new FileEdit(Optional.empty(), 0, 10, ranges, NONE);
    assertThat(e.dirtyBytes()).isEqualTo(9);
    ranges.clear();
    assertThat(e.dirty()).hasSize(3);
    assertThatThrownBy(() -> new FileEdit(Optional.empty(), 0, 9,
        List.of(new FileEdit.Range(5, 5)), NONE))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("inside");
    assertThatThrownBy(() -> new FileEdit(Optional.empty(), 0, 10,
        List.of(new FileEdit.Range(4, 2), new FileEdit.Range(5, 2)), NONE))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("after 6");
  }

  @Test
  void lengthsMustBeNonNegativeAndABaseLengthNeedsABase() {
    assertThat(new FileEdit(Optional.empty(), 0, 0, List.of(), NONE).size()).isZero();
    assertThat(new FileEdit(BASE, 0, 0, List.of(), NONE).baseLength()).isZero();
    assertThat(new FileEdit(BASE, 10, 3, List.of(), NONE).baseLength()).isEqualTo(10);
    assertThatThrownBy(() -> new FileEdit(Optional.empty(), 0, -1, List.of(), NONE))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("size -1");
    assertThatThrownBy(() -> new FileEdit(BASE, -1, 3, List.of(), NONE))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("base length -1");
    assertThatThrownBy(() -> new FileEdit(Optional.empty(), 1, 3, List.of(), NONE))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("without a base");
    assertThatThrownBy(() -> new FileEdit(null, 0, 3, List.of(), NONE))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new FileEdit(BASE, 0, 3, null, NONE))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new FileEdit(BASE, 0, 3, List.of(), null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aNewFileIsOneDirtyRangeOrNone() {
    FileEdit e = FileEdit.newFile(7, NONE);
    assertThat(e.base()).isEmpty();
    assertThat(e.dirty()).containsExactly(new FileEdit.Range(0, 7));
    assertThat(e.dirtyBytes()).isEqualTo(7);
    assertThat(FileEdit.newFile(0, NONE).dirty()).isEmpty();
  }

  @Test
  void aRangeIsNotEmptyNotNegativeAndDoesNotOverflow() {
    assertThat(new FileEdit.Range(0, 1).end()).isEqualTo(1);
    assertThat(new FileEdit.Range(3, Long.MAX_VALUE - 3).end()).isEqualTo(Long.MAX_VALUE);
    assertThatThrownBy(() -> new FileEdit.Range(-1, 1)).hasMessageContaining("bad range -1+1");
    assertThatThrownBy(() -> new FileEdit.Range(0, 0)).hasMessageContaining("bad range 0+0");
    assertThatThrownBy(() -> new FileEdit.Range(4, Long.MAX_VALUE - 3))
        .hasMessageContaining("bad range");
  }
}
