package org.cairnfs.introducer.server;

import java.time.Duration;
import java.time.Instant;
import org.cairnfs.protocol.identity.NodeId;
import org.cairnfs.protocol.message.ErrorCode;
import org.cairnfs.protocol.server.RequestException;

/**
 * How often one node's announcements are taken: {@code burst} at once, then one per
 * {@code interval} (a {@link CellRate}): every update taken is pushed to every subscriber, so
 * a node re-publishing without pause would cost them all (a server publishes on each connection
 * and every 10 min, so only a reconnection storm meets this). Holds no state: each node's next
 * time is kept with its held announcement.
 */
final class PublishPacer {
  private final CellRate rate;

  PublishPacer(int burst, Duration interval) {
    this.rate = new CellRate(burst, interval);
  }

  /**
   * When {@code node} may publish next if one is taken at {@code now}, after the time kept
   * with its held announcement ({@code paceAt}; null when none is held).
   *
   * @throws RequestException BUSY if the node is publishing too often
   */
  Instant next(NodeId node, Instant paceAt, Instant now) throws RequestException {
    Instant next = rate.next(paceAt, now);
    if (next == null) {
      Duration wait = rate.wait(paceAt, now);
      throw new RequestException(ErrorCode.BUSY, "node " + node.shortForm()
          + " publishes too often: the introducer takes " + rate.burst() + " announcements of"
          + " one node at once and then one per " + rate.interval().toSeconds() + " s;"
          + " publish again in " + Math.max(1, (wait.toMillis() + 999) / 1000) + " s");
    }
    return next;
  }
}
