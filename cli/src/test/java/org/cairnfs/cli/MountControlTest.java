package org.cairnfs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What {@code cairn sync} says when the mount's fsyncdir fails. */
class MountControlTest {
  @Test
  void anEnospcFromTheMountIsExplainedAsTheGridsNotTheLocalDisks() {
    assertThat(MountControl.failureHint("No space left on device"))
        .contains("too few servers reachable for happiness").contains("cairn status");
    assertThat(MountControl.failureHint("Input/output error"))
        .contains("the mount's log says why").doesNotContain("happiness");
  }
}
