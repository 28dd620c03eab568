package org.cairnfs.fs.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The contents record: validated, and its bytes not shared with callers. */
class MutableContentsTest {
  @Test
  void refusesMissingPartsAndANegativeSeqnum() {
    assertThatThrownBy(() -> new MutableContents(null, 1, "1-00"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new MutableContents(new byte[0], 1, null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new MutableContents(new byte[0], -1, "x"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(new MutableContents(new byte[0], 0, "0-00").seqnum()).isZero();
  }

  @Test
  void copiesInAndOut() {
    byte[] b = {1, 2, 3};
    MutableContents c = new MutableContents(b, 4, "4-ab");
    b[0] = 9;
    assertThat(c.contents()).containsExactly(1, 2, 3);
    c.contents()[1] = 9;
    assertThat(c.contents()).containsExactly(1, 2, 3);
    assertThat(c.shared()).containsExactly(1, 2, 3);
    assertThat(c.size()).isEqualTo(3);
    assertThat(c.versionTag()).isEqualTo("4-ab");
  }
}
