package org.cairnfs.protocol.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.protocol.frame.FrameEncoder;
import org.cairnfs.protocol.identity.NodeKey;
import org.cairnfs.protocol.message.ErrorCode;
import org.cairnfs.protocol.message.Frame;
import org.cairnfs.protocol.message.Hello;
import org.cairnfs.protocol.message.Request;
import org.cairnfs.protocol.message.Response;
import org.cairnfs.protocol.message.SampleMessages;
import org.cairnfs.protocol.message.WireLimits;
import org.junit.jupiter.api.Test;

/**
 * What {@link ServerHandler} gives back and refuses when a client misbehaves or goes away: the
 * server-wide request and response budgets return to zero, a closing connection starts and
 * writes nothing more, and waits, timers and in-flight counts end with it. The real pipeline
 * in an EmbeddedChannel whose backend executor only collects tasks (the test runs them), with
 * the test's own {@link SharedLimits} and a socket that can hold writes unsent.
 */
class ServerHandlerDefenceTest {
  private static final StorageIndex A = SampleMessages.index(1);
  private static final StorageIndex B = SampleMessages.index(2);

  private final MemoryStorageBackend backend = new MemoryStorageBackend(1 << 20, 1 << 16);
  /** Backend calls started by the handler and not yet run by the test. */
  private final List<Runnable> started = new ArrayList<>();
  private final HeldWrites socket = new HeldWrites();
  private final ServerConfig config = ServerConfig.builder(NodeKey.generate()).storage(backend)
      .maxInFlight(4).build();
  private final SharedLimits shared = SharedLimits.of(config);

  /** Writes pass, or while {@code hold} is set wait unsent, their promises pending. */
  static final class HeldWrites extends ChannelOutboundHandlerAdapter {
    boolean hold;
    private final List<Object> held = new ArrayList<>();
    private final List<ChannelPromise> promises = new ArrayList<>();
    private ChannelHandlerContext ctx;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      this.ctx = ctx;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      if (hold) {
        held.add(msg);
        promises.add(promise);
      } else {
        ctx.write(msg, promise);
      }
    }

    int held() {
      return held.size();
    }

