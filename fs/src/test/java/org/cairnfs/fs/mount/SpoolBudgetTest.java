package org.cairnfs.fs.mount;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The spool budget's arithmetic and boundaries, and a release waking a waiting writer. */
class SpoolBudgetTest {

  @Test
  void overIsStrictlyPastTheBound() {
    SpoolBudget b = new SpoolBudget(100);
    b.add(60);
    assertThat(b.over(40)).as("exactly at the bound").isFalse();
    assertThat(b.over(41)).isTrue();
    assertThat(b.over(0)).isFalse();
  }

  @Test
  void usedAndSealedCountWhatWasAddedSealedAndReleased() {
    SpoolBudget b = new SpoolBudget(100);
    b.add(60);
    assertThat(b.used()).isEqualTo(60);
    b.seal(40);
    assertThat(b.sealed()).isEqualTo(40);
    b.releaseSealed(30);
    assertThat(b.sealed()).isEqualTo(10);
    assertThat(b.used()).isEqualTo(30);
    b.release(10);
    assertThat(b.used()).isEqualTo(20);
    b.release(1000);
    b.releaseSealed(1000);
    assertThat(b.used()).isZero();
    assertThat(b.sealed()).isZero();
    assertThat(b.bound()).isEqualTo(100);
  }

  @Test
  void awaitRoomAnswersAtOnceAtTheBoundAndFailsPastItWhenNothingDrains() throws Exception {
    SpoolBudget b = new SpoolBudget(100);
    b.add(60);
    assertThat(b.awaitRoom(40, 0)).as("room for exactly the bound").isTrue();
    assertThat(b.awaitRoom(41, 0)).isFalse();
    assertThat(b.awaitRoom(41, TimeUnit.MILLISECONDS.toNanos(30))).isFalse();
  }

  @Test
  void aReleaseWakesAWaitingWriter() throws Exception {
    assertReleaseWakes(false);
  }

  @Test
  void aSealedReleaseWakesAWaitingWriter() throws Exception {
    assertReleaseWakes(true);
  }

  /** The writer polls only hourly here: it returns at once only if the release signals it. */
  private static void assertReleaseWakes(boolean sealed) throws Exception {
    SpoolBudget b = new SpoolBudget(100, TimeUnit.HOURS.toNanos(1));
    b.add(100);
    b.seal(100);
    AtomicBoolean room = new AtomicBoolean();
    Thread writer = new Thread(() -> {
      try {
        room.set(b.awaitRoom(10, TimeUnit.HOURS.toNanos(1)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    writer.setDaemon(true);
    writer.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (writer.getState() != Thread.State.TIMED_WAITING && System.nanoTime() < deadline) {
      Thread.sleep(1);
    }
    if (sealed) {
      b.releaseSealed(20);
    } else {
      b.release(20);
    }
    writer.join(5_000);
    boolean alive = writer.isAlive();
    writer.interrupt();
    assertThat(alive).as("the writer still waits").isFalse();
    assertThat(room).isTrue();
  }
}
