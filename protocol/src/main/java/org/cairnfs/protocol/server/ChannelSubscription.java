package org.cairnfs.protocol.server;

import io.netty.channel.Channel;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
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
 * <p>Bounded three ways. Pushed announcements wait in a queue as references (the introducer
 * holds the same arrays), and are encoded into a frame only while the socket is writable and
 * after the frame's bytes were taken from the server-wide response budget, so a snapshot to a
 * thousand subscribers costs a frame at a time each, not a thousand encoded copies. A push that
 * finds more than {@code maxPendingBytes} queued or unsent closes the connection rather than
 * let a subscriber that never reads make the server hold without bound (it reconnects and gets
 * a full snapshot, so nothing is lost but time). One push of any size is accepted onto an empty
 * queue, so a large snapshot never trips it.
 */
final class ChannelSubscription implements Subscription {
  private static final Logger log = LoggerFactory.getLogger(ChannelSubscription.class);
  /** Length prefix, frame header and announcement count: what a frame adds to its entries. */
  private static final int FRAME_OVERHEAD = 4 + 9 + 2;

  private final Caller caller;
  private final Channel channel;
  private final long requestId;
  private final int maxFrameLength;
  private final long maxPendingBytes;
  private final PeerBudget responses;
  private final Queue<byte[]> queue = new ConcurrentLinkedQueue<>();
  private final AtomicLong pendingBytes = new AtomicLong();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final List<Runnable> closeActions = new CopyOnWriteArrayList<>();
  /** Event loop only: a frame's batch waiting for response budget. */
  private MemoryBudget.Wait waiting;

  ChannelSubscription(Caller caller, Channel channel, long requestId, int maxFrameLength,
      PeerBudget responses) {
    this(caller, channel, requestId, maxFrameLength, WireLimits.MAX_PENDING_PUSH_BYTES,
        responses);
  }

  ChannelSubscription(Caller caller, Channel channel, long requestId, int maxFrameLength,
      long maxPendingBytes, PeerBudget responses) {
    this.caller = caller;
    this.channel = channel;
    this.requestId = requestId;
    this.maxFrameLength = maxFrameLength;
    this.maxPendingBytes = maxPendingBytes;
    this.responses = responses;
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
    for (byte[] a : announcements) {
      pendingBytes.addAndGet(4L + a.length);
      queue.add(a);
    }
    if (channel.eventLoop().inEventLoop()) {
      drain();
    } else {
      channel.eventLoop().execute(this::drain);
    }
  }

  /**
   * Writes queued announcements while the socket is writable and the response budget lets
   * frames out. Event loop only; called after each push, written frame and writability change.
   */
  void drain() {
    while (waiting == null && channel.isActive() && channel.isWritable() && !queue.isEmpty()) {
      List<byte[]> batch = nextBatch();
      long entries = 0;
      for (byte[] a : batch) {
        entries += 4L + a.length;
      }
      long frameBytes = FRAME_OVERHEAD + entries;
      pendingBytes.addAndGet(FRAME_OVERHEAD);
      MemoryBudget.Wait wait = responses.takeOrWait(frameBytes, channel.eventLoop(), () -> {
        waiting = null;
        send(batch, frameBytes);
        drain();
      });
      if (wait != null) {
        waiting = wait;
        return;
      }
      send(batch, frameBytes);
    }
  }

  /** Takes as many queued announcements as fit one frame (and the per-frame count limit). */
  private List<byte[]> nextBatch() {
    List<byte[]> batch = new ArrayList<>();
    long size = 11; // header 9 + count 2
    byte[] next;
    while ((next = queue.peek()) != null) {
      long entry = 4L + next.length;
      if (!batch.isEmpty() && (size + entry > maxFrameLength
          || batch.size() == WireLimits.MAX_ANNOUNCEMENTS_PER_PUSH)) {
        break;
      }
      batch.add(queue.poll());
      size += entry;
    }
    return batch;
  }

  private void send(List<byte[]> batch, long frameBytes) {
    if (!channel.isActive()) {
      responses.release(frameBytes);
      pendingBytes.addAndGet(-frameBytes);
      return;
    }
    channel.writeAndFlush(new Frame(requestId, new Response.AnnouncementPush(batch)))
        .addListener(f -> {
          responses.release(frameBytes);
          pendingBytes.addAndGet(-frameBytes);
          drain();
        });
  }

  /** Bytes of pushes queued or handed to the channel and not yet written out (or failed). */
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
      if (channel.eventLoop().inEventLoop()) {
        stopWaiting();
      } else {
        channel.eventLoop().execute(this::stopWaiting);
      }
      for (Runnable r : closeActions) {
        if (closeActions.remove(r)) {
          r.run();
        }
      }
    }
  }

  private void stopWaiting() {
    queue.clear();
    if (waiting != null) {
      waiting.cancel();
      waiting = null;
    }
  }
}
