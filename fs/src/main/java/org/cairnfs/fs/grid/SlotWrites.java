package org.cairnfs.fs.grid;

import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts this client's slot writes (new versions of mutable files and directories) begun and
 * ended, so a walk of its directories can tell whether any of them changed while it ran: a
 * collector deleting what a walk did not reach must not trust a walk that raced a rename (the
 * entry listed in neither directory).
 */
public final class SlotWrites {
  private final AtomicLong begun = new AtomicLong();
  private final AtomicLong ended = new AtomicLong();

  /** Called before a slot write's first share is sent. */
  public void begin() {
    begun.incrementAndGet();
  }

  /** Called when a slot write is over, whatever its outcome. */
  public void end() {
    ended.incrementAndGet();
  }

  /**
   * A mark for {@link #noneSince}, taken at a moment no slot write was under way; empty while
   * one is.
   */
  public OptionalLong quietMark() {
    long e = ended.get(); // first: with begun read after, equal counts mean none was under way
    long b = begun.get();
    return b == e ? OptionalLong.of(b) : OptionalLong.empty();
  }

  /** Whether no slot write began since {@code mark} was taken. */
  public boolean noneSince(long mark) {
    return begun.get() == mark;
  }
}
