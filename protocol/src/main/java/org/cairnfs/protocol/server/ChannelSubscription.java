package org.cairnfs.protocol.server;

import io.netty.channel.Channel;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.RandomAccess;
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
 * <p>The first push is the <b>snapshot</b>: its list is kept as it is (by reference, never
 * copied; the backend must not change it afterwards) and walked with a cursor, so a snapshot
 * that many subscribers share costs each of them one reference. Later pushes are
 * <b>updates</b>: they wait in a queue that keeps only the latest of the entries that are
 * version-1 announcements of the same node (same first 38 bytes: magic, version, node id; see
 * announcement.md), so a node that re-publishes while its last update is unsent replaces it.
 * Entries are references to the backend's arrays, encoded into a frame only while the socket
 * is writable and after the frame's bytes were taken from the server-wide response budget:
 * the snapshot first, then the updates.
 *
 * <p>A push that finds more than {@code maxPendingBytes} of <em>updates</em> queued or unsent
 * closes the connection rather than let a subscriber that never reads make the server hold
 * without bound (it reconnects and gets a full snapshot, so nothing is lost but time). The
 * snapshot does not count: it is paced by the socket alone, so a subscriber that reads it
 * slowly is not dropped because the grid is large.
 */
final class ChannelSubscription implements Subscription {
  private static final Logger log = LoggerFactory.getLogger(ChannelSubscription.class);
  /** Length prefix, frame header and announcement count: what a frame adds to its entries. */
  private static final int FRAME_OVERHEAD = 4 + 9 + 2;
  /** Magic, version and node id of a version-1 announcement (announcement.md). */
  static final int NODE_KEY_LENGTH = 4 + 2 + 32;

