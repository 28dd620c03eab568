package org.cairnfs.protocol.server;

import io.netty.channel.Channel;

/**
 * Whether one connection may read from its socket: paused while any reason holds (too many
 * requests in flight, a frame waiting for buffer memory), reading again when none does.
 *
 * <p>Why one object: several parts of the pipeline stop reading for their own reasons, and
 * each toggling {@code autoRead} alone would let one resume what another paused. Traffic
 * shaping also toggles {@code autoRead} when its own pause ends, so {@link #enforce()} is
 * called on every read to put a pause back that shaping lifted. Event loop only.
 */
final class ReadGate {
  /** Reasons to stop reading; a bit each. */
  static final int IN_FLIGHT = 1;
  static final int MEMORY = 2;

  private final Channel channel;
  private int reasons;

  ReadGate(Channel channel) {
    this.channel = channel;
  }

  void pause(int reason) {
    reasons |= reason;
    channel.config().setAutoRead(false);
  }

  void resume(int reason) {
    if ((reasons & reason) == 0) {
      return;
    }
    reasons &= ~reason;
    if (reasons == 0 && channel.isActive()) {
      channel.config().setAutoRead(true);
    }
  }

  boolean paused() {
    return reasons != 0;
  }

  /** Re-applies a pause that something else (traffic shaping) may have lifted. */
  void enforce() {
    if (reasons != 0 && channel.config().isAutoRead()) {
      channel.config().setAutoRead(false);
    }
  }
}
