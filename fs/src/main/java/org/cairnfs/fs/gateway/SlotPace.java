package org.cairnfs.fs.gateway;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.time.Duration;

/**
 * The pace a client must keep while its request holds one of the {@link MemorySlots}: after a
 * grace period, at least {@code minBytesPerSecond} on average, counting the body it sends and
 * the answer it reads. Why: a slot keeps a whole mutable file or batch in memory and there are
 * only a few, so a client that stops reading its answer, or trickles its body, would otherwise
 * keep one until the idle timeout (and renew it), and every other mutable request of the
 * gateway would wait and answer 503.
 */
record SlotPace(Duration grace, long minBytesPerSecond) {
  SlotPace {
    if (grace.isNegative() || minBytesPerSecond < 1) {
      throw new IllegalArgumentException("bad slot pace " + grace + ", " + minBytesPerSecond);
    }
  }

  /**
   * The nanoTime by which a client holding a slot since {@code start} must have moved
   * {@code bytes}.
   */
  long deadline(long start, long bytes) {
    return start + grace.toNanos() + (long) (bytes * 1e9 / minBytesPerSecond);
  }

  /** The answer to a request whose body came too slowly while it held a slot. */
  HttpError bodyTooSlow() {
    return new HttpError(HttpResponseStatus.REQUEST_TIMEOUT, "the request body came slower"
        + " than " + minBytesPerSecond + " bytes/s (after " + grace.toSeconds() + " s) while"
        + " it held one of the gateway's in-memory slots; send it faster or retry");
  }
}
