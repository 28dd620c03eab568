package org.cairnfs.fs.grid;

import static org.assertj.core.api.Assertions.assertThat;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.caps.immutable.PlaintextSource;
import org.cairnfs.fs.grid.Placement.Status;
import org.cairnfs.fs.testing.TestGrid;
import org.cairnfs.fs.testing.TestServer;
import org.cairnfs.protocol.identity.NodeId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pins for mutants PIT found surviving in the grid client (Placement, UploadLocks, ...). */
class GridPinsTest {
  @TempDir Path dir;

  @Test
  void serversAreConnectedInRingOrderBatchByBatchUntilTheRingIsExhausted() {
    List<NodeId> ring = PlacementTest.ring(5);
    Placement p = new Placement(ring, 3);
    assertThat(p.nextToConnect(2)).containsExactly(ring.get(0), ring.get(1));
    assertThat(p.ringExhausted()).isFalse();
    assertThat(p.nextToConnect(2)).containsExactly(ring.get(2), ring.get(3));
    assertThat(p.ringExhausted()).isFalse();
    assertThat(p.nextToConnect(2)).containsExactly(ring.get(4));
    assertThat(p.ringExhausted()).isTrue();
    assertThat(p.nextToConnect(2)).isEmpty();
  }

  @Test
  void aServerHoldingOnlyBogusOrFailedSharesIsNotCountedAsAccepting() {
    List<NodeId> ring = PlacementTest.ring(3);
    Placement p = PlacementTest.connected(ring, 3);
    p.set(ring.get(0), 0, Status.BOGUS);
    p.set(ring.get(1), 1, Status.FAILED);
    p.set(ring.get(2), 2, Status.OPEN);
    assertThat(p.acceptedCount()).isEqualTo(1);
  }

  @Test
  void aWaiterForAnUploadLockGivesUpWhenInterruptedAndKeepsTheFlag() throws Exception {
    UploadLocks locks = new UploadLocks();
    StorageIndex si = PermutedRingTest.si(1);
    try (UploadLocks.Held first = locks.acquire(si)) {
      CompletableFuture<Throwable> outcome = new CompletableFuture<>();
      Thread waiter = new Thread(() -> {
        try {
          locks.acquire(si).close();
          outcome.complete(null);
        } catch (Throwable t) {
          outcome.complete(Thread.currentThread().isInterrupted() ? t : new AssertionError(t));
        }
      });
      waiter.start();
      Thread.sleep(200);
      waiter.interrupt();
      assertThat(outcome.get(5, TimeUnit.SECONDS)).isInstanceOf(InterruptedIOException.class);
    }
  }

  @Test
  void pastTheBudgetTheLargestRunIsSentEarly() throws Exception {
    List<long[]> sent = new ArrayList<>();
    WriteCoalescer c = new WriteCoalescer(4096, 4096, (offset, bytes, length) ->
        sent.add(new long[] {offset, length}));
    c.write(0, new byte[1000], 0, 1000);
    c.write(10_000, new byte[2500], 0, 2500);
    assertThat(c.buffered()).isEqualTo(3500);
    assertThat(sent).isEmpty();
    c.write(20_000, new byte[1500], 0, 1500); // 5000 held > 4096: the 2500-byte run goes
    assertThat(sent).extracting(a -> a[0]).containsExactly(10_000L);
    assertThat(c.buffered()).isEqualTo(2500);
    c.write(30_000, new byte[1596], 0, 1596); // exactly 4096 held: within the budget
    assertThat(sent).hasSize(1);
    assertThat(c.buffered()).isEqualTo(4096);
  }

  @Test
  void aWriteExtendingTheOldestRunIsMergedIntoIt() throws Exception {
    List<long[]> sent = new ArrayList<>();
    WriteCoalescer c = new WriteCoalescer(4096, 1 << 20, (offset, bytes, length) ->
        sent.add(new long[] {offset, length}));
    c.write(0, new byte[100], 0, 100);
    c.write(1000, new byte[100], 0, 100);
    c.write(100, new byte[100], 0, 100);
    c.flush();
    assertThat(sent).extracting(a -> a[0]).containsExactlyInAnyOrder(0L, 1000L);
    assertThat(sent).extracting(a -> a[1]).containsExactlyInAnyOrder(200L, 100L);
  }

  @Test
  void aHeldShareThatCannotBeReadIsNotCountedAndIsSentElsewhere() throws Exception {
    try (TestGrid grid = new TestGrid(dir, 11)) {
      GridClient client = grid.client(UploadFaultsTest.FAST);
      byte[] data = UploadFaultsTest.random(300_000, 21);
      UploadResult first = client.upload(PlaintextSource.of(data)).get();
      NodeId holder = first.placement().get(0).get(0);
      grid.byId(holder).faults().failReads(true);
      UploadResult again = client.upload(PlaintextSource.of(data)).get();
      assertThat(again.sharesAlreadyHeld()).isEqualTo(9);
      assertThat(again.sharesUploaded()).isEqualTo(1);
      assertThat(again.placement().get(0)).hasSize(1).doesNotContain(holder);
    }
  }

  @Test
  void writesFailingBelowHappinessCloseNothingAndNameTheFailures() throws Exception {
    try (TestGrid grid = new TestGrid(dir, 10)) {
      GridClient client = grid.client(UploadFaultsTest.FAST);
      for (int i = 0; i < 4; i++) {
        grid.server(i).faults().failWrites(true);
      }
      byte[] data = UploadFaultsTest.random(300_000, 22);
      assertThatThrownBy(() -> client.upload(PlaintextSource.of(data)).get())
          .isInstanceOf(ExecutionException.class).cause()
          .isInstanceOfSatisfying(HappinessException.class, e -> {
            assertThat(e.happiness()).isEqualTo(6);
            assertThat(e.problems()).hasSize(4)
                .allSatisfy((server, why) -> assertThat(why).contains("failed"));
            for (TestServer s : grid.servers()) {
              try {
                assertThat(s.shares(e.index())).as("shares on %s", s).isEmpty();
                assertThat(s.incomingFiles()).as("open uploads on %s", s).isZero();
              } catch (java.io.IOException io) {
                throw new java.io.UncheckedIOException(io);
              }
            }
          });
    }
  }
}
