package org.cairnfs.fs.mount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The write-back cases that wait on purpose (a slowed grid, a coalescing pause, a draining cache,
 * an unmount that gives up): kept apart from {@link WriteBackTest} so that PIT, whose minions time
 * out on such waits, can run the fast ones.
 */
class WriteBackSlowTest {
  static final Caller U = CoreFixture.USER;
  @TempDir
  Path dir;

  @Test
  void aThousandCreatesInOneDirectoryAreAHandfulOfPublishes() throws Exception {
    try (CoreFixture fx = new CoreFixture(MemoryGrid.inMemory(), null, dir,
        b -> b.coalesceDelay(Duration.ofMillis(200)))) {
      fx.core.mkdir("/d", 0755, U);
      for (int i = 0; i < 1000; i++) {
        fx.put("/d/f" + i, ("file " + i).getBytes(StandardCharsets.UTF_8));
      }
      fx.core.sync(Duration.ofSeconds(30));
      assertThat(fx.grid.entries(fx.rootCap)).containsKey("d");
      String d = fx.grid.entries(fx.rootCap).get("d").cap().orElseThrow();
      assertThat(fx.grid.entries(d)).hasSize(1000);
      // every round publishes /d and / at most once each; rounds wait for a pause in the
      // stream of changes (200 ms) or 2 s, whichever comes first
      assertThat(fx.grid.publishCount()).isLessThan(20);
      assertThat(fx.grid.fileWrites.get()).isEqualTo(1000);
    }
  }

