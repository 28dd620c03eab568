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

  @Test
  void outOfOrderDisjointRangesLeaveAHoleThatCoversRefuses() {
    WrittenRanges r = new WrittenRanges();
    r.add(20, 30);
    r.add(0, 10);
    assertThat(r.covers(30)).isFalse();
    assertThat(r.covers(10)).isTrue();
    assertThat(r.covers(11)).isFalse();
    assertThat(r.writtenBytes()).isEqualTo(20);
    assertThat(r.overlaps(5, 25)).containsExactly(new long[] {5, 10}, new long[] {20, 25});
    r.add(10, 20);
    assertThat(r.covers(30)).isTrue();
    assertThat(r.overlaps(0, 30)).containsExactly(new long[] {0, 30});
  }

  @Test
  void aRangeNotStartingAtZeroNeverCovers() {
    WrittenRanges r = new WrittenRanges();
    assertThat(r.covers(0)).isTrue();
    assertThat(r.covers(1)).isFalse();
    r.add(1, 100);
    assertThat(r.covers(50)).isFalse();
    r.add(0, 1);
    assertThat(r.covers(100)).isTrue();
    assertThat(r.covers(101)).isFalse();
  }

  @Test
  void oneWriteSpanningSeveralRangesMergesThemAll() {
    WrittenRanges r = new WrittenRanges();
    r.add(40, 50);
    r.add(20, 25);
    r.add(0, 5);
    r.add(10, 15);
    r.add(3, 22);
    assertThat(r.overlaps(0, 100)).containsExactly(new long[] {0, 25}, new long[] {40, 50});
    assertThat(r.writtenBytes()).isEqualTo(35);
    r.add(25, 40);
    assertThat(r.overlaps(0, 100)).containsExactly(new long[] {0, 50});
    assertThat(r.covers(50)).isTrue();
  }

  @Test
  void aRangeInsideAnotherChangesNothing() {
    WrittenRanges r = new WrittenRanges();
    r.add(0, 100);
    r.add(10, 20);
    r.add(0, 100);
    assertThat(r.overlaps(0, 200)).containsExactly(new long[] {0, 100});
    assertThat(r.writtenBytes()).isEqualTo(100);
  }

  @Test
  void emptyAndInvertedRangesAreIgnored() {
    WrittenRanges r = new WrittenRanges();
    r.add(5, 5);
    r.add(9, 3);
    assertThat(r.writtenBytes()).isZero();
    assertThat(r.overlaps(0, 100)).isEmpty();
  }

  @Test
  void atTheCapOnlyARangeTouchingAnExistingOneIsAccepted() {
    WrittenRanges r = new WrittenRanges();
    for (long i = 0; i < WrittenRanges.MAX_RANGES - 1; i++) {
      r.add(i * 10, i * 10 + 1);
    }
    // One below the cap: anything fits.
    assertThat(r.wouldOverflow(1_000_000, 1_000_001)).isFalse();
    r.add(1_000_000, 1_000_001);
    // At the cap: a separate range would overflow; one that touches either side does not.
    assertThat(r.wouldOverflow(5, 6)).isTrue();
    assertThat(r.wouldOverflow(1, 2)).as("touches the end of [0, 1)").isFalse();
    assertThat(r.wouldOverflow(8, 10)).as("touches the start of [10, 11)").isFalse();
    assertThat(r.wouldOverflow(2, 9)).as("touches neither").isTrue();
    assertThat(r.wouldOverflow(10, 11)).as("the same as a range held").isFalse();
  }
  /**
   * Every open write the server allows may hold its whole count of ranges at once (a client
   * pays one 1-byte WRITE_CHUNK per range), so the ranges of all of them together must stay a
   * small part of the 512 MiB heap: with 4096 ranges each, 4096 uploads (1024 from one address)
   * held over a GiB. A range held costs a TreeMap entry (40 bytes) and two boxed longs (16
   * each) with compressed references. An honest upload still fits: block data, two hash trees
   * growing a level at a time (25 levels each for 2^24 blocks) and the front make about 55
   * separate ranges at most.
   */
  @Test
  void theRangesOfEveryOpenWriteTogetherStayAFewTensOfMiB() {
    long perRange = 40 + 2 * 16;
    WrittenRanges r = new WrittenRanges();
    long n = 0;
    while (!r.wouldOverflow(n * 10 + 1000, n * 10 + 1001)) {
      r.add(n * 10 + 1000, n * 10 + 1001);
      n++;
    }
    assertThat(r.overlaps(0, Long.MAX_VALUE)).hasSize((int) n);
    assertThat(n).as("ranges one upload may hold").isGreaterThanOrEqualTo(64);
    assertThat(n * perRange * StoreLimits.DEFAULT_MAX_OPEN_WRITES)
        .as("%d ranges in each of %d open writes", n, StoreLimits.DEFAULT_MAX_OPEN_WRITES)
        .isLessThanOrEqualTo(48L << 20);
  }
}
