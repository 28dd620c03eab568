package org.cairnfs.protocol.server;

import io.netty.channel.Channel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.cairnfs.protocol.message.Frame;
import org.cairnfs.protocol.message.Response;
import org.cairnfs.protocol.message.WireLimits;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A subscription bound to one channel; pushes are frames under the Subscribe's request id.
 *
 * <p>Bounded: it counts the bytes of pushes written but not yet sent to the socket, and a push
 * that finds more than {@code maxPendingBytes} queued closes the connection rather than let a
 * subscriber that never reads make the server buffer without bound. The subscriber reconnects
 * and gets a full snapshot, so nothing is lost but time.
 */
final class ChannelSubscription implements Subscription {
  private static final Logger log = LoggerFactory.getLogger(ChannelSubscription.class);
  /** The frame's length prefix, outside the frame size the batching counts. */
  private static final int LENGTH_PREFIX = 4;

  private final Caller caller;
  private final Channel channel;
  private final long requestId;
  private final int maxFrameLength;
  private final long maxPendingBytes;
  private final AtomicLong pendingBytes = new AtomicLong();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final List<Runnable> closeActions = new CopyOnWriteArrayList<>();

  ChannelSubscription(Caller caller, Channel channel, long requestId, int maxFrameLength) {
    this(caller, channel, requestId, maxFrameLength, WireLimits.MAX_PENDING_PUSH_BYTES);
  }

  ChannelSubscription(Caller caller, Channel channel, long requestId, int maxFrameLength,
      long maxPendingBytes) {
    this.caller = caller;
    this.channel = channel;
    this.requestId = requestId;
    this.maxFrameLength = maxFrameLength;
    this.maxPendingBytes = maxPendingBytes;
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
    long queued = pendingBytes.get();
    if (queued > maxPendingBytes) {
      log.warn("subscriber {} is not reading ({} push bytes unsent, limit {}); closing its"
          + " connection, it will reconnect for a fresh snapshot", caller, queued, maxPendingBytes);
      channel.close();
      return;
    }
    // Split so each frame stays under the max: header 9 + count 2 + (4 + len) per announcement.
    List<byte[]> batch = new ArrayList<>();
    long size = 11;
    for (byte[] a : announcements) {
      long entry = 4L + a.length;
      if (!batch.isEmpty() && (size + entry > maxFrameLength
          || batch.size() == WireLimits.MAX_ANNOUNCEMENTS_PER_PUSH)) {
        send(batch, size);
        batch = new ArrayList<>();
        size = 11;
      }
      batch.add(a);
      size += entry;
    }
    if (!batch.isEmpty()) {
      send(batch, size);
    }
  }

  private void send(List<byte[]> batch, long frameSize) {
    long bytes = LENGTH_PREFIX + frameSize;
    pendingBytes.addAndGet(bytes);
    channel.writeAndFlush(new Frame(requestId, new Response.AnnouncementPush(batch)))
        .addListener(f -> pendingBytes.addAndGet(-bytes));
  }

  /** Bytes of pushes handed to the channel and not yet written out (or failed). */
  long pendingBytes() {
    return pendingBytes.get();
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
