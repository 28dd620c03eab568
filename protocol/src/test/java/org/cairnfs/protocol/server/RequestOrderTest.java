package org.cairnfs.protocol.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.protocol.identity.NodeKey;
import org.cairnfs.protocol.message.Frame;
import org.cairnfs.protocol.message.ErrorCode;
import org.cairnfs.protocol.message.Hello;
import org.cairnfs.protocol.message.Message;
import org.cairnfs.protocol.message.Request;
import org.cairnfs.protocol.message.Response;
import org.cairnfs.protocol.message.SampleMessages;
import org.cairnfs.protocol.message.WriteChunk;
import org.junit.jupiter.api.Test;

/**
 * Which of one connection's requests run at once, on the real handler in an EmbeddedChannel
 * whose backend executor only collects tasks, so the test decides when each backend call runs
 * and sees exactly which were started.
 */
class RequestOrderTest {
  private static final StorageIndex A = SampleMessages.index(1);
  private static final StorageIndex B = SampleMessages.index(2);
  private static final StorageIndex C = SampleMessages.index(3);

  private final MemoryStorageBackend backend = new MemoryStorageBackend(1 << 20, 1 << 16);
  /** Backend calls started by the handler and not yet run by the test. */
  private final List<Runnable> started = new ArrayList<>();

  private EmbeddedChannel greeted(int maxRunning) throws Exception {
    ServerConfig cfg = ServerConfig.builder(NodeKey.generate()).storage(backend)
        .maxInFlight(16).maxRunningPerConnection(maxRunning).build();
    EmbeddedChannel ch = ServerHandlerTest.channel(cfg, started::add);
    ch.writeInbound(ServerHandlerTest.wire(0, Hello.current(Hello.ROLE_CLIENT)));
    assertThat(ServerHandlerTest.drain(ch)).hasSize(1);
    return ch;
  }

  private void send(EmbeddedChannel ch, long id, Request r) {
    ch.writeInbound(ServerHandlerTest.wire(id, r));
  }

  /** Runs the {@code i}-th started backend call and hands its answer to the event loop. */
  private List<Frame> runStarted(EmbeddedChannel ch, int i) throws Exception {
    started.remove(i).run();
    return ServerHandlerTest.drain(ch);
  }

  private static Request allocate(StorageIndex si) {
    return new Request.Allocate(si, new byte[32], new byte[32], 4, Set.of(0));
  }

  @Test
  void differentIndexesRunTogetherUpToTheCapAndAnswerOutOfOrder() throws Exception {
    EmbeddedChannel ch = greeted(2);
    send(ch, 1, allocate(A));
    send(ch, 2, allocate(B));
    send(ch, 3, allocate(C));
    ch.runPendingTasks();
    assertThat(started).as("two indexes at once; the third waits for the cap").hasSize(2);
    List<Frame> out = runStarted(ch, 1); // B's allocation finishes first
    assertThat(out).extracting(Frame::requestId).containsExactly(2L);
    assertThat(started).as("a slot freed: C starts").hasSize(2);
    out = runStarted(ch, 1);
    assertThat(out).extracting(Frame::requestId).containsExactly(3L);
    out = runStarted(ch, 0);
    assertThat(out).extracting(Frame::requestId).containsExactly(1L);
    assertThat(out.get(0).message()).isInstanceOf(Response.Allocated.class);
    ch.finish();
  }

  @Test
  void oneIndexRunsInArrivalOrderWhileOthersOvertake() throws Exception {
    EmbeddedChannel ch = greeted(8);
    send(ch, 1, allocate(A));
    send(ch, 2, allocate(B));
    ch.runPendingTasks();
    runStarted(ch, 0);
    runStarted(ch, 0);
    send(ch, 3, new WriteChunk(A, 0, 0, new byte[] {1, 2}));
    send(ch, 4, new WriteChunk(A, 0, 2, new byte[] {3, 4}));
    send(ch, 5, new Request.CloseShare(A, 0));
    send(ch, 6, new WriteChunk(B, 0, 0, new byte[] {5, 6, 7, 8}));
    send(ch, 7, new Request.CloseShare(B, 0));
    ch.runPendingTasks();
    assertThat(started).as("A's first write and B's write; the rest wait for their index")
        .hasSize(2);
    assertThat(runStarted(ch, 1)).extracting(Frame::requestId).containsExactly(6L);
    assertThat(runStarted(ch, 1)).extracting(Frame::requestId).containsExactly(7L);
    assertThat(started).as("A's second write still waits for its first").hasSize(1);
    assertThat(runStarted(ch, 0)).extracting(Frame::requestId).containsExactly(3L);
    assertThat(runStarted(ch, 0)).extracting(Frame::requestId).containsExactly(4L);
    List<Frame> close = runStarted(ch, 0);
    assertThat(close).extracting(Frame::requestId).containsExactly(5L);
    assertThat(close.get(0).message()).as("the close ran after both writes")
        .isEqualTo(new Response.Ok());
    assertThat(backend.shareNumbers(null, A)).containsExactly(0);
    ch.finish();
  }

  @Test
  void aRequestWithoutAnIndexRunsAlone() throws Exception {
    EmbeddedChannel ch = greeted(8);
    send(ch, 1, allocate(A));
    send(ch, 2, new Request.Ping());
    send(ch, 3, allocate(B));
    ch.runPendingTasks();
    assertThat(started).as("the ping waits for A; B waits behind the ping").hasSize(1);
    runStarted(ch, 0);
    assertThat(started).as("only the ping").hasSize(1);
    assertThat(runStarted(ch, 0)).extracting(Frame::requestId).containsExactly(2L);
    assertThat(started).hasSize(1);
    assertThat(runStarted(ch, 0)).extracting(Frame::requestId).containsExactly(3L);
    ch.finish();
  }

