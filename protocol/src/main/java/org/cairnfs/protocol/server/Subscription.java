package org.cairnfs.protocol.server;

import java.util.List;

/**
 * The server side of one client's Subscribe: the introducer backend keeps it and pushes
 * announcements whenever it likes, from any thread.
 */
public interface Subscription {
  /** Who subscribed. */
  Caller caller();

  /**
   * Sends announcements (opaque signed bytes, each at most MAX_ANNOUNCEMENT) to the subscriber,
   * split over as many frames as needed. Silently does nothing once the connection is closed.
   */
  void push(List<byte[]> announcements);

  /** False once the subscriber's connection has closed. */
  boolean isOpen();

  /** Runs {@code action} once when the connection closes (at once if already closed). */
  void onClose(Runnable action);
}