  /**
   * One round publishing 5 000 entries of 250-character names: the record saying they are
   * published would be 1.3 MB, over the journal's 1 MiB record bound, and every round failed on
   * it (stress-ng's dirmany); it is journaled in parts now, and a remount finds all of them.
   */
  @Test
  void aBatchTooLargeForOneJournalRecordIsMarkedPublishedInParts() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    String root = grid.newRoot();
    try (CoreFixture fx = new CoreFixture(grid, root, dir, b -> b
        .coalesceDelay(Duration.ofSeconds(60)).coalesceLimit(Duration.ofSeconds(60)))) {
      fx.core.mkdir("/d", 0755, U);
      for (int i = 0; i < 5000; i++) {
        fx.put("/d/" + String.format("%05d", i) + "x".repeat(245), new byte[0]);
      }
      fx.core.sync(Duration.ofSeconds(60));
      assertThat(fx.core.status().pendingChanges()).isZero();
      String d = grid.entries(root).get("d").cap().orElseThrow();
      assertThat(grid.entries(d)).hasSize(5000);
    }
    try (CoreFixture fx = new CoreFixture(grid, root, dir, b -> { })) {
      assertThat(fx.core.status().pendingChanges()).isZero();
      assertThat(fx.core.readdir("/d")).hasSizeGreaterThanOrEqualTo(5000);
    }
  }

  @Test
  void fullCacheMakesWritesWaitForTheUploaderThenFailWhenItCannotDrain() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    try (CoreFixture fx = new CoreFixture(grid, null, dir, b -> b.cacheBytes(2 << 20)
        .backpressureWait(Duration.ofSeconds(20)))) {
      grid.delay(Duration.ofMillis(50));
      // 8 MiB through a 2 MiB cache: writes wait while the uploader drains, and succeed
      byte[] chunk = CoreFixture.bytes(256 * 1024, 1);
      long fh = fx.create("/big");
      for (int i = 0; i < 32; i++) {
        fx.core.write(fh, ByteBuffer.wrap(chunk), (long) i * chunk.length);
      }
      fx.core.flush(fh);
      fx.core.release(fh);
      assertThat(fx.core.status().spoolBytes()).isLessThanOrEqualTo(4 << 20);
      fx.core.sync(Duration.ofSeconds(30));
      byte[] got = fx.get("/big");
      assertThat(got).hasSize(32 * chunk.length);
      for (int i = 0; i < 32; i++) {
        assertThat(java.util.Arrays.copyOfRange(got, i * chunk.length, (i + 1) * chunk.length))
            .isEqualTo(chunk);
      }
    }
    try (CoreFixture fx = new CoreFixture(grid, null, dir.resolve("b"), b -> b.cacheBytes(1 << 20)
        .backpressureWait(Duration.ofMillis(300)))) {
      grid.delay(Duration.ZERO);
      grid.failWith(GridException.Kind.UNREACHABLE);
      long fh = fx.create("/stuck");
      assertThatThrownBy(() -> {
        for (int i = 0; i < 64; i++) {
          fx.core.write(fh, ByteBuffer.wrap(new byte[64 * 1024]), (long) i * 65536);
        }
      }).extracting(e -> ((FsException) e).error()).isEqualTo(FsError.NO_SPACE);
      grid.heal();
      fx.core.release(fh);
    }
  }

  /**
   * A layer whose upload takes longer than the backpressure wait still drains: the uploader's
   * reads of new bytes count as progress, so the writer waits instead of getting ENOSPC (seen
   * as stress-ng's ENOSPC on a loaded machine, where one 256 MiB part took over 60 s).
   */
  @Test
  void aSlowUploadInsideOneLayerIsProgressNotAFullCache() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    try (CoreFixture fx = new CoreFixture(grid, null, dir, b -> b.cacheBytes(2 << 20)
        .backpressureWait(Duration.ofMillis(400)))) {
      grid.slowSource = Duration.ofMillis(40); // 1 MiB: 16 reads, 640 ms, longer than the wait
      byte[] chunk = CoreFixture.bytes(256 * 1024, 4);
      long fh = fx.create("/slow");
      for (int i = 0; i < 16; i++) {
        fx.core.write(fh, ByteBuffer.wrap(chunk), (long) i * chunk.length);
      }
      fx.core.flush(fh);
      fx.core.release(fh);
      fx.core.sync(Duration.ofSeconds(60));
      assertThat(fx.get("/slow")).hasSize(16 * chunk.length);
    }
  }

  /**
   * A round busy with other files that release no byte (an empty file; each grid call 300 ms) outlasts the 700 ms backpressure wait
   * before this writer's bytes can even start: the other file's upload and its directory's
   * publish count as the cache draining (stress-ng's hdd met ENOSPC behind dirmany's round).
   */
  @Test
  void aRoundBusyWithOtherFilesIsProgressForAWriterPastTheBound() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    try (CoreFixture fx = new CoreFixture(grid, null, dir, b -> b.cacheBytes(1 << 20)
        .backpressureWait(Duration.ofMillis(700)))) {
      grid.delay(Duration.ofMillis(300));
      fx.put("/other", new byte[0]); // releases no byte when uploaded
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (grid.writesInFlight() == 0 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertThat(grid.writesInFlight()).as("the round has started").isPositive();
      long fh = fx.create("/big");
      for (int i = 0; i < 32; i++) { // 2 MiB through a 1 MiB cache
        fx.core.write(fh, ByteBuffer.wrap(new byte[64 * 1024]), (long) i * 65536);
      }
      fx.core.flush(fh);
      fx.core.release(fh);
      fx.core.sync(Duration.ofSeconds(60));
      assertThat(fx.get("/big")).hasSize(32 * 65536);
    }
  }

  /**
   * Retries reading the same bytes are no progress: with an unreachable grid (each attempt
   * reads its sources, then fails) and another file growing and closing meanwhile (a new
   * generation each time, nothing new to read), a writer past the bound still gets ENOSPC.
   */
  @Test
  @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void retriesReadingTheSameBytesAgainAreNoProgress() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    try (CoreFixture fx = new CoreFixture(grid, null, dir, b -> b.cacheBytes(1 << 20)
        .backpressureWait(Duration.ofMillis(800))
        .retry(Duration.ofMillis(20), Duration.ofMillis(40)))) {
      grid.failAfterReading = true;
      fx.put("/other", CoreFixture.bytes(64 * 1024, 5));
      java.util.concurrent.atomic.AtomicBoolean stop =
          new java.util.concurrent.atomic.AtomicBoolean();
      Thread grower = new Thread(() -> {
        try {
          for (long size = 64 * 1024 + 1; !stop.get(); size++) {
            long h = fx.core.open("/other", MountCore.O_RDWR);
            fx.core.ftruncate(h, size);
            fx.core.flush(h);
            fx.core.release(h);
            Thread.sleep(30);
          }
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      grower.start();
      long fh = fx.create("/stuck");
      try {
        assertThatThrownBy(() -> {
          for (int i = 0; i < 64; i++) {
            fx.core.write(fh, ByteBuffer.wrap(new byte[64 * 1024]), (long) i * 65536);
          }
        }).extracting(e -> ((FsException) e).error()).isEqualTo(FsError.NO_SPACE);
      } finally {
        stop.set(true);
        grower.join();
        grid.failAfterReading = false;
        fx.core.release(fh);
      }
    }
  }

  /** A 1 GiB file through a mount with a 1 GiB cache got ENOSPC: one open, one generation. */
  @Test
  void aFileWrittenInOneOpenIsUploadedInPartsWhileTheWriterGoesOn() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    try (CoreFixture fx = new CoreFixture(grid, null, dir, b -> b.cacheBytes(4 << 20))) {
      byte[] chunk = CoreFixture.bytes(256 * 1024, 2);
      long fh = fx.create("/big");
      for (int i = 0; i < 12; i++) {
        fx.core.write(fh, ByteBuffer.wrap(chunk), (long) i * chunk.length);
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (grid.bytesReceived() == 0 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(grid.bytesReceived()).as("uploaded while still open").isPositive();
      fx.core.flush(fh);
      fx.core.release(fh);
      fx.core.sync(Duration.ofSeconds(30));
      byte[] got = fx.get("/big");
      assertThat(got).hasSize(12 * chunk.length);
      for (int i = 0; i < 12; i++) {
        assertThat(java.util.Arrays.copyOfRange(got, i * chunk.length, (i + 1) * chunk.length))
            .isEqualTo(chunk);
      }
    }
  }

  @Test
  void aWriterWaitsForADrainingCacheLongerThanTheWaitWhileItDrains() throws Exception {
    SpoolBudget budget = new SpoolBudget(100);
    budget.add(100);
    Thread drain = new Thread(() -> {
      for (int i = 0; i < 8; i++) {
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          return;
        }
        budget.release(10);
      }
    });
    drain.start();
    // 60 bytes need 600 ms of draining; the wait is 250 ms without any byte released
    assertThat(budget.awaitRoom(60, Duration.ofMillis(250).toNanos())).isTrue();
    drain.join();
    assertThat(budget.awaitRoom(60, Duration.ofMillis(250).toNanos())).isTrue();
    budget.add(50);
    assertThat(budget.awaitRoom(60, Duration.ofMillis(250).toNanos())).as("no drain").isFalse();
  }

  @Test
  void theMountAnswersWhileReplayedWorkDrainsSlowly() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    try (CoreFixture fx = new CoreFixture(grid, null, dir, b -> { })) {
      grid.failWith(GridException.Kind.UNREACHABLE);
      for (int i = 0; i < 20; i++) {
        fx.put("/f" + i, new byte[] {(byte) i});
      }
      fx.core.crash();
      grid.heal();
      grid.delay(Duration.ofMillis(300));
      long t0 = System.nanoTime();
      fx.core = MountCore.open(fx.config(b -> { }), grid);
      assertThat(fx.core.readdir("/")).hasSize(22);
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(3000);
      CompletableFuture<Void> done = CompletableFuture.runAsync(() -> {
        try {
          fx.core.sync(Duration.ofSeconds(60));
        } catch (FsException e) {
          throw new AssertionError(e);
        }
      });
      done.get(60, TimeUnit.SECONDS);
      assertThat(grid.entries(fx.rootCap)).hasSize(20);
    }
  }

  @Test
  void unmountSaysWhatStaysPending() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    CoreFixture fx = new CoreFixture(grid, null, dir, b -> { });
    grid.failWith(GridException.Kind.UNREACHABLE);
    fx.put("/p", new byte[] {1});
    MountStatus end = fx.core.close(Duration.ofMillis(500), s -> { });
    assertThat(end.clean()).isFalse();
    assertThat(end.pendingChanges()).isPositive();
    grid.heal();
    fx.core = MountCore.open(fx.config(b -> { }), grid);
    fx.core.sync(Duration.ofSeconds(10));
    assertThat(grid.entries(fx.rootCap)).containsKey("p");
    assertThat(Files.list(dir.resolve("spool")).count()).isZero();
    fx.close();
  }

  /**
   * A steady stream of small closes (a {@code cp -r}) is left alone until it pauses, past the
   * old cap of ten coalesce delays (5 s here), up to the coalesce limit; with a short limit
   * uploads start while the stream goes on.
   */
  @Test
  void aSteadyStreamOfSmallFilesWaitsForItsPauseUpToTheCoalesceLimit() throws Exception {
    try (CoreFixture fx = new CoreFixture(MemoryGrid.inMemory(), null, dir.resolve("long"),
        b -> b.coalesceDelay(Duration.ofMillis(500)).coalesceLimit(Duration.ofSeconds(60)))) {
      streamSmallFiles(fx, Duration.ofSeconds(6));
      assertThat(fx.grid.fileWrites.get()).isZero();
      fx.core.sync(Duration.ofSeconds(30));
      assertThat(fx.grid.fileWrites.get()).isPositive();
    }
    try (CoreFixture fx = new CoreFixture(MemoryGrid.inMemory(), null, dir.resolve("short"),
        b -> b.coalesceDelay(Duration.ofMillis(500)).coalesceLimit(Duration.ofMillis(1000)))) {
      streamSmallFiles(fx, Duration.ofSeconds(3));
      assertThat(fx.grid.fileWrites.get()).isPositive();
    }
  }

  /** Closes a new small file every 20 ms for {@code d}: never a 500 ms pause. */
  private static void streamSmallFiles(CoreFixture fx, Duration d) throws Exception {
    long end = System.nanoTime() + d.toNanos();
    for (int i = 0; System.nanoTime() < end; i++) {
      fx.put("/s" + i, CoreFixture.bytes(4096, i));
      Thread.sleep(20);
    }
  }

  /**
   * Sealed layers past a sixteenth of the cache bound start a round without waiting for a pause;
   * a file kept open and written does not (the uploader could not take it).
   */
  @Test
  void aLargeSpoolStartsARoundWithoutAPause() throws Exception {
    try (CoreFixture fx = new CoreFixture(MemoryGrid.inMemory(), null, dir, b -> b
        .cacheBytes(16 << 20).coalesceDelay(Duration.ofHours(1))
        .coalesceLimit(Duration.ofHours(1)))) {
      long open = fx.create("/open");
      fx.core.write(open, ByteBuffer.wrap(CoreFixture.bytes(2 << 20, 3)), 0); // 2 MiB, open
      fx.put("/small", CoreFixture.bytes(512 * 1024, 1)); // 512 KiB sealed: below 1 MiB
      Thread.sleep(500);
      assertThat(fx.grid.fileWrites.get()).isZero();
      fx.put("/more", CoreFixture.bytes(768 * 1024, 2)); // 1.25 MiB sealed
      awaitSize(fx, "more", 768 * 1024);
      awaitSize(fx, "small", 512 * 1024);
      assertThat(fx.grid.entries(fx.rootCap).get("open").metadata().size()).isZero();
      fx.core.flush(open);
      fx.core.release(open);
      awaitSize(fx, "open", 2 << 20); // its 2 MiB sealed at the close
    }
  }

  private static void awaitSize(CoreFixture fx, String name, long size)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    java.util.function.LongSupplier now = () -> java.util.Optional.ofNullable(
        fx.grid.entries(fx.rootCap).get(name)).map(e -> e.metadata().size()).orElse(-1L);
    while (now.getAsLong() != size && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(now.getAsLong()).as(name + " on the grid").isEqualTo(size);
  }

  /**
   * An fsync that arrives while a round runs needs the next round: that one starts as soon as
   * the running one ends, not after the coalescing wait (here an hour).
   */
  @Test
  void anFsyncDuringARoundStartsTheNextRoundAtOnce() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    try (CoreFixture fx = new CoreFixture(grid, null, dir, b -> b
        .coalesceDelay(Duration.ofHours(1)).coalesceLimit(Duration.ofHours(1)))) {
      java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);
      grid.writeGate = gate;
      long a = fx.create("/a");
      fx.core.write(a, ByteBuffer.wrap(new byte[] {1}), 0);
      CompletableFuture<Void> first = CompletableFuture.runAsync(() -> fsync(fx, a));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (grid.writesInFlight() == 0 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertThat(grid.writesInFlight()).as("the first round is uploading /a").isOne();
      long b = fx.create("/b");
      fx.core.write(b, ByteBuffer.wrap(new byte[] {2}), 0);
      Thread second = new Thread(() -> fsync(fx, b));
      second.start();
      while (!waitingForTheGrid(second) && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertThat(waitingForTheGrid(second)).as("the second fsync waits in the round").isTrue();
      gate.countDown();
      first.get(20, TimeUnit.SECONDS);
      second.join(20_000);
      assertThat(second.isAlive()).as("the second fsync returned").isFalse();
      assertThat(grid.entries(fx.rootCap)).containsKeys("a", "b");
      fx.core.release(a);
      fx.core.release(b);
    }
  }

  private static boolean waitingForTheGrid(Thread t) {
    return t.getState() == Thread.State.TIMED_WAITING && java.util.Arrays.stream(t.getStackTrace())
        .anyMatch(f -> f.getMethodName().equals("awaitPublished"));
  }

  private static void fsync(CoreFixture fx, long fh) {
    try {
      fx.core.fsync(fh, false);
    } catch (FsException e) {
      throw new AssertionError(e);
    }
  }
}
