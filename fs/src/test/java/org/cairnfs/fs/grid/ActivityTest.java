package org.cairnfs.fs.grid;

import static org.assertj.core.api.Assertions.assertThat;

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
}
