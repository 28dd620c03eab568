package org.cairnfs.storage.store;

import java.io.IOException;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drops the open uploads and staged slot versions that got no new bytes for the open-write idle
 * timeout, so a client that went away does not hold places and reserved space for ever. No
 * thread of its own: the store runs it, at most once a second, before anything that needs a
 * place or reports space.
 */
final class IdleWriteSweep {
  /** Logs as the store it sweeps. */
  private static final Logger log = LoggerFactory.getLogger(ShareStore.class);

  private final ShareLayout layout;
  private final StoreLimits limits;
  private final InstantSource clock;
  private final ImmutableUploads uploads;
  private final SlotWriter slots;
  /** Clock millis before which no sweep runs again. */
  private final AtomicLong nextSweepMillis = new AtomicLong(Long.MIN_VALUE);

  IdleWriteSweep(ShareLayout layout, StoreLimits limits, InstantSource clock,
      ImmutableUploads uploads, SlotWriter slots) {
    this.layout = layout;
    this.limits = limits;
    this.clock = clock;
    this.uploads = uploads;
    this.slots = slots;
  }

  /** Drops every idle write now; returns how many. */
  int expire() throws IOException {
    long idle = limits.openWriteIdleTimeout().toMillis();
    int dropped = uploads.expireIdle(idle) + slots.expireIdle(idle);
    if (dropped > 0) {
      log.info("{}: dropped {} open upload(s) and slot write(s) idle for over {}",
          layout.sharesDir(), dropped, limits.openWriteIdleTimeout());
    }
    return dropped;
  }

  /** {@link #expire} unless a sweep ran less than a second ago. */
  void sweepIfDue() throws IOException {
    long now = clock.millis();
    long next = nextSweepMillis.get();
    if (now >= next && nextSweepMillis.compareAndSet(next, now + 1000)) {
      expire();
    }
  }
}
