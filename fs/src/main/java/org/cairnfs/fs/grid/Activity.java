package org.cairnfs.fs.grid;

import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts one kind of this client's work (slot writes, uploads) begun and ended, so a walk of its
 * directories can tell whether any ran meanwhile: a collector deleting what a walk did not reach
 * must not trust a walk that raced a rename (the entry listed in neither directory), nor start
 * while an upload's first chunks wait for their manifest.
 */
public final class Activity {
  private final AtomicLong begun = new AtomicLong();
  private final AtomicLong ended = new AtomicLong();

  /** Called as one begins. */
  public void begin() {
    begun.incrementAndGet();
  }

  /** Called when one is over, whatever its outcome. */
  public void end() {
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
}
