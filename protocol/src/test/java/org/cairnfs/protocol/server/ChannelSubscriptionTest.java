package org.cairnfs.protocol.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.cairnfs.protocol.frame.FrameEncoder;
import org.cairnfs.protocol.identity.NodeKey;
import org.cairnfs.protocol.message.WireLimits;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ChannelSubscriptionTest {
  private static final Caller CALLER = new Caller(NodeKey.generate().nodeId(), 1,
      new InetSocketAddress("127.0.0.1", 1));
  private static final long LIMIT = 10_000;

  /** A socket whose peer never reads: writes are held, their promises left pending. */
  static final class StalledSocket extends ChannelOutboundHandlerAdapter {
    final List<ByteBuf> held = new ArrayList<>();
    final List<ChannelPromise> promises = new ArrayList<>();

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      held.add((ByteBuf) msg);
      promises.add(promise);
    }

    long heldBytes() {
      return held.stream().mapToLong(ByteBuf::readableBytes).sum();
    }

    /** The peer finally reads everything. */
    void drain() {
      held.forEach(ByteBuf::release);
      held.clear();
      promises.forEach(ChannelPromise::setSuccess);
      promises.clear();
    }
  }

  private final StalledSocket socket = new StalledSocket();
  private final EmbeddedChannel channel =
      new EmbeddedChannel(socket, new FrameEncoder(WireLimits.DEFAULT_MAX_FRAME));

  @AfterEach
  void release() {
    socket.drain();
    channel.finishAndReleaseAll();
  }

  private ChannelSubscription subscription() {
    return new ChannelSubscription(CALLER, channel, 7, WireLimits.DEFAULT_MAX_FRAME, LIMIT,
        new PeerBudget(new MemoryBudget("address", 64L << 20),
            new MemoryBudget("response", 64L << 20)));
  }

  private static List<byte[]> announcements(int count, int size) {
    List<byte[]> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(new byte[size]);
    }
    return out;
  }

  @Test
  void countsExactlyTheEncodedBytesStillUnsentAndForgetsThemOnceWritten() {
    ChannelSubscription sub = subscription();
    sub.push(announcements(3, 500));
    sub.push(announcements(1, 20));
    assertThat(sub.pendingBytes()).isEqualTo(socket.heldBytes()).isPositive();
    socket.drain();
    assertThat(sub.pendingBytes()).isZero();
  }

  @Test
  void aSubscriberThatNeverReadsIsDisconnectedOnceOverTheLimit() {
    ChannelSubscription sub = subscription();
    AtomicInteger closes = new AtomicInteger();
    sub.onClose(closes::incrementAndGet);
    int pushes = 0;
    while (sub.isOpen() && pushes < 100) {
      sub.push(announcements(1, 3000));
      pushes++;
    }
    assertThat(channel.isOpen()).isFalse();
    assertThat(closes).hasValue(1);
    // the first push is the snapshot and does not count; four updates of ~3 KB pass 10 000
    // bytes, and the fifth update finds them unsent and closes
    assertThat(pushes).isEqualTo(6);
    assertThat(socket.held).hasSize(5);
    assertThat(socket.heldBytes()).isGreaterThan(LIMIT);
    sub.push(announcements(1, 3000));
    assertThat(socket.held).hasSize(5);
  }

  @Test
  void oneSnapshotLargerThanTheLimitIsAcceptedOntoAnEmptyQueue() {
    ChannelSubscription sub = subscription();
    sub.push(announcements(40, 1000));
    assertThat(sub.isOpen()).isTrue();
    assertThat(socket.heldBytes()).isGreaterThan(LIMIT);
  }

  @Test
  void aSubscriberThatKeepsReadingIsNeverDisconnected() {
    ChannelSubscription sub = subscription();
    for (int i = 0; i < 50; i++) {
      sub.push(announcements(1, 3000));
      socket.drain();
    }
    assertThat(sub.isOpen()).isTrue();
    assertThat(sub.pendingBytes()).isZero();
  }

  @Test
  void framesWaitForTheResponseBudgetAndGoOutAsItIsGivenBack() {
    MemoryBudget server = new MemoryBudget("response", 64 << 10);
    ChannelSubscription sub = new ChannelSubscription(CALLER, channel, 7,
        WireLimits.DEFAULT_MAX_FRAME, 1 << 20,
        new PeerBudget(new MemoryBudget("address", 1 << 20), server));
    sub.push(announcements(1, 40_000));
    sub.push(announcements(1, 40_000));
    assertThat(socket.held).as("the second frame waits for budget, unencoded").hasSize(1);
    assertThat(server.used()).isLessThanOrEqualTo(64 << 10);
    assertThat(sub.pendingBytes()).isGreaterThan(socket.heldBytes());
    socket.drain();
    channel.runPendingTasks();
    assertThat(socket.held).hasSize(1);
    socket.drain();
    channel.runPendingTasks();
    assertThat(sub.pendingBytes()).isZero();
    assertThat(server.used()).isZero();
  }

  /** The frames {@code socket} holds, each as its length on the wire (prefix included). */
  private List<Integer> heldFrameLengths() {
    return socket.held.stream().map(ByteBuf::readableBytes).toList();
  }

  /**
   * A frame takes queued announcements while they fit its length exactly (header 9, count 2,
   * each 4 plus its bytes) and never more than the per-push count.
   */
  @Test
  void pushesAreBatchedIntoFramesThatFitExactly() {
    ChannelSubscription sub = new ChannelSubscription(CALLER, channel, 7, 1000, LIMIT,
        new PeerBudget(new MemoryBudget("address", 64L << 20),
            new MemoryBudget("response", 64L << 20)));
    assertThat(sub.caller()).isEqualTo(CALLER);
    // Queued while the socket is unwritable, so that one drain sees all three.
    channel.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
    sub.push(List.of(new byte[490], new byte[491], new byte[0]));
    channel.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
    sub.drain();
    assertThat(heldFrameLengths()).containsExactly(4 + 1000, 4 + 11 + 4);
    socket.drain();
    ChannelSubscription wide = subscription();
    wide.push(announcements(WireLimits.MAX_ANNOUNCEMENTS_PER_PUSH + 1, 0));
    assertThat(heldFrameLengths()).as("1 024 in one frame, the last in the next")
        .containsExactly(4 + 11 + 4 * WireLimits.MAX_ANNOUNCEMENTS_PER_PUSH, 4 + 11 + 4);
  }

  /** The limit is on what is already unsent: exactly the limit still takes one more push. */
  @Test
  void aSubscriberExactlyAtTheLimitIsStillServed() {
    ChannelSubscription sub = subscription();
    sub.push(List.of()); // the snapshot, empty
    sub.push(announcements(1, (int) LIMIT - 4 - 15));
    assertThat(sub.unsentUpdateBytes()).isEqualTo(LIMIT);
    sub.push(announcements(1, 10));
    assertThat(sub.isOpen()).isTrue();
    assertThat(socket.held).hasSize(2);
    sub.push(announcements(1, 10));
    assertThat(sub.isOpen()).as("now past it").isFalse();
  }

  /** A push to a closed subscriber queues nothing and counts nothing. */
  @Test
  void aPushAfterTheCloseIsDropped() {
    ChannelSubscription sub = subscription();
    channel.close();
    sub.push(announcements(1, 100));
    assertThat(sub.pendingBytes()).isZero();
    assertThat(socket.held).isEmpty();
  }

  @Test
  void anActionAddedAfterTheCloseRunsAtOnceAndOnlyOnce() {
    ChannelSubscription sub = subscription();
    AtomicInteger before = new AtomicInteger();
    sub.onClose(before::incrementAndGet);
    channel.close();
    AtomicInteger after = new AtomicInteger();
    sub.onClose(after::incrementAndGet);
    assertThat(before).hasValue(1);
    assertThat(after).hasValue(1);
    assertThat(sub.isOpen()).isFalse();
  }

  /** After a grant sends its frame, the rest of the queue goes out too without waiting. */
  @Test
  void aGrantedFrameIsFollowedByWhatQueuedBehindIt() {
    MemoryBudget server = new MemoryBudget("response", 100_000);
    ChannelSubscription sub = new ChannelSubscription(CALLER, channel, 7,
        WireLimits.DEFAULT_MAX_FRAME, 1 << 20,
        new PeerBudget(new MemoryBudget("address", 1 << 20), server));
    assertThat(server.tryTake(70_000)).isTrue();
    sub.push(announcements(1, 30_000 - 4 - 15));
    sub.push(announcements(1, 30_000 - 4 - 15));
    sub.push(announcements(1, 30_000 - 4 - 15));
    assertThat(socket.held).as("the second waits, the third behind it").hasSize(1);
    server.release(70_000);
    channel.runPendingTasks();
    assertThat(socket.held).hasSize(3);
    assertThat(server.used()).isEqualTo(90_000);
  }

  /** A closed subscriber's frame leaves the response queue, where it held up everyone. */
  @Test
  void closingWithdrawsAFrameWaitingForTheResponseBudget() {
    MemoryBudget server = new MemoryBudget("response", 64 << 10);
    ChannelSubscription sub = new ChannelSubscription(CALLER, channel, 7,
        WireLimits.DEFAULT_MAX_FRAME, 1 << 20,
        new PeerBudget(new MemoryBudget("address", 1 << 20), server));
    assertThat(server.tryTake(64 << 10)).isTrue();
    sub.push(announcements(1, 1000));
    assertThat(server.waiting()).isEqualTo(1);
    channel.close();
    assertThat(server.waiting()).isZero();
    server.release(64 << 10);
    channel.runPendingTasks();
    assertThat(server.used()).isZero();
    assertThat(socket.held).isEmpty();
  }

  /**
   * What queued while the socket was unwritable goes out when an earlier frame is written:
   * the subscription drains itself then, whoever else may be told of the writability.
   */
  @Test
  void aWrittenFrameLetsTheQueueBehindItOut() {
    ChannelSubscription sub = subscription();
    sub.push(announcements(1, 100));
    channel.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
    sub.push(announcements(1, 200));
    assertThat(socket.held).hasSize(1);
    channel.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
    socket.held.remove(0).release(); // the peer reads the first frame
    socket.promises.remove(0).setSuccess();
    assertThat(heldFrameLengths()).containsExactly(4 + 11 + 4 + 200);
  }

  /** A version-1 announcement's first bytes: magic, version 1, then the node id {@code node}. */
  private static byte[] announcementOf(int node, int size, int fill) {
    byte[] a = new byte[size];
    Arrays.fill(a, (byte) fill);
    a[0] = 'C';
    a[1] = 'A';
    a[2] = 'N';
    a[3] = 'N';
    a[4] = 0;
    a[5] = 1;
    Arrays.fill(a, 6, ChannelSubscription.NODE_KEY_LENGTH, (byte) node);
    return a;
  }

  /**
   * A subscriber that reads nothing holds a snapshot as the one list it was given: nothing is
   * encoded or counted for it, so N such subscribers of a 4 MB snapshot cost N references.
   */
  @Test
  void aSnapshotIsKeptByReferenceAndNothingIsCountedOrEncodedWhileTheSocketIsFull() {
    List<byte[]> shared = List.copyOf(announcements(100, 40_000));
    channel.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
    List<ChannelSubscription> subs = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      ChannelSubscription sub = subscription();
      sub.push(shared);
      subs.add(sub);
    }
    for (ChannelSubscription sub : subs) {
      assertThat(sub.isOpen()).isTrue();
      assertThat(sub.pendingBytes()).isZero();
      assertThat(sub.snapshotRemaining()).isEqualTo(100);
    }
    assertThat(socket.held).isEmpty();
  }

  /**
   * A subscriber reading a snapshot far larger than the limit slowly is not dropped for the
   * small updates that arrive meanwhile: only updates count against the limit.
   */
  @Test
  void theUnsentSnapshotDoesNotCountAgainstTheLimit() {
    ChannelSubscription sub = subscription();
    channel.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
    sub.push(announcements(40, 1000)); // 40 KB snapshot, limit 10 000
    for (int i = 0; i < 5; i++) {
      sub.push(List.of(announcementOf(i, 1000, 0)));
    }
    assertThat(sub.isOpen()).isTrue();
    assertThat(sub.unsentUpdateBytes()).isEqualTo(5 * 1004);
    channel.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
    sub.drain();
    assertThat(sub.snapshotRemaining()).isZero();
    assertThat(socket.heldBytes()).isEqualTo(15 + 40 * 1004 + 15 + 5 * 1004);
  }

  /** Updates of one node queued unsent keep only the latest; other nodes keep their place. */
  @Test
  void queuedUpdatesOfOneNodeAreCoalescedToTheLatest() {
    ChannelSubscription sub = subscription();
    sub.push(List.of());
    channel.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
    byte[] otherNode = announcementOf(9, 500, 0);
    sub.push(List.of(announcementOf(1, 2000, 1)));
    sub.push(List.of(otherNode));
    for (int seq = 2; seq <= 50; seq++) {
      sub.push(List.of(announcementOf(1, 2000, seq)));
    }
    assertThat(sub.isOpen()).as("50 updates of 2 KB, but one node: under the limit").isTrue();
    assertThat(sub.unsentUpdateBytes()).isEqualTo(2004 + 504);
    channel.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
    sub.drain();
    assertThat(heldFrameLengths()).containsExactly(4 + 11 + 2004 + 504);
    ByteBuf frame = socket.held.get(0);
    // the first entry is node 1's latest (fill 50), in node 1's original place
    assertThat(frame.getByte(4 + 11 + 4 + 100)).isEqualTo((byte) 50);
    socket.drain();
    assertThat(sub.unsentUpdateBytes()).isZero();
    assertThat(sub.pendingBytes()).isZero();
  }

  /** Entries that are not version-1 announcements are never merged, even when equal. */
  @Test
  void entriesThatAreNotAnnouncementsAreNotCoalesced() {
    assertThat(ChannelSubscription.nodeKey(new byte[100]))
        .isNotEqualTo(ChannelSubscription.nodeKey(new byte[100]));
    assertThat(ChannelSubscription.nodeKey(announcementOf(3, 40, 1)))
        .isEqualTo(ChannelSubscription.nodeKey(announcementOf(3, 90, 2)))
        .isNotEqualTo(ChannelSubscription.nodeKey(announcementOf(4, 40, 1)));
  }
}
