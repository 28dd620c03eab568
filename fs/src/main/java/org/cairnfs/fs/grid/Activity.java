package org.cairnfs.fs.grid;

import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts one kind of this client's work (slot writes, uploads) begun and ended, and when the
 * last one ended, so a walk of its directories can tell whether any ran meanwhile: a collector
 * deleting what a walk did not reach must not trust a walk that raced a rename (the entry listed
 * in neither directory), nor run while an upload's first chunks wait for their manifest.
 */
public final class Activity {
  private final AtomicLong begun = new AtomicLong();
  private final AtomicLong ended = new AtomicLong();
  private volatile long lastEndNanos;
  private volatile boolean everEnded;

  /** Called as one begins. */
  public void begin() {
    begun.incrementAndGet();
  }

  /** Called when one is over, whatever its outcome. */
  public void end() {
    lastEndNanos = System.nanoTime();
    everEnded = true;
    ended.incrementAndGet();
  }

  /**
   * A mark for {@link #noneSince}, taken at a moment none was under way; empty while one is.
   */
  public OptionalLong quietMark() {
    long e = ended.get(); // first: with begun read after, equal counts mean none was under way
    long b = begun.get();
    return b == e ? OptionalLong.of(b) : OptionalLong.empty();
  }

  /** Whether none began since {@code mark} was taken. */
  public boolean noneSince(long mark) {
    return begun.get() == mark;
  }

  /**
   * How long none has been under way (by the monotonic clock): zero while one is, the time
   * since the last ended otherwise, and the longest duration if none ever ran.
   */
  public Duration idle() {
    long e = ended.get();
    if (begun.get() != e) {
      return Duration.ZERO;
    }
    return everEnded ? Duration.ofNanos(System.nanoTime() - lastEndNanos)
        : Duration.ofSeconds(Long.MAX_VALUE);
  }
}
