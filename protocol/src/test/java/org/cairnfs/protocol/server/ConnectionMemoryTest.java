package org.cairnfs.protocol.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link ConnectionMemory} alone, on an embedded channel (its event loop runs grants when the
 * test runs pending tasks): which frames a connection may start now, which wait, and that every
 * byte comes back. Each rule is pinned at its edge, since a hostile client sits exactly there.
 */
class ConnectionMemoryTest {
  private static final long PER_CONNECTION = 100;
  private static final long SERVER = 10_000;

  private final EmbeddedChannel ch = new EmbeddedChannel();
  private final ReadGate gate = new ReadGate(ch);
  private final MemoryBudget address = new MemoryBudget("address", 1 << 20);
  private final MemoryBudget server = new MemoryBudget("server", SERVER);
  private final ConnectionMemory memory =
      new ConnectionMemory(ch, gate, new PeerBudget(address, server), PER_CONNECTION);
  private final List<Integer> admitted = new ArrayList<>();

  private boolean admit(int length) {
    return memory.admit(length, () -> admitted.add(length));
  }

  /** Other connections take the rest of the server-wide budget; returns what gives it back. */
  private Runnable serverFull() {
    long rest = SERVER - server.used();
    assertThat(server.tryTake(rest)).isTrue();
    return () -> server.release(rest);
  }

  private void assertReading(boolean reading) {
    assertThat(ch.config().isAutoRead()).as("reading").isEqualTo(reading);
    assertThat(gate.paused()).as("paused").isEqualTo(!reading);
  }

  /** Else a connection's limit would block a maximum-size frame forever. */
  @Test
  void aLoneFrameLargerThanTheConnectionLimitIsAdmitted() {
    assertThat(admit(200)).isTrue();
    assertThat(memory.held()).isEqualTo(200);
    assertThat(server.used()).isEqualTo(200);
    assertThat(address.used()).isEqualTo(200);
    assertReading(true);
  }

  /** An empty frame needs no buffer: it never waits, even on a connection over its limit. */
  @Test
  void anEmptyFrameIsAdmittedAtOnceAndCountsNothing() {
    assertThat(admit(0)).isTrue();
    assertThat(admit(200)).isTrue();
    assertThat(admit(0)).as("on a connection holding more than its limit").isTrue();
    assertThat(memory.held()).isEqualTo(200);
    assertThat(server.used()).isEqualTo(200);
    assertReading(true);
  }

  @Test
  void aFrameThatFillsTheConnectionExactlyIsAdmitted() {
    assertThat(admit(60)).isTrue();
    assertThat(admit(40)).isTrue();
    assertThat(memory.held()).isEqualTo(PER_CONNECTION);
    assertReading(true);
  }

  @Test
  void aFramePastTheConnectionLimitWaitsForItsOwnRequestsToEnd() {
    assertThat(admit(60)).isTrue();
    assertThat(admit(60)).isFalse();
    assertReading(false);
    assertThat(memory.held()).isEqualTo(60);
    assertThat(server.used()).as("nothing taken for the waiting frame").isEqualTo(60);
    memory.release(60);
    assertThat(admitted).containsExactly(60);
    assertReading(true);
    assertThat(memory.held()).isEqualTo(60);
    assertThat(server.used()).isEqualTo(60);
    assertThat(address.used()).isEqualTo(60);
  }

  @Test
  void theWaitingFrameIsAdmittedOnlyOnceItFits() {
    assertThat(admit(10)).isTrue();
    assertThat(admit(10)).isTrue();
    assertThat(admit(60)).isTrue();
    assertThat(admit(40)).isFalse();
    memory.release(10); // 70 + 40 > 100
    assertThat(admitted).isEmpty();
    assertReading(false);
    memory.release(10); // 60 + 40 = 100
    assertThat(admitted).containsExactly(40);
    assertThat(memory.held()).isEqualTo(PER_CONNECTION);
    assertReading(true);
  }

  /** The large frame that waited behind small ones gets in alone, as it would have at first. */
  @Test
  void aLargeFrameWaitingForItsConnectionIsAdmittedOnceTheConnectionHoldsNothing() {
    assertThat(admit(60)).isTrue();
    assertThat(admit(200)).isFalse();
    memory.release(60);
    assertThat(admitted).containsExactly(200);
    assertThat(memory.held()).isEqualTo(200);
    assertReading(true);
  }

