package org.cairnfs.storage.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WrittenRangesTest {
  @Test
  void mergesAdjacentAndOverlappingRanges() {
    WrittenRanges r = new WrittenRanges();
    r.add(10, 20);
    r.add(0, 10);
    r.add(15, 30);
    assertThat(r.covers(30)).isTrue();
    assertThat(r.covers(31)).isFalse();
    assertThat(r.writtenBytes()).isEqualTo(30);
  }

  @Test
  void reportsOverlapsOnly() {
    WrittenRanges r = new WrittenRanges();
    r.add(0, 5);
    r.add(10, 15);
    assertThat(r.overlaps(3, 12)).containsExactly(new long[] {3, 5}, new long[] {10, 12});
    assertThat(r.overlaps(5, 10)).isEmpty();
  }

  @Test
  void sequentialWritesUseOneRangeAndScatteredOnesAreCapped() {
    WrittenRanges r = new WrittenRanges();
    for (long i = 0; i < 100_000; i++) {
      r.add(i * 10, i * 10 + 10);
    }
    assertThat(r.overlaps(0, 1_000_000)).hasSize(1);
    WrittenRanges scattered = new WrittenRanges();
    for (long i = 0; i < WrittenRanges.MAX_RANGES; i++) {
      scattered.add(i * 10, i * 10 + 1);
    }
    assertThat(scattered.wouldOverflow(1_000_000, 1_000_001)).isTrue();
    assertThat(scattered.wouldOverflow(1, 5)).isFalse();
  }
}
