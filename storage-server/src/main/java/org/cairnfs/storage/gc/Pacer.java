package org.cairnfs.storage.gc;

import java.time.Duration;

/** Waits; behind an interface so tests can check the crawl rate without sleeping. */
@FunctionalInterface
public interface Pacer {
  void pause(Duration duration) throws InterruptedException;

  /** Sleeps the calling thread. */
  static Pacer sleeping() {
    return d -> Thread.sleep(d.toMillis(), d.toNanosPart() % 1_000_000);
  }
}
