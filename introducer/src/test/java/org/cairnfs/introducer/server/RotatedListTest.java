package org.cairnfs.introducer.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class RotatedListTest {
  private static final byte[] A = {1};
  private static final byte[] B = {2};
  private static final byte[] C = {3};

  @Test
  void startsAtTheOffsetAndWrapsAroundOverTheSameArrays() {
    List<byte[]> shared = List.of(A, B, C);
    assertThat(new RotatedList(shared, 1)).containsExactly(B, C, A);
    assertThat(new RotatedList(shared, 5)).containsExactly(C, A, B);
    assertThat(new RotatedList(shared, 0).get(0)).isSameAs(A);
    assertThat(new RotatedList(List.of(), 7)).isEmpty();
    assertThatThrownBy(() -> new RotatedList(shared, 1).get(3))
        .isInstanceOf(IndexOutOfBoundsException.class);
  }
}
