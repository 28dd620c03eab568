package org.cairnfs.protocol.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.protocol.identity.NodeKey;
import org.cairnfs.protocol.message.ErrorCode;
import org.cairnfs.protocol.message.Frame;
import org.cairnfs.protocol.message.Hello;
import org.cairnfs.protocol.message.Request;
import org.cairnfs.protocol.message.Response;
import org.cairnfs.protocol.message.SampleMessages;
import org.cairnfs.protocol.message.WriteChunk;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Closes that wait for their commit ({@link StorageBackend#closeShareAsync}) on the real
 * handler in an EmbeddedChannel: the backend holds every close until the test commits or fails
 * it, and the backend executor only collects tasks, so the test decides when each call runs.
 */
class AsyncCloseTest {
  private static final int MAX_RUNNING = 2;

  private final MemoryStorageBackend backend = new MemoryStorageBackend(1 << 20, 1 << 16);
  /** Backend calls started by the handler and not yet run by the test. */
  private final List<Runnable> started = new ArrayList<>();

  @AfterEach
  void releaseHeldCloses() {
    List.copyOf(backend.held).forEach(MemoryStorageBackend.HeldClose::commit);
  }

  private EmbeddedChannel greeted() throws Exception {
    ServerConfig cfg = ServerConfig.builder(NodeKey.generate()).storage(backend)
        .maxInFlight(16).maxRunningPerConnection(MAX_RUNNING).build();
    EmbeddedChannel ch = ServerHandlerTest.channel(cfg, started::add);
    ch.writeInbound(ServerHandlerTest.wire(0, Hello.current(Hello.ROLE_CLIENT)));
    assertThat(ServerHandlerTest.drain(ch)).hasSize(1);
    return ch;
  }

  private static StorageIndex si(int i) {
    return SampleMessages.index(i);
  }

  private void send(EmbeddedChannel ch, long id, Request r) {
    ch.writeInbound(ServerHandlerTest.wire(id, r));
  }

  /** Runs every backend call started, also those its end lets start; returns the answers. */
  private List<Frame> runAll(EmbeddedChannel ch) throws Exception {
    List<Frame> out = new ArrayList<>();
    ch.runPendingTasks();
    while (!started.isEmpty()) {
      started.remove(0).run();
      out.addAll(ServerHandlerTest.drain(ch));
    }
    return out;
  }

  /** Allocates and fills share 0 of each of indexes 1..{@code files} (ids 100+). */
  private void uploaded(EmbeddedChannel ch, int files) throws Exception {
    for (int i = 1; i <= files; i++) {
      send(ch, 100 + 2 * i, new Request.Allocate(si(i), new byte[32], new byte[32], 2, Set.of(0)));
      send(ch, 101 + 2 * i, new WriteChunk(si(i), 0, 0, new byte[] {(byte) i, 9}));
    }
    assertThat(runAll(ch)).hasSize(2 * files)
        .allSatisfy(f -> assertThat(f.message()).isNotInstanceOf(Response.Error.class));
  }

  @Test
  void closesWaitingForTheirCommitHoldNoRunningPlace() throws Exception {
    EmbeddedChannel ch = greeted();
    uploaded(ch, 5);
    backend.holdCommits = true;
    for (int i = 1; i <= 4; i++) {
      send(ch, i, new Request.CloseShare(si(i), 0));
    }
    assertThat(runAll(ch)).as("no close is answered before its commit").isEmpty();
    assertThat(backend.held).as("all four sealed, twice the running places").hasSize(4);
    send(ch, 5, new Request.GetShareNumbers(si(5)));
    send(ch, 6, new Request.CloseShare(si(5), 0));
    assertThat(runAll(ch)).as("another request of the connection is answered meanwhile")
        .singleElement().satisfies(f -> {
          assertThat(f.requestId()).isEqualTo(5);
          assertThat(f.message()).isEqualTo(new Response.ShareNumbers(Set.of()));
        });
    assertThat(backend.held).hasSize(5);

    backend.held.get(2).commit(); // index 3's close
    backend.held.get(0).commit(); // index 1's
    List<Frame> out = ServerHandlerTest.drain(ch);
    assertThat(out).extracting(Frame::requestId).containsExactly(3L, 1L);
    assertThat(out).allSatisfy(f -> assertThat(f.message()).isEqualTo(new Response.Ok()));
    assertThat(backend.shareNumbers(null, si(3))).containsExactly(0);
    assertThat(backend.shareNumbers(null, si(2))).as("not committed yet").isEmpty();
    List.copyOf(backend.held).forEach(MemoryStorageBackend.HeldClose::commit);
    assertThat(ServerHandlerTest.drain(ch)).extracting(Frame::requestId)
        .containsExactly(2L, 4L, 6L);
    ch.finish();
  }

  @Test
  void aFailedCommitGivesTheErrorFrameOfAThrownFailure() throws Exception {
    EmbeddedChannel ch = greeted();
    uploaded(ch, 2);
    send(ch, 1, new Request.CloseShare(si(7), 0)); // never allocated: thrown at once
    Frame thrown = runAll(ch).get(0);
    assertThat(thrown.message()).isEqualTo(
        new Response.Error(ErrorCode.NOT_FOUND, "share 0 not allocated"));

    backend.holdCommits = true;
    send(ch, 2, new Request.CloseShare(si(1), 0));
    send(ch, 3, new Request.CloseShare(si(2), 0));
    assertThat(runAll(ch)).isEmpty();
    backend.held.get(0).fail(new StorageException(ErrorCode.NOT_FOUND, "share 0 not allocated"));
    UncheckedIOException disk = new UncheckedIOException(new java.io.IOException("disk gone"));
    backend.held.get(0).fail(disk);
    List<Frame> out = ServerHandlerTest.drain(ch);
    assertThat(out).extracting(Frame::requestId).containsExactly(2L, 3L);
    assertThat(out.get(0).message()).as("as the thrown refusal").isEqualTo(thrown.message());
    assertThat(out.get(1).message()).as("anything else is INTERNAL, as when thrown")
        .isEqualTo(new Response.Error(ErrorCode.INTERNAL, "server error: " + disk));
    ch.finish();
  }

  @Test
  void theIndexOfAWaitingCloseStaysInOrder() throws Exception {
    EmbeddedChannel ch = greeted();
    send(ch, 1, new Request.Allocate(si(1), new byte[32], new byte[32], 2, Set.of(0)));
    runAll(ch);
    backend.holdCommits = true;
    send(ch, 2, new WriteChunk(si(1), 0, 0, new byte[] {5, 6}));
    send(ch, 3, new Request.CloseShare(si(1), 0));
    send(ch, 4, new Request.ReadRange(si(1), 0, 0, 2));
    send(ch, 5, new Request.GetShareNumbers(si(2)));
    ch.runPendingTasks();
    assertThat(started).as("the write, and the other index; the close waits for the write")
        .hasSize(2);
    assertThat(runAll(ch)).extracting(Frame::requestId).containsExactly(2L, 5L);
    assertThat(backend.held).as("the close ran after the write, which it saw").hasSize(1);
    assertThat(started).as("the read waits for the close's answer").isEmpty();
    backend.held.get(0).commit();
    List<Frame> out = runAll(ch);
    assertThat(out).extracting(Frame::requestId).containsExactly(3L, 4L);
    assertThat(out.get(1).message()).isEqualTo(Response.Data.wrapping(new byte[] {5, 6}));
    ch.finish();
  }

  @Test
  void aRequestWithoutAnIndexWaitsForTheClosesBeforeIt() throws Exception {
    EmbeddedChannel ch = greeted();
    uploaded(ch, 1);
    backend.holdCommits = true;
    send(ch, 1, new Request.CloseShare(si(1), 0));
    send(ch, 2, new Request.Ping());
    assertThat(runAll(ch)).as("the ping runs alone, after the close is answered").isEmpty();
    backend.held.get(0).commit();
    assertThat(runAll(ch)).extracting(Frame::requestId).containsExactly(1L, 2L);
    ch.finish();
  }

  @Test
  void theBackendHearsOfTheCloseOnlyAfterWaitingClosesAreAnswered() throws Exception {
    EmbeddedChannel ch = greeted();
    uploaded(ch, 1);
    backend.holdCommits = true;
    send(ch, 1, new Request.CloseShare(si(1), 0));
    runAll(ch);
    ch.close();
    ch.runPendingTasks();
    assertThat(started).as("a close still waits: no connection-closed call yet").isEmpty();
    backend.held.get(0).commit();
    ch.runPendingTasks();
    assertThat(started).as("the connection-closed call").hasSize(1);
    started.remove(0).run();
    assertThat(backend.closedConnections).isEqualTo(1);
  }
}
