package org.cairnfs.bench.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class CpuSnapshotTest {
  @Test
  void groupsThreadsByNameWithoutNumbers() {
    assertThat(CpuSnapshot.group("cairn-io-3-1")).isEqualTo("cairn-io");
    assertThat(CpuSnapshot.group("cairn-backend-4-12")).isEqualTo("cairn-backend");
    assertThat(CpuSnapshot.group("C2 CompilerThread0")).isEqualTo("C2 CompilerThread");
    assertThat(CpuSnapshot.group("main")).isEqualTo("main");
    assertThat(CpuSnapshot.group("42")).isEqualTo("42");
  }

  @Test
  void differenceKeepsOnlyGroupsThatRan() {
    CpuSnapshot before = new CpuSnapshot(1_000, Map.of("a", 100L, "b", 50L), 1, 10);
    CpuSnapshot after = new CpuSnapshot(5_000, Map.of("a", 900L, "b", 50L, "c", 7L), 3, 25);
    CpuSnapshot diff = after.since(before);
    assertThat(diff.processNanos()).isEqualTo(4_000);
    assertThat(diff.groupNanos()).containsExactlyInAnyOrderEntriesOf(Map.of("a", 800L, "c", 7L));
    assertThat(diff.gcCount()).isEqualTo(2);
    assertThat(diff.gcMillis()).isEqualTo(15);
  }

  @Test
  void takingASnapshotSeesThisThreadsCpu() {
    CpuSnapshot s = CpuSnapshot.take();
    assertThat(s.processNanos()).isPositive();
    assertThat(s.groupNanos()).containsKey(CpuSnapshot.group(Thread.currentThread().getName()));
  }
}