    /** Sends everything held and stops holding. */
    void release() {
      hold = false;
      for (int i = 0; i < held.size(); i++) {
        ctx.write(held.get(i), promises.get(i));
      }
      held.clear();
      promises.clear();
      ctx.flush();
    }
  }

  private EmbeddedChannel open(Executor executor) {
    EmbeddedChannel ch = new EmbeddedChannel(socket);
    ServerInitializer.addProtocol(ch, config, shared,
        shared.connections().admitAddress(ch.remoteAddress()),
        new RequestDispatcher(config.storage, config.introducer, config.maxFrameLength,
            config.maxInFlight),
        executor, new FrameEncoder(config.maxFrameLength));
    return ch;
  }

  /** As after TLS: the peer's node id is known, no hello yet. */
  private EmbeddedChannel authenticated(Executor executor) {
    EmbeddedChannel ch = open(executor);
    ServerHandler handler = (ServerHandler) ch.pipeline().get("handler");
    handler.authenticated(ch.pipeline().context(handler), NodeKey.generate().nodeId());
    return ch;
  }

  private EmbeddedChannel greeted(Executor executor) throws Exception {
    EmbeddedChannel ch = authenticated(executor);
    ch.writeInbound(ServerHandlerTest.wire(0, Hello.current(Hello.ROLE_CLIENT)));
    assertThat(ServerHandlerTest.drain(ch)).hasSize(1);
    return ch;
  }

  private EmbeddedChannel greeted() throws Exception {
    return greeted(started::add);
  }

  private static void send(EmbeddedChannel ch, long id, Request r) {
    ch.writeInbound(ServerHandlerTest.wire(id, r));
  }

  /** A frame shorter than its header: malformed past answering in turn. */
  private static ByteBuf fatalFrame() {
    return Unpooled.buffer().writeInt(3).writeMedium(0);
  }

  /** A frame of an unknown type: answered UNSUPPORTED under its id, in turn. */
  private static ByteBuf unknownType(long id) {
    return Unpooled.buffer().writeInt(9 + 3).writeByte(0x3E).writeLong(id).writeMedium(0);
  }

  private static Request allocate(StorageIndex si) {
    return new Request.Allocate(si, new byte[32], new byte[32], 4, Set.of(0));
  }

  /** Other connections take what is left of the server-wide response budget. */
  private Runnable responsesFull() {
    long rest = shared.responses().max() - shared.responses().used();
    assertThat(shared.responses().tryTake(rest)).isTrue();
    return () -> shared.responses().release(rest);
  }

  private void runStarted() {
    while (!started.isEmpty()) {
      started.remove(0).run();
    }
  }

  private void assertBudgetsEmpty() {
    assertThat(shared.requests().used()).as("request bytes").isZero();
    assertThat(shared.responses().used()).as("response bytes").isZero();
  }

  /** Only TLS proves who is talking: a frame before that is never acted on. */
  @Test
  void aFrameBeforeTheHandshakeIsNotAnsweredAndClosesTheConnection() throws Exception {
    EmbeddedChannel ch = open(started::add);
    ch.writeInbound(ServerHandlerTest.wire(0, Hello.current(Hello.ROLE_CLIENT)));
    assertThat(ServerHandlerTest.drain(ch)).isEmpty();
    assertThat(ch.isOpen()).isFalse();
    runStarted();
    assertThat(backend.closedConnections).as("no caller, nothing to tell the backend").isZero();
    assertBudgetsEmpty();
  }

  @Test
  void aMalformedFrameBeforeTheHelloIsAnsweredAndClosesTheConnection() throws Exception {
    EmbeddedChannel ch = authenticated(started::add);
    ch.writeInbound(unknownType(5));
    assertThat(ServerHandlerTest.drain(ch)).singleElement().satisfies(f ->
        assertThat(((Response.Error) f.message()).code()).isEqualTo(ErrorCode.UNSUPPORTED));
    assertThat(ch.isOpen()).isFalse();
  }

  @Test
  void aFrameShorterThanItsHeaderClosesEvenAfterTheHello() throws Exception {
    EmbeddedChannel ch = greeted();
    ch.writeInbound(fatalFrame());
    assertThat(ServerHandlerTest.drain(ch)).singleElement().satisfies(f ->
        assertThat(((Response.Error) f.message()).code()).isEqualTo(ErrorCode.BAD_REQUEST));
    assertThat(ch.isOpen()).isFalse();
    assertBudgetsEmpty();
  }

  /** Else each bad frame would keep its bytes and a peer could fill its share with junk. */
  @Test
  void aMalformedFrameGivesItsBytesBackOnceAnswered() throws Exception {
    EmbeddedChannel ch = greeted();
    ch.writeInbound(unknownType(5));
    assertThat(ServerHandlerTest.drain(ch)).singleElement().satisfies(f ->
        assertThat(f.requestId()).isEqualTo(5));
    assertThat(ch.isOpen()).isTrue();
    assertBudgetsEmpty();
    ch.finish();
  }

  @Test
  void aResponseSentByTheClientIsRefusedInTurnAndGivesItsBytesBack() throws Exception {
    EmbeddedChannel ch = greeted();
    ch.writeInbound(ServerHandlerTest.wire(6, new Response.Ok()));
    assertThat(ServerHandlerTest.drain(ch)).singleElement().satisfies(f -> {
      assertThat(f.requestId()).isEqualTo(6);
      assertThat(((Response.Error) f.message()).code()).isEqualTo(ErrorCode.BAD_REQUEST);
    });
    assertThat(ch.isOpen()).isTrue();
    assertBudgetsEmpty();
    ch.finish();
  }

  /** A read reserves the bytes of its largest answer, not a small answer's. */
  @Test
  void aRunningReadHoldsItsLargestAnswerInTheResponseBudget() throws Exception {
    EmbeddedChannel ch = greeted();
    send(ch, 1, new Request.ReadRange(A, 0, 0, 60_000));
    assertThat(started).hasSize(1);
    assertThat(shared.responses().used()).isEqualTo(4 + 60_000 + ConnectionRequests.SMALL_RESPONSE);
    runStarted();
    ServerHandlerTest.drain(ch);
    assertBudgetsEmpty();
    ch.finish();
  }

  @Test
  void replyBoundIsTheLargestAnswerCappedByTheFrameLimit() {
    int max = WireLimits.DEFAULT_MAX_FRAME;
    int small = 4 + ConnectionRequests.SMALL_RESPONSE;
    assertThat(ConnectionRequests.replyBound(new Request.Ping(), max)).isEqualTo(small);
    assertThat(ConnectionRequests.replyBound(new Request.ReadRange(A, 0, 0, 1000), max))
        .isEqualTo(small + 1000);
    assertThat(ConnectionRequests.replyBound(new Request.ReadRange(A, 0, 0, 1 << 20),
        WireLimits.MIN_MAX_FRAME)).isEqualTo(4 + WireLimits.MIN_MAX_FRAME);
    assertThat(ConnectionRequests.replyBound(new Request.ReadSlot(A, Set.of(1, 2), 0, 1000), max))
        .as("each share named").isEqualTo(small + 2000);
    assertThat(ConnectionRequests.replyBound(new Request.ReadSlot(A, Set.of(), 0, 1000), max))
        .as("no share named: all 256").isEqualTo(small + 256_000);
    assertThat(ConnectionRequests.replyBound(new Request.ReadSlot(A, Set.of(), 0, 8192), max))
        .as("never past a chunk").isEqualTo(small + WireLimits.MAX_CHUNK);
  }

  /**
   * After a fatal frame the connection only waits for its error to leave: a request still
   * running is not answered, one waiting for the response budget never starts, and their
   * bytes come back.
   */
  @Test
  void aConnectionClosingOnAFatalFrameStartsAndAnswersNothingMore() throws Exception {
    EmbeddedChannel ch = greeted();
    send(ch, 1, allocate(A));
    assertThat(started).hasSize(1);
    Runnable others = responsesFull();
    send(ch, 2, new Request.ReadRange(B, 0, 0, 1000));
    assertThat(started).as("waits for the response budget").hasSize(1);
    socket.hold = true;
    ch.writeInbound(fatalFrame());
    assertThat(socket.held()).as("the error, unsent").isEqualTo(1);
    assertThat(ch.isOpen()).isTrue();
    others.run();
    ch.runPendingTasks();
    assertThat(started).as("the read granted its bytes is not started").hasSize(1);
    runStarted();
    ch.runPendingTasks();
    assertThat(socket.held()).as("the allocate's answer is not written").isEqualTo(1);
    assertThat(shared.responses().used()).isZero();
    socket.release();
    assertThat(ch.isOpen()).isFalse();
    assertBudgetsEmpty();
  }

  /** A peer that keeps sending after a fatal frame is cut off at once. */
  @Test
  void aFrameAfterAFatalOneClosesTheConnectionAtOnce() throws Exception {
    EmbeddedChannel ch = greeted();
    socket.hold = true;
    ch.writeInbound(fatalFrame());
    assertThat(ch.isOpen()).as("waits for its error to be written").isTrue();
    send(ch, 2, new Request.Ping());
    assertThat(ch.isOpen()).isFalse();
    assertThat(started).as("only the backend's notice of the close").hasSize(1);
    socket.release();
    assertBudgetsEmpty();
  }

  /** A grant of response bytes starts the request and then whatever else may run. */
  @Test
  void aResponseGrantStartsEveryRequestThatMayRun() throws Exception {
    EmbeddedChannel ch = greeted();
    Runnable others = responsesFull();
    send(ch, 1, new Request.ReadRange(A, 0, 0, 1000));
    send(ch, 2, new Request.ReadRange(B, 0, 0, 1000));
    assertThat(started).isEmpty();
    others.run();
    ch.runPendingTasks();
    assertThat(started).hasSize(2);
    runStarted();
    assertThat(ServerHandlerTest.drain(ch)).extracting(Frame::requestId)
        .containsExactlyInAnyOrder(1L, 2L);
    assertBudgetsEmpty();
    ch.finish();
  }

  /** A closed connection leaves no place in the response queue to hold up the others. */
  @Test
  void closingWithdrawsTheWaitForResponseBytes() throws Exception {
    EmbeddedChannel ch = greeted();
    Runnable others = responsesFull();
    send(ch, 1, new Request.ReadRange(A, 0, 0, 1000));
    assertThat(shared.responses().waiting()).isEqualTo(1);
    ch.close();
    assertThat(shared.responses().waiting()).isZero();
    others.run();
    ch.runPendingTasks();
    assertThat(started).as("only the backend's notice of the close").hasSize(1);
    assertBudgetsEmpty();
    runStarted();
    assertThat(backend.closedConnections).isEqualTo(1);
  }

  @Test
  void aRunningRequestOfAClosedConnectionGivesItsBytesBackWhenItEnds() throws Exception {
    EmbeddedChannel ch = greeted();
    send(ch, 1, new Request.ReadRange(A, 0, 0, 60_000));
    ch.close();
    assertThat(shared.responses().used()).isPositive();
    runStarted();
    ch.runPendingTasks();
    assertBudgetsEmpty();
  }

  /** The stall timer of a closed connection is cancelled, not left firing for ever. */
  @Test
  void closingCancelsTheStallTimer() throws Exception {
    EmbeddedChannel ch = greeted();
    assertThat(ch.runScheduledPendingTasks()).as("the timer is scheduled").isPositive();
    ch.pipeline().close(); // (the channel's own close() would cancel every scheduled task)
    assertThat(ch.runScheduledPendingTasks()).isEqualTo(-1);
  }

  /**
   * A server shutting down refuses backend work: the connection closes, its bytes come back
   * and the backend still hears of the close.
   */
  @Test
  void aRefusedBackendCallClosesTheConnectionAndGivesEverythingBack() throws Exception {
    boolean[] refusedOnce = {false};
    EmbeddedChannel ch = greeted(task -> {
      if (!refusedOnce[0]) {
        refusedOnce[0] = true;
        throw new RejectedExecutionException("shutting down");
      }
      task.run();
    });
    send(ch, 1, new Request.ReadRange(A, 0, 0, 60_000));
    assertThat(refusedOnce[0]).isTrue();
    assertThat(ch.isOpen()).isFalse();
    assertBudgetsEmpty();
    assertThat(backend.closedConnections).isEqualTo(1);
  }

  /**
   * Requests past the in-flight limit (one socket read may hold several) keep reading paused
   * until fewer than the limit are unanswered, not merely the limit.
   */
  @Test
  void readingResumesOnlyBelowTheInFlightLimit() throws Exception {
    EmbeddedChannel ch = greeted();
    ByteBuf six = Unpooled.buffer();
    for (int i = 1; i <= 6; i++) {
      ByteBuf one = ServerHandlerTest.wire(i, allocate(SampleMessages.index(i)));
      six.writeBytes(one);
      one.release();
    }
    ch.writeInbound(six);
    assertThat(ch.config().isAutoRead()).isFalse();
    assertThat(started).hasSize(4);
    started.remove(0).run();
    ch.runPendingTasks();
    assertThat(ch.config().isAutoRead()).as("5 unanswered").isFalse();
    started.remove(0).run();
    ch.runPendingTasks();
    assertThat(ch.config().isAutoRead()).as("4 unanswered").isFalse();
    started.remove(0).run();
    ch.runPendingTasks();
    assertThat(ch.config().isAutoRead()).as("3 unanswered").isTrue();
    runStarted();
    ch.runPendingTasks();
    runStarted();
    assertThat(ServerHandlerTest.drain(ch)).hasSize(6);
    ch.finish();
  }

  /** A refusal's close waits for its error to be written, so a slow peer still reads why. */
  @Test
  void theConnectionClosesOnlyOnceItsErrorIsWritten() throws Exception {
    EmbeddedChannel ch = authenticated(started::add);
    socket.hold = true;
    ch.writeInbound(ServerHandlerTest.wire(0, new Hello(Hello.CURRENT_VERSION + 1,
        Hello.ROLE_CLIENT)));
    assertThat(socket.held()).isEqualTo(1);
    assertThat(ch.isOpen()).isTrue();
    socket.release();
    assertThat(ch.isOpen()).isFalse();
    assertThat(ServerHandlerTest.drain(ch)).singleElement().satisfies(f ->
        assertThat(((Response.Error) f.message()).code()).isEqualTo(ErrorCode.UNSUPPORTED));
  }

  /** Announcements held back while the socket was unwritable go out once it drains. */
  @Test
  void aSubscriptionHeldBackByAFullSocketIsSentWhenItDrains() throws Exception {
    List<Subscription> subscriptions = new ArrayList<>();
    ServerConfig cfg = ServerConfig.builder(NodeKey.generate()).introducer(new IntroducerBackend() {
      @Override
      public void publish(Caller caller, byte[] signedAnnouncement) { }

      @Override
      public void subscribe(Caller caller, Subscription subscription) {
        subscriptions.add(subscription);
      }
    }).build();
    EmbeddedChannel ch = ServerHandlerTest.channel(cfg);
    ch.writeInbound(ServerHandlerTest.wire(0, Hello.current(Hello.ROLE_CLIENT)));
    send(ch, 9, new Request.Subscribe());
    assertThat(ServerHandlerTest.drain(ch)).hasSize(2);
    ch.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
    subscriptions.get(0).push(List.of(new byte[] {1, 2, 3}));
    assertThat(ServerHandlerTest.drain(ch)).isEmpty();
    ch.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
    assertThat(ServerHandlerTest.drain(ch)).singleElement().satisfies(f -> {
      assertThat(f.requestId()).isEqualTo(9);
      assertThat(f.message()).isEqualTo(new Response.AnnouncementPush(List.of(new byte[] {1, 2, 3})));
    });
    ch.finish();
  }
}
