package org.cairnfs.introducer.server;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.cairnfs.introducer.announcement.Announcement;
import org.cairnfs.introducer.announcement.AnnouncementException;
import org.cairnfs.protocol.identity.NodeId;
import org.cairnfs.protocol.server.Caller;
import org.cairnfs.protocol.server.Subscription;

/** Records pushes; closed on demand. */
final class FakeSubscription implements Subscription {
  private final Caller caller;
  final List<Announcement> received = new ArrayList<>();
  /** Every push as given, arrays and list alike (to check what is shared). */
  final List<List<byte[]>> pushes = new ArrayList<>();
  private final List<Runnable> onClose = new ArrayList<>();
  private boolean open = true;

  FakeSubscription() {
    this(new Caller(NodeId.of(new byte[32]), 1, new InetSocketAddress(1)));
  }

  FakeSubscription(Caller caller) {
    this.caller = caller;
  }

  @Override
  public Caller caller() {
    return caller;
  }

  @Override
  public synchronized void push(List<byte[]> announcements) {
    pushes.add(announcements);
    for (byte[] b : announcements) {
      try {
        received.add(Announcement.parse(b));
      } catch (AnnouncementException e) {
        throw new AssertionError("introducer pushed a bad announcement", e);
      }
    }
  }

  @Override
  public synchronized boolean isOpen() {
    return open;
  }

  @Override
  public synchronized void onClose(Runnable action) {
    if (open) {
      onClose.add(action);
    } else {
      action.run();
    }
  }

  synchronized void close() {
    open = false;
    onClose.forEach(Runnable::run);
  }
}
