package org.cairnfs.fs.grid;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SlotWritesTest {
  @Test
  void aMarkIsTakenOnlyWhenNoWriteIsUnderWayAndSeesEveryLaterOne() {
    SlotWrites writes = new SlotWrites();
    long mark = writes.quietMark().orElseThrow();
    assertThat(writes.noneSince(mark)).isTrue();
    writes.begin();
    assertThat(writes.quietMark()).isEmpty();
    assertThat(writes.noneSince(mark)).isFalse();
    writes.end();
    long after = writes.quietMark().orElseThrow();
    assertThat(after).isNotEqualTo(mark);
    assertThat(writes.noneSince(after)).isTrue();
    writes.begin(); // begun and not ended: the mark no longer holds, though no write ended
    assertThat(writes.noneSince(after)).isFalse();
  }
}
