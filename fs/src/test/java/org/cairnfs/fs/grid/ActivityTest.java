package org.cairnfs.fs.grid;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ActivityTest {
  @Test
  void aMarkIsTakenOnlyWhenNoneIsUnderWayAndSeesEveryLaterOne() {
    Activity writes = new Activity();
    long mark = writes.quietMark().orElseThrow();
    assertThat(writes.noneSince(mark)).isTrue();
    writes.begin();
    assertThat(writes.quietMark()).isEmpty();
    assertThat(writes.noneSince(mark)).isFalse();
    writes.end();
    long after = writes.quietMark().orElseThrow();
    assertThat(after).isNotEqualTo(mark);
    assertThat(writes.noneSince(after)).isTrue();
    writes.begin(); // begun and not ended: the mark no longer holds, though none ended
    assertThat(writes.noneSince(after)).isFalse();
  }

  @Test
  void idleIsZeroWhileOneRunsAndCountsFromTheLastEnd() throws Exception {
    Activity uploads = new Activity();
    assertThat(uploads.idle()).isGreaterThan(Duration.ofDays(365));
    uploads.begin();
    uploads.begin();
    assertThat(uploads.idle()).isZero();
    uploads.end();
    assertThat(uploads.idle()).as("one still runs").isZero();
    uploads.end();
    Thread.sleep(20);
    assertThat(uploads.idle()).isBetween(Duration.ofMillis(20), Duration.ofSeconds(60));
  }
}
