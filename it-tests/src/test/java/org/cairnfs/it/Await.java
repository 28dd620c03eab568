package org.cairnfs.it;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Bounded polling: tests wait for a condition with a deadline, never with a fixed sleep. */
final class Await {
  private Await() {}

  static void until(String what, BooleanSupplier condition, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + " waiting until " + what);
      }
      Thread.sleep(50);
    }
  }
}