  /**
   * A frame that waited for its connection then waits in the server-wide queue, still not
   * reading, and is admitted only when that grants it.
   */
  @Test
  void aFrameLeavingTheConnectionsWaitQueuesForTheSharedBudget() {
    assertThat(admit(60)).isTrue();
    assertThat(admit(9000)).isFalse();
    Runnable other = serverFull();
    memory.release(60);
    ch.runPendingTasks();
    assertThat(admitted).isEmpty();
    assertReading(false);
    assertThat(memory.held()).isZero();
    other.run();
    ch.runPendingTasks();
    assertThat(admitted).containsExactly(9000);
    assertThat(memory.held()).isEqualTo(9000);
    assertReading(true);
  }

  /** A small frame on an idle connection skips the queue: pings get through a flood. */
  @Test
  void aSmallFrameOnAnIdleConnectionIsAdmittedPastAFullSharedBudget() {
    serverFull();
    assertThat(admit(ConnectionMemory.SMALL_FRAME)).isTrue();
    assertThat(server.used()).isEqualTo(SERVER + ConnectionMemory.SMALL_FRAME);
    assertReading(true);
  }

  /** The bypass is one frame per connection: a second small one waits like any other. */
  @Test
  void aSmallFrameOnABusyConnectionWaitsForTheSharedBudget() {
    EmbeddedChannel ch2 = new EmbeddedChannel();
    ConnectionMemory big = new ConnectionMemory(ch2, new ReadGate(ch2),
        new PeerBudget(address, server), 1 << 20);
    assertThat(big.admit(10, () -> { })).isTrue();
    serverFull();
    assertThat(big.admit(10, () -> { })).isFalse();
    assertThat(ch2.config().isAutoRead()).isFalse();
  }

  @Test
  void aFrameWaitingForTheSharedBudgetPausesReadingUntilGranted() {
    Runnable other = serverFull();
    assertThat(admit(ConnectionMemory.SMALL_FRAME + 1)).isFalse();
    assertReading(false);
    assertThat(memory.held()).isZero();
    other.run();
    ch.runPendingTasks();
    assertThat(admitted).containsExactly(ConnectionMemory.SMALL_FRAME + 1);
    assertThat(memory.held()).isEqualTo(ConnectionMemory.SMALL_FRAME + 1);
    assertReading(true);
  }

  /** A grant reaching a closed connection is given back, even before closed() ran. */
  @Test
  void aGrantArrivingAfterTheCloseIsGivenBack() {
    Runnable other = serverFull();
    assertThat(admit(9000)).isFalse();
    other.run(); // the grant is queued on the event loop
    ch.pipeline().close(); // (the channel's own close() would run the grant first)
    ch.runPendingTasks();
    assertThat(admitted).isEmpty();
    assertThat(memory.held()).isZero();
    assertThat(server.used()).isZero();
    assertThat(address.used()).isZero();
  }

  /** Likewise a frame waiting for its own connection is never admitted once it closed. */
  @Test
  void aClosedConnectionAdmitsNoWaitingFrame() {
    assertThat(admit(60)).isTrue();
    assertThat(admit(60)).isFalse();
    ch.close();
    memory.release(60);
    assertThat(admitted).isEmpty();
    assertThat(memory.held()).isZero();
    assertThat(server.used()).isZero();
  }

  /** Otherwise the closed connection stays in the queue and holds up everyone behind it. */
  @Test
  void closingWithdrawsAWaitForTheSharedBudget() {
    Runnable other = serverFull();
    assertThat(admit(9000)).isFalse();
    assertThat(server.waiting()).isEqualTo(1);
    ch.close();
    memory.closed(0);
    assertThat(server.waiting()).isZero();
    other.run();
    ch.runPendingTasks();
    assertThat(admitted).isEmpty();
    assertThat(server.used()).isZero();
    assertThat(address.used()).isZero();
  }

  @Test
  void closingGivesBackEverythingButTheRunningRequest() {
    assertThat(admit(60)).isTrue();
    assertThat(admit(30)).isTrue();
    ch.close();
    memory.closed(60);
    assertThat(memory.held()).isEqualTo(60);
    assertThat(server.used()).isEqualTo(60);
    memory.release(60);
    assertThat(memory.held()).isZero();
    assertThat(server.used()).isZero();
    assertThat(address.used()).isZero();
  }

  /** No caller passes a negative count; one must not grow what the connection holds. */
  @Test
  void releasingNothingOrLessChangesNothing() {
    assertThat(admit(60)).isTrue();
    memory.release(0);
    memory.release(-5);
    assertThat(memory.held()).isEqualTo(60);
    assertThat(server.used()).isEqualTo(60);
  }
}
