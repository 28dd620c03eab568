package org.cairnfs.fs.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** At most N mutable files in memory at once: the next waits for a slot, else answers 503. */
class MemorySlotsTest {
  private static final SlotPace PACE = new SlotPace(Duration.ofSeconds(10), 65_536);

  private static <T> CompletableFuture<T> holding(MemorySlots slots, CountDownLatch entered,
      CountDownLatch release, T result) {
    return holding(slots, null, entered, release, result);
  }

  /** Work holding a slot for {@code who} (null: loopback) until {@code release}. */
  private static <T> CompletableFuture<T> holding(MemorySlots slots, Object who,
      CountDownLatch entered, CountDownLatch release, T result) {
    return CompletableFuture.supplyAsync(() -> slots.hold(who, null, () -> {
      entered.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
      return result;
    }));
  }

  @Test
  void theFifthWaitsUntilOneOfFourEnds() throws Exception {
    MemorySlots slots = new MemorySlots("mutable file requests", 4, Duration.ofSeconds(20), PACE);
    CountDownLatch entered = new CountDownLatch(4);
    CountDownLatch release = new CountDownLatch(1);
    List<CompletableFuture<Integer>> four = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      four.add(holding(slots, entered, release, i));
    }
    assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
    AtomicInteger ran = new AtomicInteger();
    CompletableFuture<Integer> fifth = CompletableFuture.supplyAsync(() ->
        slots.hold(ran::incrementAndGet));
    Thread.sleep(300);
    assertThat(fifth).isNotDone();
    assertThat(ran).hasValue(0);
    release.countDown();
    assertThat(fifth.get(10, TimeUnit.SECONDS)).isEqualTo(1);
    for (CompletableFuture<Integer> f : four) {
      assertThat(f.get(10, TimeUnit.SECONDS)).isBetween(0, 3);
    }
  }

  @Test
  void oneAddressHoldsAtMostHalfTheSlots() throws Exception {
    MemorySlots slots = new MemorySlots("listings", 4, Duration.ofMillis(300), PACE);
    CountDownLatch entered = new CountDownLatch(2);
    CountDownLatch release = new CountDownLatch(1);
    List<CompletableFuture<Integer>> two = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      two.add(holding(slots, "a", entered, release, i));
    }
    assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
    AtomicInteger ran = new AtomicInteger();
    assertThatThrownBy(() -> slots.hold("a", null, ran::incrementAndGet))
        .isInstanceOfSatisfying(HttpError.class, e -> {
          assertThat(e.status().code()).isEqualTo(503);
          assertThat(e.getMessage()).contains("from your address").contains("at most 2");
        });
    assertThat(ran).hasValue(0);
    assertThat(slots.hold("b", null, ran::incrementAndGet)).isEqualTo(1); // another address
    assertThat(slots.hold(null, null, ran::incrementAndGet)).isEqualTo(2); // loopback
    release.countDown();
    for (CompletableFuture<Integer> f : two) {
      f.get(10, TimeUnit.SECONDS);
    }
    assertThat(slots.hold("a", null, ran::incrementAndGet)).isEqualTo(3); // its places are back
  }

  @Test
  void noSlotInTimeIs503AndTheWorkNeverRuns() throws Exception {
    MemorySlots slots = new MemorySlots("mutable file requests", 1, Duration.ofMillis(200), PACE);
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<String> first = holding(slots, entered, release, "first");
    assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
    AtomicInteger ran = new AtomicInteger();
    assertThatThrownBy(() -> slots.hold(ran::incrementAndGet))
        .isInstanceOfSatisfying(HttpError.class, e -> {
          assertThat(e.status().code()).isEqualTo(503);
          assertThat(e.getMessage()).contains("at most 1 at a time");
        });
    assertThat(ran).hasValue(0);
    release.countDown();
    assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("first");
    assertThat(slots.hold(ran::incrementAndGet)).isEqualTo(1);
  }
}
