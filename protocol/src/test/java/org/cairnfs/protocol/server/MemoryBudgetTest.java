package org.cairnfs.protocol.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;

class MemoryBudgetTest {
  private final Executor inline = Runnable::run;

  @Test
  void grantsInArrivalOrderSoALargeRequestIsNotStarvedBySmallOnes() {
    MemoryBudget b = new MemoryBudget("test", 100);
    List<String> granted = new ArrayList<>();
    assertThat(b.takeOrWait(90, inline, () -> granted.add("never"))).isNull();
    assertThat(b.takeOrWait(60, inline, () -> granted.add("large"))).isNotNull();
    // 10 would fit, but the large one is ahead.
    assertThat(b.takeOrWait(10, inline, () -> granted.add("small"))).isNotNull();
    assertThat(b.tryTake(5)).isFalse();
    b.release(50); // the 90 taken first, in part
    assertThat(granted).containsExactly("large");
    assertThat(b.used()).isEqualTo(100);
    b.release(90);
    assertThat(granted).containsExactly("large", "small");
    assertThat(b.used()).isEqualTo(60 - 50 + 10);
    assertThat(b.peak()).isEqualTo(100);
  }

  @Test
  void aRequestAboveTheMaximumIsGrantedAloneOnceTheBudgetIsEmpty() {
    MemoryBudget b = new MemoryBudget("test", 100);
    List<String> granted = new ArrayList<>();
    assertThat(b.takeOrWait(50, inline, () -> { })).isNull();
    assertThat(b.takeOrWait(500, inline, () -> granted.add("huge"))).isNotNull();
    b.release(50);
    assertThat(granted).containsExactly("huge");
    assertThat(b.used()).isEqualTo(500);
  }

  @Test
  void aCancelledWaitIsNeverGranted() {
    MemoryBudget b = new MemoryBudget("test", 100);
    List<String> granted = new ArrayList<>();
    b.takeOrWait(100, inline, () -> { });
    MemoryBudget.Wait w = b.takeOrWait(50, inline, () -> granted.add("cancelled"));
    b.takeOrWait(50, inline, () -> granted.add("next"));
    w.cancel();
    b.release(100);
    assertThat(granted).containsExactly("next");
    assertThat(b.used()).isEqualTo(50);
    assertThat(b.waiting()).isZero();
  }

  @Test
  void aPeerWaitsForItsAddressShareBeforeTheServerQueue() {
    MemoryBudget server = new MemoryBudget("server", 1000);
    MemoryBudget addressA = new MemoryBudget("a", 100);
    MemoryBudget addressB = new MemoryBudget("b", 100);
    PeerBudget a = new PeerBudget(addressA, server);
    PeerBudget b = new PeerBudget(addressB, server);
    List<String> granted = new ArrayList<>();
    assertThat(a.takeOrWait(100, inline, () -> { })).isNull();
    // A's next request waits on its own address, holding nothing of the server's.
    MemoryBudget.Wait waiting = a.takeOrWait(100, inline, () -> granted.add("a2"));
    assertThat(waiting).isNotNull();
    assertThat(server.used()).isEqualTo(100);
    assertThat(b.takeOrWait(100, inline, () -> { })).as("another address is not held up")
        .isNull();
    a.release(100);
    assertThat(granted).containsExactly("a2");
    assertThat(server.used()).isEqualTo(200);
    assertThat(addressA.used()).isEqualTo(100);
  }

  @Test
  void cancellingAtTheServerStageGivesTheAddressShareBack() {
    MemoryBudget server = new MemoryBudget("server", 100);
    MemoryBudget address = new MemoryBudget("a", 1000);
    PeerBudget peer = new PeerBudget(address, server);
    server.takeOrWait(100, inline, () -> { });
    List<String> granted = new ArrayList<>();
    MemoryBudget.Wait w = peer.takeOrWait(50, inline, () -> granted.add("peer"));
    assertThat(w).isNotNull();
    assertThat(address.used()).isEqualTo(50);
    w.cancel();
    server.release(100);
    assertThat(granted).isEmpty();
    assertThat(address.used()).isZero();
    assertThat(server.used()).isZero();
  }
}
