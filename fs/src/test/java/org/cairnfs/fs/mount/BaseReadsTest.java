package org.cairnfs.fs.mount;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BaseReadsTest {
  private static final int REQ = 128 * 1024;

  private static String store(MemoryGrid grid, byte[] data) throws Exception {
    return grid.upload(new ByteArrayInputStream(data)).get();
  }

  @Test
  void requestsArrivingOutOfOrderAreServedFromOneStream() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    byte[] data = CoreFixture.bytes(8 << 20, 3);
    String cap = store(grid, data);
    BaseReads reads = new BaseReads(grid, 1 << 20);
    int before = grid.reads.get();
    Random rnd = new Random(5);
    // as the kernel sends them: 1 MiB worth of requests at a time, each batch shuffled
    for (int batch = 0; batch < data.length / (1 << 20); batch++) {
      List<Integer> order = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        order.add(batch * 8 + i);
      }
      Collections.shuffle(order, rnd);
      for (int r : order) {
        byte[] got = reads.read(cap, (long) r * REQ, REQ);
        assertThat(got).isEqualTo(Arrays.copyOfRange(data, r * REQ, (r + 1) * REQ));
      }
    }
    // the stream reads 1 MiB steps here (MemoryGrid has no pipeline of its own): about 8,
    // plus a few direct reads before the access counted as sequential
    assertThat(grid.reads.get() - before).isBetween(8, 16);
  }

  /**
   * A request that starts where a kept piece starts but is longer or shorter than the piece
   * gets exactly its bytes; only a request of exactly one piece is handed that piece.
   */
  @Test
  void requestsStartingAtAPieceButOfAnotherLengthGetTheirOwnBytes() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    byte[] data = CoreFixture.bytes(4 << 20, 7);
    String cap = store(grid, data);
    BaseReads reads = new BaseReads(grid, 1 << 20);
    int piece = BaseReads.PIECE;
    long at = 0;
    for (int length : new int[] {piece, piece / 2, piece / 2, piece, piece + piece / 2, piece / 2,
        2 * piece + 1}) {
      byte[] got = reads.read(cap, at, length);
      assertThat(got).as("%d bytes at %d", length, at)
          .isEqualTo(Arrays.copyOfRange(data, (int) at, (int) at + length));
      at += length;
    }
    // served from the stream, not each directly: the first read and the stream's steps
    assertThat(grid.reads.get()).isLessThan(5);
  }

  @Test
  void aRandomReadStopsTheStreamAndReadsDirectly() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    byte[] data = CoreFixture.bytes(12 << 20, 4);
    String cap = store(grid, data);
    BaseReads reads = new BaseReads(grid, 1 << 20);
    for (int r = 0; r < 4; r++) {
      assertThat(reads.read(cap, (long) r * REQ, REQ))
          .isEqualTo(Arrays.copyOfRange(data, r * REQ, (r + 1) * REQ));
    }
    Random rnd = new Random(6);
    for (int i = 0; i < 10; i++) {
      int off = rnd.nextInt(data.length - 5000);
      int before = grid.reads.get();
      assertThat(reads.read(cap, off, 5000))
          .isEqualTo(Arrays.copyOfRange(data, off, off + 5000));
      if (i == 0) {
        // the stream this one stopped may still finish a fetch it had started
        for (int seen = -1; seen != grid.reads.get(); ) {
          seen = grid.reads.get();
          Thread.sleep(100);
        }
        continue;
      }
      assertThat(grid.reads.get() - before).as("one direct read, nothing fetched ahead")
          .isEqualTo(1);
    }
    // past the end: fewer bytes, then none
    assertThat(reads.read(cap, data.length - 10, 100)).hasSize(10);
    assertThat(reads.read(cap, data.length, 100)).isEmpty();
  }

  @Test
  void readersOnSeveralThreadsAndFilesGetTheirBytes() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    int files = BaseReads.STREAMS + 2; // more files than streams: some are closed and reopened
    List<byte[]> data = new ArrayList<>();
    List<String> caps = new ArrayList<>();
    for (int f = 0; f < files; f++) {
      data.add(CoreFixture.bytes(3 << 20, 10 + f));
      caps.add(store(grid, data.get(f)));
    }
    BaseReads reads = new BaseReads(grid, 1 << 20);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> done = new ArrayList<>();
      int perFile = (3 << 20) / REQ;
      for (int r = 0; r < perFile; r += 4) {
        for (int f = 0; f < files; f++) {
          for (int k = 0; k < 4; k++) {
            int ff = f;
            int rr = r + k;
            done.add(pool.submit(() -> {
              byte[] got = reads.read(caps.get(ff), (long) rr * REQ, REQ);
              assertThat(got).isEqualTo(
                  Arrays.copyOfRange(data.get(ff), rr * REQ, (rr + 1) * REQ));
              return null;
            }));
          }
        }
        for (Future<?> d : done) {
          d.get();
        }
        done.clear();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** A request within {@link BaseReads#NEAR} of the last one's end counts as sequential. */
  @Test
  void aRequestUpToNearBytesAfterTheLastEndOpensAStreamOnePastItDoesNot() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    byte[] data = CoreFixture.bytes(8 << 20, 7);
    String cap = store(grid, data);
    long start = 4 << 20; // away from 0: the distance is taken from the last end, not added

    BaseReads near = new BaseReads(grid, 1 << 20);
    near.read(cap, start, REQ);
    assertThat(near.openStreams()).isZero();
    long at = start + REQ + BaseReads.NEAR;
    assertThat(near.read(cap, at, REQ))
        .isEqualTo(Arrays.copyOfRange(data, (int) at, (int) at + REQ));
    assertThat(near.openStreams()).as("sequential at exactly NEAR").isEqualTo(1);

    BaseReads far = new BaseReads(grid, 1 << 20);
    far.read(cap, start, REQ);
    at = start + REQ + BaseReads.NEAR + 1;
    assertThat(far.read(cap, at, REQ))
        .isEqualTo(Arrays.copyOfRange(data, (int) at, (int) at + REQ));
    assertThat(far.openStreams()).as("random one byte further").isZero();

    BaseReads behind = new BaseReads(grid, 1 << 20);
    behind.read(cap, start, REQ);
    at = start + REQ - BaseReads.NEAR;
    behind.read(cap, at, REQ);
    assertThat(behind.openStreams()).as("sequential NEAR before the end too").isEqualTo(1);
  }

  /**
   * A stream at position p serves requests from p - BEHIND to p + AHEAD; one reaching past
   * either edge is random access and closes it.
   */
  @Test
  void aStreamServesUpToItsReachAndARequestPastEitherEdgeClosesIt() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    byte[] data = CoreFixture.bytes(16 << 20, 8);
    String cap = store(grid, data);
    int mib3 = 3 << 20;
    for (long[] c : new long[][] {
        {mib3 + BaseReads.AHEAD - REQ, 1}, {mib3 + BaseReads.AHEAD - REQ + 1, 0},
        {mib3 - BaseReads.BEHIND, 1}, {mib3 - BaseReads.BEHIND - 1, 0}}) {
      BaseReads reads = new BaseReads(grid, 1 << 20);
      for (long off = 0; off < mib3; off += REQ) { // the stream is then at 3 MiB
        reads.read(cap, off, REQ);
      }
      assertThat(reads.openStreams()).isEqualTo(1);
      long off = c[0];
      assertThat(reads.read(cap, off, REQ))
          .isEqualTo(Arrays.copyOfRange(data, (int) off, (int) off + REQ));
      assertThat(reads.openStreams()).as("request at %d", off).isEqualTo((int) c[1]);
    }
  }

  /** Where each of the last HISTORY files stopped is remembered; an older one's is not. */
  @Test
  void theLastHistoryFilesKeepTheirPlaceAndAnOlderOneLosesIt() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    List<String> caps = new ArrayList<>();
    for (int f = 0; f <= BaseReads.HISTORY; f++) {
      caps.add(store(grid, CoreFixture.bytes(2 * REQ, 100 + f)));
    }
    BaseReads kept = new BaseReads(grid, 1 << 20);
    for (int f = 0; f < BaseReads.HISTORY; f++) {
      kept.read(caps.get(f), 0, REQ);
    }
    kept.read(caps.get(0), REQ, REQ);
    assertThat(kept.openStreams()).as("file 0 among the last %d", BaseReads.HISTORY)
        .isEqualTo(1);

    BaseReads lost = new BaseReads(grid, 1 << 20);
    for (int f = 0; f <= BaseReads.HISTORY; f++) {
      lost.read(caps.get(f), 0, REQ);
    }
    lost.read(caps.get(1), REQ, REQ);
    assertThat(lost.openStreams()).as("file 1 still among the last").isEqualTo(1);
    lost.read(caps.get(0), REQ, REQ);
    assertThat(lost.openStreams()).as("file 0 pushed out by one more: no second stream")
        .isEqualTo(1);
  }

  @Test
  void atMostTheBoundOfStreamsStaysOpen() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    BaseReads reads = new BaseReads(grid, 1 << 20);
    List<String> caps = new ArrayList<>();
    for (int f = 0; f < BaseReads.STREAMS + 3; f++) {
      caps.add(store(grid, CoreFixture.bytes(1 << 20, 20 + f)));
    }
    for (String cap : caps) {
      reads.read(cap, 0, REQ);
      reads.read(cap, REQ, REQ); // sequential: a stream opens
      assertThat(reads.openStreams()).isLessThanOrEqualTo(BaseReads.STREAMS);
    }
    assertThat(reads.openStreams()).isEqualTo(BaseReads.STREAMS);
  }

  @Test
  void withNoReadAheadEveryRequestIsOneDirectGridRead() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    byte[] data = CoreFixture.bytes(1 << 20, 30);
    String cap = store(grid, data);
    BaseReads reads = new BaseReads(grid, 0);
    int before = grid.reads.get();
    for (int r = 0; r < 8; r++) {
      assertThat(reads.read(cap, (long) r * REQ, REQ))
          .isEqualTo(Arrays.copyOfRange(data, r * REQ, (r + 1) * REQ));
      assertThat(reads.openStreams()).isZero();
    }
    assertThat(grid.reads.get() - before).isEqualTo(8);
  }

  @Test
  void anEmptyRequestStartsNoStream() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    String cap = store(grid, CoreFixture.bytes(1 << 20, 31));
    BaseReads reads = new BaseReads(grid, 1 << 20);
    reads.read(cap, 0, REQ);
    assertThat(reads.read(cap, REQ, 0)).isEmpty();
    assertThat(reads.openStreams()).isZero();
  }

  /** Pieces are dropped once served: a file read in order to its end leaves nothing held. */
  @Test
  void aFileReadInOrderToItsEndLeavesNoStreamOpen() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    byte[] data = CoreFixture.bytes(6 * BaseReads.PIECE + 100, 32);
    String cap = store(grid, data);
    BaseReads reads = new BaseReads(grid, 1 << 20);
    for (int off = 0; off < data.length; off += BaseReads.PIECE) {
      int n = Math.min(BaseReads.PIECE, data.length - off);
      assertThat(reads.read(cap, off, BaseReads.PIECE))
          .isEqualTo(Arrays.copyOfRange(data, off, off + n));
      if (off > 0 && off + BaseReads.PIECE < data.length) {
        assertThat(reads.openStreams()).as("at %d", off).isEqualTo(1);
      }
    }
    assertThat(reads.openStreams()).isZero();
  }

  /** Forgetting the oldest of more than HISTORY files closes that file's stream only. */
  @Test
  void aStreamAmongTheRecentFilesStaysOpenWhenTheHistoryOverflows() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    String big = store(grid, CoreFixture.bytes(4 << 20, 33));
    List<String> caps = new ArrayList<>();
    for (int f = 0; f < BaseReads.HISTORY + 2; f++) {
      caps.add(store(grid, CoreFixture.bytes(REQ, 200 + f)));
    }
    BaseReads reads = new BaseReads(grid, 1 << 20);
    for (int f = 0; f < BaseReads.HISTORY - 1; f++) {
      reads.read(caps.get(f), 0, REQ);
    }
    reads.read(big, 0, REQ);
    reads.read(big, REQ, REQ); // a stream opens on the 64th file
    assertThat(reads.openStreams()).isEqualTo(1);
    for (int f = BaseReads.HISTORY - 1; f < caps.size(); f++) {
      reads.read(caps.get(f), 0, REQ); // 65th and 66th: the oldest small files are forgotten
    }
    assertThat(reads.openStreams()).as("the big file is among the last %d", BaseReads.HISTORY)
        .isEqualTo(1);
    reads.read(big, 2 * REQ, REQ);
    assertThat(reads.openStreams()).as("still sequential: its place was kept").isEqualTo(1);
  }

  /** A stream stopped by a random read lets go of its pieces: they are read from the grid. */
  @Test
  void aStoppedStreamKeepsNoPieces() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    byte[] data = CoreFixture.bytes(1 << 20, 34); // one step of the stream: no fetch ahead
    String cap = store(grid, data);
    BaseReads reads = new BaseReads(grid, 1 << 20);
    reads.read(cap, 0, REQ);
    reads.read(cap, REQ, REQ); // the stream opens
    reads.read(cap, 3 * REQ, REQ); // out of order: the piece at 2 * REQ is kept for later
    assertThat(reads.read(cap, 6 << 20, REQ)).isEmpty(); // past the stream's reach: stops it
    assertThat(reads.openStreams()).isZero();
    int before = grid.reads.get();
    assertThat(reads.read(cap, 2 * REQ, REQ))
        .isEqualTo(Arrays.copyOfRange(data, 2 * REQ, 3 * REQ));
    assertThat(grid.reads.get() - before).isEqualTo(1);
  }

  /** A request past the end of a file of whole pieces finds the end and lets go of the stream. */
  @Test
  void aRequestPastTheEndOfAFileOfWholePiecesClosesItsStream() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    byte[] data = CoreFixture.bytes(2 * BaseReads.PIECE, 35);
    String cap = store(grid, data);
    BaseReads reads = new BaseReads(grid, 1 << 20);
    reads.read(cap, 0, BaseReads.PIECE);
    reads.read(cap, BaseReads.PIECE, BaseReads.PIECE); // the stream opens, reads to the end
    assertThat(reads.openStreams()).isEqualTo(1);
    assertThat(reads.read(cap, 3L * BaseReads.PIECE, BaseReads.PIECE)).isEmpty();
    assertThat(reads.openStreams()).isZero();
  }

  /** A grid failure met by the stream is reported as that failure, and the stream is let go. */
  @Test
  void aFailureInTheStreamIsReportedWithItsKindAndStopsTheStream() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    byte[] data = CoreFixture.bytes(8 << 20, 36);
    String cap = store(grid, data);
    BaseReads reads = new BaseReads(grid, 1 << 20);
    reads.read(cap, 0, REQ);
    reads.read(cap, REQ, REQ); // the stream opens
    grid.failReadsWith(GridException.Kind.INTEGRITY);
    GridException failed = null;
    for (long off = 2 * REQ; off < (6 << 20) && failed == null; off += REQ) {
      try {
        assertThat(reads.read(cap, off, REQ))
            .isEqualTo(Arrays.copyOfRange(data, (int) off, (int) off + REQ));
      } catch (GridException e) {
        failed = e;
      }
    }
    grid.heal();
    assertThat(failed).isNotNull();
    assertThat(failed.kind()).isEqualTo(GridException.Kind.INTEGRITY);
    assertThat(reads.openStreams()).isZero();
  }

  /** A request starting inside a piece the stream holds is served from it, not the grid. */
  @Test
  void aRequestStartingInsideAHeldPieceIsServedFromTheStream() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    byte[] data = CoreFixture.bytes(1 << 20, 37); // one step of the stream: no fetch ahead
    String cap = store(grid, data);
    BaseReads reads = new BaseReads(grid, 1 << 20);
    reads.read(cap, 0, REQ);
    reads.read(cap, REQ, REQ); // the stream opens
    int before = grid.reads.get();
    int off = 3 * REQ + REQ / 2;
    assertThat(reads.read(cap, off, REQ)).isEqualTo(Arrays.copyOfRange(data, off, off + REQ));
    int back = 2 * REQ + 100; // inside a piece passed over and kept
    assertThat(reads.read(cap, back, 1000))
        .isEqualTo(Arrays.copyOfRange(data, back, back + 1000));
    assertThat(grid.reads.get() - before).isZero();
    assertThat(reads.openStreams()).isEqualTo(1);
  }

  /** A piece never asked for is dropped once far behind: the stream ends with nothing held. */
  @Test
  void aPieceNeverAskedForIsDroppedOnceFarBehind() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    byte[] data = CoreFixture.bytes((4 << 20) + 100, 38);
    String cap = store(grid, data);
    BaseReads reads = new BaseReads(grid, 1 << 20);
    for (int off = 0; off < data.length; off += REQ) {
      if (off == 2 * REQ) {
        continue; // its request never comes
      }
      int n = Math.min(REQ, data.length - off);
      assertThat(reads.read(cap, off, REQ)).isEqualTo(Arrays.copyOfRange(data, off, off + n));
    }
    assertThat(reads.openStreams()).isZero();
  }

  /** Stopping a stream closes the grid's stream (the real client stops its downloads). */
  @Test
  void aStoppedStreamClosesTheGridStream() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    byte[] data = CoreFixture.bytes(8 << 20, 39);
    String cap = store(grid, data);
    java.util.concurrent.atomic.AtomicInteger closed = new java.util.concurrent.atomic.AtomicInteger();
    GridBackend counting = (GridBackend) java.lang.reflect.Proxy.newProxyInstance(
        GridBackend.class.getClassLoader(), new Class<?>[] {GridBackend.class},
        (proxy, method, args) -> {
          if (method.getName().equals("open")) {
            return new java.io.FilterInputStream(
                new SequentialReads((GridBackend) proxy, (String) args[0], (long) args[1],
                    (long) args[2])) {
              @Override
              public void close() throws java.io.IOException {
                closed.incrementAndGet();
                super.close();
              }
            };
          }
          return method.invoke(grid, args);
        });
    BaseReads reads = new BaseReads(counting, 1 << 20);
    reads.read(cap, 0, REQ);
    reads.read(cap, REQ, REQ); // the stream opens
    assertThat(closed.get()).isZero();
    reads.read(cap, 7 << 20, REQ); // random: the stream stops
    assertThat(closed.get()).isEqualTo(1);
  }

  /** A direct read interrupted while it waits fails as UNREACHABLE and keeps the interrupt. */
  @Test
  void anInterruptedDirectReadKeepsTheInterrupt() throws Exception {
    GridBackend never = (GridBackend) java.lang.reflect.Proxy.newProxyInstance(
        GridBackend.class.getClassLoader(), new Class<?>[] {GridBackend.class},
        (proxy, method, args) -> new java.util.concurrent.CompletableFuture<byte[]>());
    BaseReads reads = new BaseReads(never, 0);
    Thread.currentThread().interrupt();
    try {
      GridException e = org.assertj.core.api.Assertions.catchThrowableOfType(
          () -> reads.read("cap", 0, REQ), GridException.class);
      assertThat(e.kind()).isEqualTo(GridException.Kind.UNREACHABLE);
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
  }

  /**
   * A piece that ends exactly {@code BEHIND} before the stream's position can serve no request
   * in reach (one using it would start before {@code pos - BEHIND} and stop the stream): it is
   * dropped, and a stream at the file's end holding nothing else lets go at once.
   */
  @Test
  void aPieceEndingExactlyBehindTheReachIsDroppedAndTheEndedStreamLetsGo() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    long behind = BaseReads.BEHIND / REQ; // pieces
    byte[] data = CoreFixture.bytes((int) ((behind + 3) * REQ), 39);
    String cap = store(grid, data);
    BaseReads reads = new BaseReads(grid, 1 << 20);
    // the first request is read directly, the second opens the stream at REQ
    for (int off = 0; off < data.length; off += REQ) {
      if (off == 2 * REQ) {
        continue; // its request never comes: the piece [2 REQ, 3 REQ) stays kept
      }
      boolean last = off + REQ == data.length;
      int len = last ? REQ + 1 : REQ; // the last request reaches past the end: the stream ends
      assertThat(reads.read(cap, off, len)).isEqualTo(Arrays.copyOfRange(data, off, off + REQ));
      if (off > REQ && !last) {
        assertThat(reads.openStreams()).as("at %d", off).isEqualTo(1);
      }
    }
    // the stream is at behind + 3 pieces: the kept piece ends exactly BEHIND before it
    assertThat(reads.openStreams()).isZero();
  }

  /** A stream unused for longer than the idle time is closed by the next read of any file. */
  @Test
  void anIdleStreamIsClosedByTheNextReadOfAnotherFile() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    byte[] a = CoreFixture.bytes(8 * REQ, 40);
    byte[] b = CoreFixture.bytes(REQ, 41);
    String capA = store(grid, a);
    String capB = store(grid, b);
    for (long idle : new long[] {java.util.concurrent.TimeUnit.HOURS.toNanos(1), 0}) {
      BaseReads reads = new BaseReads(grid, 1 << 20, idle);
      reads.read(capA, 0, REQ);
      assertThat(reads.read(capA, REQ, REQ)).isEqualTo(Arrays.copyOfRange(a, REQ, 2 * REQ));
      assertThat(reads.openStreams()).isEqualTo(1);
      assertThat(reads.read(capB, 0, REQ)).isEqualTo(b);
      assertThat(reads.openStreams()).as("idle time %d ns", idle).isEqualTo(idle == 0 ? 0 : 1);
    }
  }
  /**
   * What a sequential reader's stream read is kept in the piece cache: a later read of it (the
   * kernel dropped those pages) asks the grid nothing, while a part never read still does.
   */
  @Test
  void aReReadOfWhatAStreamReadIsServedFromThePieceCache(@TempDir Path tmp) throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    byte[] data = CoreFixture.bytes(16 << 20, 9);
    String cap = store(grid, data);
    BaseReads reads = new BaseReads(grid, 1 << 20);
    try (PieceCache cache = PieceCache.open(tmp.resolve("read"), 64 << 20)) {
      reads.keepIn(cache);
      for (int r = 0; r < 16; r++) { // the first 2 MiB, sequentially
        reads.read(cap, (long) r * REQ, REQ);
      }
      reads.read(cap, (16L << 20) - 10, 10); // far away: stops the stream
      int before = grid.reads.get();
      Random rnd = new Random(3);
      for (int i = 0; i < 50; i++) {
        long at = rnd.nextInt((1 << 20) + (1 << 19));
        int length = 1 + rnd.nextInt(100_000);
        assertThat(reads.read(cap, at, length))
            .isEqualTo(Arrays.copyOfRange(data, (int) at, (int) at + length));
      }
      assertThat(grid.reads.get() - before).as("grid reads for parts read before").isZero();
      // more than NEAR from the last grid read: a direct read, counted
      assertThat(reads.read(cap, (10L << 20) + 5, 100))
          .isEqualTo(Arrays.copyOfRange(data, (10 << 20) + 5, (10 << 20) + 105));
      assertThat(grid.reads.get() - before).as("a part never read").isPositive();
    }
  }
}
