package org.cairnfs.introducer.announcement;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/**
 * Which issue times an introducer or a client believes: an announcement issued more than
 * {@code maxAge} ago, or more than {@code maxAhead} ahead of the local clock, is a replay or a
 * broken clock, whoever relays it (a live server re-signs every republish interval, well inside
 * both bounds). One rule for both sides, so what an introducer relays a client also takes.
 *
 * @param maxAge how old an issue time may be
 * @param maxAhead how far ahead of the local clock it may be (clock skew between machines)
 */
public record IssueTimeWindow(Duration maxAge, Duration maxAhead) {
  /** The default skew allowed between machines' clocks. */
  public static final Duration DEFAULT_MAX_AHEAD = Duration.ofMinutes(10);

  /**
   * Why {@code a} is not believed at {@code now} by the holder of {@code whoseClock} (e.g.
   * "the introducer's"), or empty if its issue time is in the window.
   */
  public Optional<String> fault(Announcement a, Instant now, String whoseClock) {
    Instant issued = a.issuedAt();
    String which = "announcement of node " + a.nodeId().shortForm() + " was issued at " + issued;
    if (issued.isBefore(now.minus(maxAge))) {
      return Optional.of(which + ", more than " + human(maxAge) + " (the max age) before "
          + whoseClock + " clock (" + now + ")");
    }
    if (issued.isAfter(now.plus(maxAhead))) {
      return Optional.of(which + ", more than " + human(maxAhead) + " ahead of " + whoseClock
          + " clock (" + now + ")");
    }
    return Optional.empty();
  }

  /** A duration as "72h", "10m", "15s". */
  public static String human(Duration d) {
    return d.toString().substring(2).toLowerCase(Locale.ROOT);
  }
}
