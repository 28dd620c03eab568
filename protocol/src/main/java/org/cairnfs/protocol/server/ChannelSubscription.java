package org.cairnfs.protocol.server;

import io.netty.channel.Channel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.cairnfs.protocol.message.Frame;
import org.cairnfs.protocol.message.Response;
import org.cairnfs.protocol.message.WireLimits;

/** A subscription bound to one channel; pushes are frames under the Subscribe's request id. */
final class ChannelSubscription implements Subscription {
  private final Caller caller;
  private final Channel channel;
  private final long requestId;
  private final int maxFrameLength;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final List<Runnable> closeActions = new CopyOnWriteArrayList<>();

  ChannelSubscription(Caller caller, Channel channel, long requestId, int maxFrameLength) {
    this.caller = caller;
    this.channel = channel;
    this.requestId = requestId;
    this.maxFrameLength = maxFrameLength;
    channel.closeFuture().addListener(f -> close());
  }

  @Override
  public Caller caller() {
    return caller;
  }

  @Override
  public void push(List<byte[]> announcements) {
    if (!isOpen()) {
      return;
    }
    // Split so each frame stays under the max: header 9 + count 2 + (4 + len) per announcement.
    List<byte[]> batch = new ArrayList<>();
    long size = 11;
    for (byte[] a : announcements) {
      long entry = 4L + a.length;
      if (!batch.isEmpty() && (size + entry > maxFrameLength
          || batch.size() == WireLimits.MAX_ANNOUNCEMENTS_PER_PUSH)) {
        send(batch);
        batch = new ArrayList<>();
        size = 11;
      }
      batch.add(a);
      size += entry;
    }
    if (!batch.isEmpty()) {
      send(batch);
    }
  }

  private void send(List<byte[]> batch) {
    channel.writeAndFlush(new Frame(requestId, new Response.AnnouncementPush(batch)));
  }

  @Override
  public boolean isOpen() {
    return !closed.get() && channel.isActive();
  }

  @Override
  public void onClose(Runnable action) {
    closeActions.add(action);
    if (closed.get() && closeActions.remove(action)) {
      action.run();
    }
  }

  private void close() {
    if (closed.compareAndSet(false, true)) {
      for (Runnable r : closeActions) {
        if (closeActions.remove(r)) {
          r.run();
        }
      }
    }
  }
}
