package org.cairnfs.protocol.server;

import io.netty.channel.Channel;
import org.cairnfs.protocol.frame.FrameReader;

/**
 * The request bytes one connection holds: frames being received and requests waiting to run,
 * each counted from the moment its length is known (before its buffer exists) until its
 * request has run. Admits a frame when it fits both this connection's limit and the
 * server-wide {@link MemoryBudget}; otherwise pauses reading until it does.
 *
 * <p>Rules: a connection holding nothing may always start one frame (so the per-connection
 * limit never blocks a lone maximum-size frame); a frame of at most {@link #SMALL_FRAME} bytes
 * on a connection holding nothing skips the address and server-wide queues (so pings, reads and
 * allocations are not stuck behind a flood of large half-sent frames; the overshoot is at most
 * connections × {@value #SMALL_FRAME} bytes). Event loop only.
 */
final class ConnectionMemory implements FrameReader.Admission {
  /** Frames this small, on a connection holding nothing, never wait for the shared budget. */
  static final int SMALL_FRAME = 8192;

  private final Channel channel;
  private final ReadGate gate;
  private final PeerBudget shared;
  private final long perConnection;
  private long held;
  /** A frame waiting for this connection's own requests to finish. */
  private int localLength;
  private Runnable localAdmitted;
  /** A frame waiting in the shared budget's queue. */
  private MemoryBudget.Wait sharedWait;

  ConnectionMemory(Channel channel, ReadGate gate, PeerBudget shared, long perConnection) {
    this.channel = channel;
    this.gate = gate;
    this.shared = shared;
    this.perConnection = perConnection;
  }

  @Override
  public boolean admit(int length, Runnable admitted) {
    if (length == 0) {
      return true;
    }
    if (held > 0 && held + length > perConnection) {
      localLength = length;
      localAdmitted = admitted;
      gate.pause(ReadGate.MEMORY);
      return false;
    }
    return takeShared(length, admitted);
  }

  private boolean takeShared(int length, Runnable admitted) {
    if (held == 0 && length <= SMALL_FRAME) {
      shared.force(length);
      held += length;
      return true;
    }
    MemoryBudget.Wait wait = shared.takeOrWait(length, channel.eventLoop(),
        () -> granted(length, admitted));
    if (wait == null) {
      held += length;
      return true;
    }
    sharedWait = wait;
    gate.pause(ReadGate.MEMORY);
    return false;
  }

  private void granted(int length, Runnable admitted) {
    sharedWait = null;
    if (!channel.isActive()) {
      shared.release(length);
      return;
    }
    held += length;
    gate.resume(ReadGate.MEMORY);
    admitted.run();
  }

  /** A request of {@code bytes} (its frame length) has run or was dropped. */
  void release(long bytes) {
    if (bytes <= 0) {
      return;
    }
    held -= bytes;
    shared.release(bytes);
    if (localAdmitted != null && channel.isActive()
        && (held == 0 || held + localLength <= perConnection)) {
      Runnable admitted = localAdmitted;
      localAdmitted = null;
      if (takeShared(localLength, admitted)) {
        gate.resume(ReadGate.MEMORY);
        admitted.run();
      }
    }
  }

  /** Request bytes this connection holds now. */
  long held() {
    return held;
  }

  /**
   * The connection closed: stops waiting and gives back everything held (queued requests, a
   * half-received frame) except {@code stillRunning} bytes of a request that is running, which
   * its {@link #release} gives back when it ends. A grant already on its way gives its bytes
   * back itself.
   */
  void closed(long stillRunning) {
    localAdmitted = null;
    if (sharedWait != null) {
      sharedWait.cancel();
      sharedWait = null;
    }
    long drop = held - stillRunning;
    held = stillRunning;
    if (drop > 0) {
      shared.release(drop);
    }
  }
}