  @Test
  void aRefusalTakesItsTurnAlone() throws Exception {
    EmbeddedChannel ch = greeted(8);
    send(ch, 1, allocate(A));
    ch.writeInbound(io.netty.buffer.Unpooled.buffer().writeInt(9 + 3).writeByte(0x3E)
        .writeLong(2).writeMedium(0));
    send(ch, 3, allocate(B));
    ch.runPendingTasks();
    assertThat(ServerHandlerTest.drain(ch)).as("the refusal waits for A").isEmpty();
    assertThat(started).hasSize(1);
    List<Frame> out = runStarted(ch, 0);
    assertThat(out).extracting(Frame::requestId).containsExactly(1L, 2L);
    assertThat(started).as("B after the refusal").hasSize(1);
    ch.finish();
  }

  @Test
  void nothingStartsWhileTheSocketIsUnwritable() throws Exception {
    EmbeddedChannel ch = greeted(8);
    ch.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
    send(ch, 1, allocate(A));
    send(ch, 2, allocate(B));
    ch.runPendingTasks();
    assertThat(started).isEmpty();
    ch.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
    ch.runPendingTasks();
    assertThat(started).hasSize(2);
    ch.finish();
  }

  @Test
  void theBackendHearsOfTheCloseOnlyAfterEveryRunningRequestEnded() throws Exception {
    EmbeddedChannel ch = greeted(8);
    send(ch, 1, allocate(A));
    send(ch, 2, allocate(B));
    ch.runPendingTasks();
    ch.close();
    ch.runPendingTasks();
    assertThat(started).hasSize(2);
    started.remove(0).run();
    ch.runPendingTasks();
    assertThat(started).as("one still runs: no connection-closed call yet").hasSize(1);
    started.remove(0).run();
    ch.runPendingTasks();
    assertThat(started).as("the connection-closed call").hasSize(1);
    started.remove(0).run();
    assertThat(backend.closedConnections).isEqualTo(1);
  }

  /** Every request naming a storage index is ordered by it; the others run alone. */
  @Test
  void eachRequestIsOrderedByTheIndexItNames() {
    for (Message m : SampleMessages.all()) {
      if (m instanceof Request r) {
        boolean alone = r instanceof Request.Ping || r instanceof Request.GetServerInfo
            || r instanceof Request.Publish || r instanceof Request.Subscribe;
        assertThat(RequestOrder.keyOf(r)).as(r.type().toString())
            .isEqualTo(alone ? null : SampleMessages.index(1));
      }
    }
    assertThat(RequestOrder.Queued.refusal(1, ErrorCode.BAD_REQUEST, "no").key).isNull();
  }

  @Test
  void oneRunningPlaceIsTheLeastThereMayBe() {
    RequestOrder one = new RequestOrder(1);
    one.add(new RequestOrder.Queued(1, allocate(A), 10, null));
    assertThat(one.next()).isNotNull();
    assertThatThrownBy(() -> new RequestOrder(0)).isInstanceOf(IllegalArgumentException.class);
  }

  /** The bytes a closing connection must leave to its running requests are theirs only. */
  @Test
  void runningBytesCountStartedRequestsUntilTheyFinish() {
    RequestOrder order = new RequestOrder(4);
    RequestOrder.Queued a = new RequestOrder.Queued(1, allocate(A), 100, null);
    RequestOrder.Queued b = new RequestOrder.Queued(2, allocate(B), 30, null);
    order.add(a);
    order.add(b);
    assertThat(order.runningBytes()).as("waiting ones are not running").isZero();
    order.started(order.next());
    order.started(order.next());
    assertThat(order.runningBytes()).isEqualTo(130);
    order.returned(a);
    assertThat(order.runningBytes()).as("a returned close still holds its frame").isEqualTo(130);
    order.finished(a);
    order.finished(b);
    assertThat(order.runningBytes()).isZero();
    assertThat(order.busy()).isFalse();
  }

  @Test
  void onlyARunningRequestOfAnIndexReturnsEarlyAndOnlyOnce() {
    RequestOrder order = new RequestOrder(4);
    RequestOrder.Queued ping = new RequestOrder.Queued(1, new Request.Ping(), 9, null);
    order.add(ping);
    order.started(order.next());
    assertThatThrownBy(() -> order.returned(ping)).isInstanceOf(IllegalStateException.class);
    order.finished(ping);
    RequestOrder.Queued a = new RequestOrder.Queued(2, allocate(A), 10, null);
    order.add(a);
    order.started(order.next());
    order.returned(a);
    assertThatThrownBy(() -> order.returned(a)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aClosedConnectionsWaitingRequestsAreForgotten() {
    RequestOrder order = new RequestOrder(1);
    order.add(new RequestOrder.Queued(1, allocate(A), 10, null));
    order.add(new RequestOrder.Queued(2, allocate(B), 10, null));
    assertThat(order.isEmpty()).isFalse();
    order.started(order.next());
    order.dropWaiting();
    assertThat(order.isEmpty()).isTrue();
    assertThat(order.busy()).as("the running one still finishes").isTrue();
  }
}