  private final Caller caller;
  private final Channel channel;
  private final long requestId;
  private final int maxFrameLength;
  private final long maxPendingBytes;
  private final PeerBudget responses;
  /** Guards the snapshot, its cursor and the update queue (pushes come from any thread). */
  private final Object queueLock = new Object();
  private List<byte[]> snapshot;
  private int snapshotNext;
  private boolean snapshotTaken;
  private final Map<Object, byte[]> updates = new LinkedHashMap<>();
  /** Updates queued plus frames of updates handed to the channel and not yet written. */
  private final AtomicLong unsentUpdateBytes = new AtomicLong();
  /** Updates queued plus every frame handed to the channel and not yet written. */
  private final AtomicLong pendingBytes = new AtomicLong();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final List<Runnable> closeActions = new CopyOnWriteArrayList<>();
  /** Event loop only: a frame's batch waiting for response budget. */
  private MemoryBudget.Wait waiting;
  /** Closes this subscription when its channel closes; removed again by {@link #discard}. */
  private final io.netty.channel.ChannelFutureListener onChannelClose = f -> close();

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
    channel.closeFuture().addListener(onChannelClose);
  }

  /**
   * Forgets a subscription the backend refused: closed, and no longer referenced by its
   * channel, so nothing of it stays while the connection lives on.
   */
  void discard() {
    channel.closeFuture().removeListener(onChannelClose);
    close();
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
    synchronized (queueLock) {
      if (!snapshotTaken) {
        snapshotTaken = true;
        snapshot = announcements instanceof RandomAccess ? announcements
            : new ArrayList<>(announcements);
      } else {
        long unsent = unsentUpdateBytes.get();
        if (unsent > maxPendingBytes) {
          log.warn("subscriber {} is not reading its updates ({} update bytes unsent, limit {});"
              + " closing its connection, it will reconnect for a fresh snapshot", caller,
              unsent, maxPendingBytes);
          channel.close();
          return;
        }
        for (byte[] a : announcements) {
          byte[] replaced = updates.put(nodeKey(a), a);
          long delta = 4L + a.length - (replaced == null ? 0 : 4L + replaced.length);
          unsentUpdateBytes.addAndGet(delta);
          pendingBytes.addAndGet(delta);
        }
      }
    }
    if (channel.eventLoop().inEventLoop()) {
      drain();
    } else {
      channel.eventLoop().execute(this::drain);
    }
  }

  /**
   * The coalescing key: the first 38 bytes of a version-1 announcement (so one node's updates
   * replace each other), or a fresh object for anything else (never coalesced).
   */
  static Object nodeKey(byte[] a) {
    if (a.length >= NODE_KEY_LENGTH && a[0] == 'C' && a[1] == 'A' && a[2] == 'N' && a[3] == 'N'
        && a[4] == 0 && a[5] == 1) {
      return ByteBuffer.wrap(a, 0, NODE_KEY_LENGTH).asReadOnlyBuffer();
    }
    return new Object();
  }

  /**
   * Writes the snapshot, then queued updates, while the socket is writable and the response
   * budget lets frames out. Event loop only; called after each push, written frame and
   * writability change.
   */
  void drain() {
    while (waiting == null && channel.isActive() && channel.isWritable()) {
      Batch batch = nextBatch();
      if (batch == null) {
        return;
      }
      long frameBytes = FRAME_OVERHEAD + batch.entryBytes;
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

  /** One frame's announcements: from the snapshot or from the updates, never both. */
  private record Batch(List<byte[]> entries, long entryBytes, boolean updates) {}

  /**
   * Takes as many announcements as fit one frame (and the per-frame count limit): from the
   * snapshot while any of it is unsent, then from the updates. Null when nothing waits.
   */
  private Batch nextBatch() {
    synchronized (queueLock) {
      List<byte[]> batch = new ArrayList<>();
      long size = 11; // header 9 + count 2
      if (snapshot != null && snapshotNext < snapshot.size()) {
        while (snapshotNext < snapshot.size()) {
          byte[] next = snapshot.get(snapshotNext);
          if (!fits(batch, size, next)) {
            break;
          }
          batch.add(next);
          size += 4L + next.length;
          snapshotNext++;
        }
        if (snapshotNext == snapshot.size()) {
          snapshot = null; // let the shared list go once sent
        }
        long entries = size - 11;
        pendingBytes.addAndGet(FRAME_OVERHEAD + entries);
        return new Batch(batch, entries, false);
      }
      if (updates.isEmpty()) {
        return null;
      }
      Iterator<byte[]> it = updates.values().iterator();
      while (it.hasNext()) {
        byte[] next = it.next();
        if (!fits(batch, size, next)) {
          break;
        }
        it.remove();
        batch.add(next);
        size += 4L + next.length;
      }
      unsentUpdateBytes.addAndGet(FRAME_OVERHEAD);
      pendingBytes.addAndGet(FRAME_OVERHEAD);
      return new Batch(batch, size - 11, true);
    }
  }

  private boolean fits(List<byte[]> batch, long size, byte[] next) {
    return batch.isEmpty() || size + 4L + next.length <= maxFrameLength
        && batch.size() < WireLimits.MAX_ANNOUNCEMENTS_PER_PUSH;
  }

  private void send(Batch batch, long frameBytes) {
    if (!channel.isActive()) {
      written(batch, frameBytes);
      return;
    }
    channel.writeAndFlush(new Frame(requestId, new Response.AnnouncementPush(batch.entries())))
        .addListener(f -> {
          written(batch, frameBytes);
          drain();
        });
  }

  private void written(Batch batch, long frameBytes) {
    responses.release(frameBytes);
    pendingBytes.addAndGet(-frameBytes);
    if (batch.updates()) {
      unsentUpdateBytes.addAndGet(-frameBytes);
    }
  }

  /**
   * Bytes of updates queued plus frames (snapshot or updates) handed to the channel and not
   * yet written out (or failed); the unsent rest of the snapshot is not counted.
   */
  long pendingBytes() {
    return pendingBytes.get();
  }

  /** What the limit counts: updates queued plus frames of updates not yet written. */
  long unsentUpdateBytes() {
    return unsentUpdateBytes.get();
  }

  /** Snapshot entries not yet taken into a frame. */
  int snapshotRemaining() {
    synchronized (queueLock) {
      return snapshot == null ? 0 : snapshot.size() - snapshotNext;
    }
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
    synchronized (queueLock) {
      snapshot = null;
      updates.clear();
    }
    if (waiting != null) {
      waiting.cancel();
      waiting = null;
    }
  }
}
