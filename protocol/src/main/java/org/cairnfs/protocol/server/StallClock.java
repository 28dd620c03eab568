package org.cairnfs.protocol.server;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import org.cairnfs.protocol.frame.FrameReader;

/**
 * Decides when one connection has stalled, on a timer tick: no hello in time, idle, a frame
 * that stops arriving, a response that is not read. Only time during which the server was
 * ready to read counts against a peer for idleness and frames, so backpressure and waiting
 * for buffer memory never do. Event loop only.
 *
 * <p>Why a response has its own deadline: each connection holds at most a few responses
 * ({@code maxRunningPerConnection}) beyond its socket's write buffer, but they still pin their
 * bytes of the shared response budget, so a peer that stops reading must lose them within
 * seconds, like a half-sent frame.
 */
final class StallClock {
  /** Why a connection is dropped, and whether its peer stopped mid-transfer. */
  record Stall(String why, boolean peerStalled) {}

  private final long helloTimeoutNanos;
  private final long idleTimeoutNanos;
  private final long graceNanos;
  private final long minTransferRate;
  private final FrameReader frames;
  private long lastTickNanos;
  private long lastFrameNanos;
  private long lastAnswerNanos;
  private long idleNanos;
  /** Time allowed for each response handed to the socket and not yet written, oldest first. */
  private final ArrayDeque<Long> unwritten = new ArrayDeque<>();
  private long oldestWriteNanos;

  StallClock(ServerConfig config, FrameReader frames, long now) {
    this.helloTimeoutNanos = config.helloTimeout.toNanos();
    this.idleTimeoutNanos = config.idleTimeout.toNanos();
    this.graceNanos = config.frameTimeout.toNanos();
    this.minTransferRate = config.effectiveMinTransferRate();
    this.frames = frames;
    lastTickNanos = now;
    lastFrameNanos = now;
    lastAnswerNanos = now;
  }

  /** How often {@link #tick} should run: a quarter of the shortest timeout, at least 50 ms. */
  long tickNanos() {
    return Math.max(TimeUnit.MILLISECONDS.toNanos(50),
        Math.min(Math.min(helloTimeoutNanos, idleTimeoutNanos), graceNanos) / 4);
  }

  /** A complete frame arrived. */
  void frameArrived(long now) {
    lastFrameNanos = now;
    idleNanos = lastTickNanos - now; // the next tick counts from now
  }

  /** A response of at most {@code bytes} was handed to the socket. */
  void responseHanded(long bytes, long now) {
    if (unwritten.isEmpty()) {
      oldestWriteNanos = lastTickNanos - now;
    }
    long transfer = minTransferRate > 0 ? TimeUnit.SECONDS.toNanos(bytes) / minTransferRate : 0;
    unwritten.add(graceNanos + transfer);
  }

  /** The oldest response handed to the socket was written (or failed). */
  void responseWritten(long now) {
    unwritten.poll();
    oldestWriteNanos = lastTickNanos - now;
    lastAnswerNanos = now;
  }

  /**
   * Advances the clock to {@code now}; returns why the connection must be dropped, or null.
   *
   * @param reading whether the server was reading (not paused) since the last tick
   */
  Stall tick(long now, boolean reading, boolean helloDone, int inFlight, boolean writable) {
    long elapsed = now - lastTickNanos;
    lastTickNanos = now;
    if (reading) {
      idleNanos += elapsed; // ready to read, and nothing complete came
    }
    if (!unwritten.isEmpty()) {
      oldestWriteNanos += elapsed;
    }
    if (reading && frames.tick(elapsed)) {
      return new Stall("a frame did not arrive in time", true);
    } else if (!unwritten.isEmpty() && oldestWriteNanos > unwritten.peek()) {
      return new Stall("did not read a response in time", true);
    } else if (!helloDone && now - lastFrameNanos > helloTimeoutNanos) {
      return new Stall("no hello within the timeout", false);
    } else if (helloDone && inFlight == 0 && idleNanos > idleTimeoutNanos) {
      return new Stall("idle", false);
    } else if (helloDone && now - lastFrameNanos > idleTimeoutNanos && !writable
        && now - lastAnswerNanos > idleTimeoutNanos) {
      // Requests are in flight only because their answers cannot be written: the peer has
      // stopped reading (slow read). A slow backend does not make the channel unwritable.
      return new Stall("not reading its responses", true);
    }
    return null;
  }
}
