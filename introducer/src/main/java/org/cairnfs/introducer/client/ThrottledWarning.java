package org.cairnfs.introducer.client;

import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;

/**
 * One kind of warning that a hostile peer could repeat at will: the first is logged, later ones
 * at most once per {@code interval}, each saying how many were suppressed since the last
 * (thread-safe).
 */
final class ThrottledWarning {
  private final Logger log;
  private final Duration interval;
  private Instant nextAt = Instant.MIN;
  private long suppressed;

  ThrottledWarning(Logger log, Duration interval) {
    this.log = log;
    this.interval = interval;
  }

  /** Logs {@code message} now unless one was logged less than the interval ago. */
  synchronized void warn(Instant now, String message) {
    if (now.isBefore(nextAt)) {
      suppressed++;
      return;
    }
    if (suppressed > 0) {
      log.warn("{} (and {} more like it in the last {} s)", message, suppressed, interval.toSeconds());
    } else {
      log.warn(message);
    }
    suppressed = 0;
    nextAt = now.plus(interval);
  }
}
