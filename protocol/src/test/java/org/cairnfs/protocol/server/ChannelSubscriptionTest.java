package org.cairnfs.protocol.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.util.ArrayList;
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
    // four pushes of ~3 KB pass 10 000 bytes; the fifth finds them unsent and closes
    assertThat(pushes).isEqualTo(5);
    assertThat(socket.held).hasSize(4);
    assertThat(socket.heldBytes()).isGreaterThan(LIMIT);
    sub.push(announcements(1, 3000));
    assertThat(socket.held).hasSize(4);
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
}
