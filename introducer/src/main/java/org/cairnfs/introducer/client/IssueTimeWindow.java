package org.cairnfs.introducer.client;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.cairnfs.introducer.announcement.Announcement;

/**
 * Which issue times a client believes: an announcement issued longer ago than the max age, or
 * more than {@link #MAX_AHEAD} ahead of this machine's clock, is a replay or a broken clock and
 * is ignored, whoever relays it (a live server re-signs every republish interval, well inside
 * both bounds).
 */
record IssueTimeWindow(Duration maxAge) {
  /** How far ahead of the local clock an issue time may be (clock skew between machines). */
  static final Duration MAX_AHEAD = Duration.ofMinutes(10);

  /** Why {@code a} is not believed at {@code now}, or empty if its issue time is in the window. */
  Optional<String> fault(Announcement a, Instant now) {
    Instant issued = a.issuedAt();
    if (issued.isBefore(now.minus(maxAge))) {
      return Optional.of("announcement of node " + a.nodeId().shortForm() + " was issued at " + issued
          + ", longer ago than the max age " + maxAge);
    }
    if (issued.isAfter(now.plus(MAX_AHEAD))) {
      return Optional.of("announcement of node " + a.nodeId().shortForm() + " was issued at " + issued
          + ", more than " + MAX_AHEAD.toMinutes() + " min ahead of this node's clock (" + now + ")");
    }
    return Optional.empty();
  }
}
