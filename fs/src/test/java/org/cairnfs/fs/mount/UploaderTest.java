package org.cairnfs.fs.mount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The uploader's own behaviour, case by case: when rounds start (coalescing, urgency, the
 * first change's limit), how failed rounds back off and report, what a round publishes and in
 * which order, what awaitPublished answers, start and stop. Each case is fast; they count
 * rounds, grid calls and failures rather than time, and wait on latches where a round must be
 * held in flight (MemoryGrid.writeGate).
 */
class UploaderTest {
  static final Caller U = CoreFixture.USER;
  static final Duration HOUR = Duration.ofHours(1);
  @TempDir
  Path dir;

  private static void waitUntil(String what, BooleanSupplier cond) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!cond.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(2);
    }
  }

  /** Closes without the usual 30 s drain (a case that failed may leave changes pending). */
  private static void closeQuickly(CoreFixture fx) throws java.io.IOException {
    fx.core.close(Duration.ofMillis(200), s -> { });
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Waits until the thread parks in a timed wait (awaitPublished's wait for a round). */
  private static void waitParked(Thread t) throws InterruptedException {
    waitUntil(t.getName() + " waits", () -> t.getState() == Thread.State.TIMED_WAITING);
  }

  // ---- failures: backoff, retry, status

  @Test
  void aFailedRoundIsRetriedWithADoublingCappedBackoffAndReported() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
    InstantSource clock = now::get;
    grid.failWith(GridException.Kind.UNREACHABLE);
    CoreFixture fx = new CoreFixture(grid, null, dir, b -> b.clock(clock)
        .coalesceDelay(Duration.ofMillis(5)).retry(Duration.ofMillis(60), Duration.ofMillis(120)));
    try {
      Instant first = now.get();
      fx.put("/f", utf8("f")); // each round: one upload, which fails; nothing to publish
      waitUntil("a failure", () -> grid.failureTimes.size() >= 1);
      waitUntil("the failure reported", () -> fx.core.status().lastError().isPresent());
      assertThat(fx.core.status().failingSince()).contains(first);
      now.set(first.plusSeconds(10));
      waitUntil("five failures", () -> grid.failureTimes.size() >= 5);
      List<Long> t = new ArrayList<>(grid.failureTimes);
      long ms = TimeUnit.MILLISECONDS.toNanos(1);
      assertThat(t.get(1) - t.get(0)).as("first wait").isGreaterThanOrEqualTo(55 * ms);
      assertThat(t.get(2) - t.get(1)).as("doubled").isGreaterThanOrEqualTo(115 * ms);
      assertThat(t.get(4) - t.get(3)).as("capped, still waited").isGreaterThanOrEqualTo(115 * ms);
      assertThat(fx.core.status().failingSince()).as("since the first failure").contains(first);
      assertThat(fx.core.status().lastError().orElseThrow()).contains("UNREACHABLE");
      grid.heal();
      // no new change and no waiter: the retry alone puts it on the grid and clears the error
      waitUntil("retried", () -> grid.entries(fx.rootCap).containsKey("f"));
      waitUntil("clean", () -> fx.core.status().clean());
      // the round clears its error as it ends, just after its publish made the state clean
      waitUntil("the error cleared", () -> fx.core.status().lastError().isEmpty());
      assertThat(fx.core.status().failingSince()).isEmpty();
    } finally {
      closeQuickly(fx);
    }
  }

  /**
   * A round against a grid that is down fails every pending file and new directory; the log
   * says so in a few lines (the first failure of each kind, then a count), not a line each.
   */
  @Test
  void aRoundWhereEverythingFailsLogsTheFirstFailureOfEachKindAndACount() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    CoreFixture fx = new CoreFixture(grid, null, dir,
        b -> b.coalesceDelay(HOUR).coalesceLimit(HOUR).retry(HOUR, HOUR));
    ch.qos.logback.classic.Logger log = (ch.qos.logback.classic.Logger)
        org.slf4j.LoggerFactory.getLogger("org.cairnfs.fs.mount");
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> seen =
        new ch.qos.logback.core.read.ListAppender<>();
    seen.start();
    try {
      fx.core.sync(Duration.ofSeconds(10)); // the root on the grid
      grid.failWith(GridException.Kind.UNREACHABLE);
      for (int i = 0; i < 5; i++) {
        fx.core.mkdir("/d" + i, 0755, U);
        for (int j = 0; j < 6; j++) {
          fx.put("/d" + i + "/f" + j, utf8("f" + i + j));
        }
      }
      log.addAppender(seen);
      fx.core.writeBack().uploader.kick(true);
      waitUntil("the round's failures reported", () -> fx.core.status().lastError().isPresent());
      assertThat(grid.failureTimes).as("every upload and creation tried").hasSizeGreaterThan(30);
      List<String> warnings = seen.list.stream()
          .filter(e -> e.getLevel() == ch.qos.logback.classic.Level.WARN)
          .map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage).toList();
      assertThat(warnings).as("%s", warnings).hasSizeLessThanOrEqualTo(4)
          .anyMatch(w -> w.startsWith("upload of local file ") && w.contains("UNREACHABLE"))
          .anyMatch(w -> w.equals("29 more uploads of local files failed in this round"
              + " (each logged at DEBUG)"));
    } finally {
      log.detachAppender(seen);
      grid.heal();
      closeQuickly(fx);
    }
  }

  /** The wait doubles from the initial one and stays at the maximum (no wall clock). */
  @Test
  void theBackoffDoublesFromTheInitialWaitAndStopsAtTheMaximum() {
    Duration initial = Duration.ofMillis(60);
    Duration max = Duration.ofMillis(200);
    long w = 0;
    List<Long> waits = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      w = Uploader.nextBackoff(w, initial, max);
      waits.add(TimeUnit.NANOSECONDS.toMillis(w));
    }
    assertThat(waits).containsExactly(60L, 120L, 200L, 200L, 200L);
    assertThat(Uploader.nextBackoff(100_000_000L, initial, Duration.ofMillis(200)))
        .as("exactly twice below the maximum").isEqualTo(200_000_000L);
  }

  /**
   * A round that published everything and failed only afterwards (here: its listener threw)
   * leaves nothing pending: the retry, a round with nothing to do, clears the error.
   */
  @Test
  void anErrorIsClearedByAnEmptyRoundWhenNothingIsLeft() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    CoreFixture fx = new CoreFixture(grid, null, dir, b -> b
        .coalesceDelay(Duration.ofMillis(5)).retry(Duration.ofMillis(20), Duration.ofMillis(20)));
    try {
      java.util.concurrent.atomic.AtomicBoolean thrown = new java.util.concurrent.atomic.AtomicBoolean();
      fx.core.writeBack().uploader.onPublished(d -> {
        if (!thrown.getAndSet(true)) {
          throw new IllegalStateException("listener failed");
        }
      });
      fx.put("/a", utf8("a"));
      waitUntil("the failure reported", () -> fx.core.status().lastError().isPresent());
      assertThat(grid.entries(fx.rootCap)).containsKey("a");
      waitUntil("the error cleared", () -> fx.core.status().lastError().isEmpty());
      assertThat(fx.core.status().failingSince()).isEmpty();
      assertThat(fx.core.status().clean()).isTrue();
    } finally {
      closeQuickly(fx);
    }
  }

  /**
   * A round with nothing to do (the one at start) and a round that succeeds are no failures:
   * the next change goes out after the coalescing delay, not after a retry wait.
   */
  @Test
  void emptyAndSuccessfulRoundsStartNoBackoff() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    CoreFixture fx = new CoreFixture(grid, null, dir, b -> b
        .coalesceDelay(Duration.ofMillis(5)).retry(HOUR, HOUR));
    try {
      Uploader up = fx.core.writeBack().uploader;
      waitUntil("the start round", () -> up.rounds() >= 1);
      fx.put("/a", utf8("a"));
      waitUntil("a published", () -> grid.entries(fx.rootCap).containsKey("a"));
      waitUntil("clean", () -> fx.core.status().clean());
      fx.put("/b", utf8("b"));
      waitUntil("b published", () -> grid.entries(fx.rootCap).containsKey("b"));
    } finally {
      closeQuickly(fx);
    }
  }

  /** With nothing changed and no waiter, the uploader does no rounds (and a sync none either). */
  @Test
  void anIdleUploaderDoesNoRounds() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    CoreFixture fx = new CoreFixture(grid, null, dir, b -> b
        .coalesceDelay(Duration.ofMillis(5)));
    try {
      Uploader up = fx.core.writeBack().uploader;
      fx.put("/a", utf8("a"));
      fx.core.sync(Duration.ofSeconds(5)); // a waiter: urgent, counted down after its round
      Thread.sleep(50);
      long r = up.rounds();
      Thread.sleep(150);
      assertThat(up.rounds()).as("rounds while idle").isEqualTo(r);
      fx.core.sync(Duration.ofSeconds(5)); // nothing pending: answered without a round
      assertThat(up.rounds()).isEqualTo(r);
    } finally {
      closeQuickly(fx);
    }
  }

  // ---- when rounds start

  @Test
  void anUrgentKickSkipsTheCoalescingDelay() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    CoreFixture fx = new CoreFixture(grid, null, dir, b -> b.coalesceDelay(HOUR)
        .coalesceLimit(HOUR));
    try {
      fx.put("/a", utf8("a"));
      fx.core.writeBack().uploader.kick(true);
      waitUntil("a published", () -> grid.entries(fx.rootCap).containsKey("a"));
    } finally {
      closeQuickly(fx);
    }
  }

  /** The coalesce limit counts from the first change after the last round, not from start. */
  @Test
  void theCoalesceLimitCountsFromTheFirstChangeNotFromStart() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    CoreFixture fx = new CoreFixture(grid, null, dir, b -> b.coalesceDelay(HOUR)
        .coalesceLimit(Duration.ofMillis(600)));
    try {
      Uploader up = fx.core.writeBack().uploader;
      waitUntil("the start round", () -> up.rounds() >= 1); // at most the limit after start
      Thread.sleep(100);
      fx.put("/a", utf8("a"));
      Thread.sleep(250);
      assertThat(grid.entries(fx.rootCap)).as("published before the limit").doesNotContainKey("a");
      waitUntil("a published at the limit", () -> grid.entries(fx.rootCap).containsKey("a"));
    } finally {
      closeQuickly(fx);
    }
  }

  /**
   * Waiters and urgent kicks that come during a round each count: after the round the next one
   * starts at once, and a sync that came during the round gets it.
   */
  @Test
  void waitersAndUrgentKicksDuringARoundStartTheNextAtOnce() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    CoreFixture fx = new CoreFixture(grid, null, dir, b -> b.coalesceDelay(HOUR)
        .coalesceLimit(HOUR));
    CountDownLatch gate = new CountDownLatch(1);
    try {
      fx.put("/a", utf8("a"));
      grid.writeGate = gate;
      List<Throwable> errors = new CopyOnWriteArrayList<>();
      Thread first = new Thread(() -> {
        try {
          fx.core.sync(Duration.ofSeconds(10));
        } catch (Throwable t) {
          errors.add(t);
        }
      }, "first-sync");
      first.start();
      waitUntil("a round holds an upload", () -> grid.writesInFlight() == 1);
      fx.put("/b", utf8("b"));
      fx.core.writeBack().uploader.kick(true);
      Thread second = new Thread(() -> {
        try {
          fx.core.sync(Duration.ofSeconds(3));
        } catch (Throwable t) {
          errors.add(t);
        }
      }, "second-sync");
      second.start();
      waitParked(second);
      grid.writeGate = null;
      gate.countDown();
      first.join(10_000);
      second.join(10_000);
      assertThat(errors).isEmpty();
      assertThat(grid.entries(fx.rootCap)).containsKeys("a", "b");
    } finally {
      grid.writeGate = null;
      gate.countDown();
      closeQuickly(fx);
    }
  }

  /**
   * A file unlinked and closed while its upload is in flight: its layers are deleted under the
   * upload's reader, which fails. Nothing refers to the file any more, so that is no failure of
   * the round (seen once under fsstress as a WARN and an error in the status).
   */
  @Test
  void anUploadOfAFileRemovedMeanwhileIsNoFailureOfTheRound() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    CoreFixture fx = new CoreFixture(grid, null, dir, b -> b.coalesceDelay(HOUR)
        .coalesceLimit(HOUR));
    CountDownLatch gate = new CountDownLatch(1);
    try {
      fx.put("/keep", CoreFixture.bytes(65536, 1));
      fx.put("/gone", CoreFixture.bytes(65536, 2));
      Uploader uploader = fx.core.writeBack().uploader;
      long before = uploader.rounds();
      grid.writeGate = gate;
      uploader.kick(true);
      waitUntil("the round holds both uploads", () -> grid.writesInFlight() == 2);
      fx.core.unlink("/gone");
      grid.writeGate = null;
      gate.countDown();
      waitUntil("the round ended", () -> uploader.rounds() > before);
      assertThat(fx.core.status().lastError()).isEmpty();
      assertThat(grid.entries(fx.rootCap)).containsKey("keep");
      fx.core.sync(Duration.ofSeconds(10));
      assertThat(grid.entries(fx.rootCap)).containsOnlyKeys("keep");
    } finally {
      grid.writeGate = null;
      gate.countDown();
      closeQuickly(fx);
    }
  }

  /** Sealed layers holding a sixteenth of the cache bound start a round without the delay. */
  @Test
  void sealedBytesAtASixteenthOfTheBoundStartARound() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    CoreFixture fx = new CoreFixture(grid, null, dir, b -> b.coalesceDelay(HOUR)
        .coalesceLimit(HOUR).cacheBytes(16 * 65536));
    try {
      fx.put("/a", CoreFixture.bytes(65536, 3));
      assertThat(fx.core.writeBack().budget.sealed()).isEqualTo(65536);
      waitUntil("a published", () -> grid.entries(fx.rootCap).containsKey("a"));
    } finally {
      closeQuickly(fx);
    }
  }

  // ---- awaitPublished

  @Test
  void aSyncGivesUpAtItsDeadlineAndWhenInterrupted() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    CoreFixture fx = new CoreFixture(grid, null, dir, b -> b.coalesceDelay(HOUR));
    CountDownLatch gate = new CountDownLatch(1);
    try {
      fx.put("/a", utf8("a"));
      grid.writeGate = gate; // the round holds its upload: no round ends
      long t0 = System.nanoTime();
      assertThatThrownBy(() -> fx.core.sync(Duration.ofMillis(100)))
          .isInstanceOf(FsException.class).hasMessageContaining("timed out");
      assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(95));
      AtomicReference<Throwable> thrown = new AtomicReference<>();
      AtomicReference<Boolean> interrupted = new AtomicReference<>();
      Thread waiter = new Thread(() -> {
        try {
          fx.core.sync(Duration.ofSeconds(30));
        } catch (Throwable t) {
          thrown.set(t);
          interrupted.set(Thread.currentThread().isInterrupted());
        }
      }, "interrupted-sync");
      waiter.start();
      waitParked(waiter);
      waiter.interrupt();
      waiter.join(5_000);
      assertThat(thrown.get()).isInstanceOf(FsException.class)
          .hasMessageContaining("interrupted");
      assertThat(interrupted.get()).as("the interrupt is kept").isTrue();
    } finally {
      grid.writeGate = null;
      gate.countDown();
      closeQuickly(fx);
    }
  }

  // ---- start and stop

  /**
   * stop() wakes a waiter at once (it fails: the mount is stopping) and waits for the
   * uploader's thread to end, here for its round in flight, until interrupted.
   */
  @Test
  void stopFailsWaitersAtOnceAndWaitsForTheRoundInFlight() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    CoreFixture fx = new CoreFixture(grid, null, dir, b -> b.coalesceDelay(HOUR));
    CountDownLatch gate = new CountDownLatch(1);
    try {
      Uploader up = fx.core.writeBack().uploader;
      assertThat(Thread.getAllStackTraces().keySet().stream()
          .filter(t -> t.getName().equals("cairn-uploader") && t.isAlive()))
          .isNotEmpty().allMatch(Thread::isDaemon);
      fx.put("/a", utf8("a"));
      grid.writeGate = gate;
      AtomicReference<Throwable> thrown = new AtomicReference<>();
      Thread waiter = new Thread(() -> {
        try {
          fx.core.sync(Duration.ofSeconds(30));
        } catch (Throwable t) {
          thrown.set(t);
        }
      }, "sync-at-stop");
      waiter.start();
      waitUntil("a round holds an upload", () -> grid.writesInFlight() == 1);
      waitParked(waiter);
      AtomicReference<Boolean> stopperInterrupted = new AtomicReference<>();
      Thread stopper = new Thread(() -> {
        up.stop();
        stopperInterrupted.set(Thread.currentThread().isInterrupted());
      }, "stopper");
      stopper.start();
      waiter.join(5_000);
      assertThat(waiter.isAlive()).as("the waiter still waits").isFalse();
      assertThat(thrown.get()).isInstanceOf(FsException.class).hasMessageContaining("stopping");
      stopper.join(300);
      assertThat(stopper.isAlive()).as("stop waits for the round in flight").isTrue();
      stopper.interrupt(); // gives up waiting, and keeps the interrupt
      stopper.join(5_000);
      assertThat(stopper.isAlive()).isFalse();
      assertThat(stopperInterrupted.get()).isTrue();
    } finally {
      grid.writeGate = null;
      gate.countDown();
      fx.core.crash();
    }
  }

  /**
   * An interrupt of the uploader's thread in its retry wait ends the thread without leaving its
   * lock held: a waiter still times out and the mount still stops.
   */
  @Test
  void anInterruptedUploaderLeavesItsLockFree() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    grid.failWith(GridException.Kind.UNREACHABLE);
    CoreFixture fx = new CoreFixture(grid, null, dir, b -> b
        .coalesceDelay(Duration.ofMillis(5)).retry(HOUR, HOUR));
    boolean stuck = true; // then a crash would block on the lock too: leave the fixture
    try {
      fx.put("/a", utf8("a"));
      waitUntil("a failure", () -> grid.failureTimes.size() >= 1);
      Thread uploader = Thread.getAllStackTraces().keySet().stream()
          .filter(t -> t.getName().equals("cairn-uploader") && t.isAlive()).findFirst()
          .orElseThrow();
      waitParked(uploader); // in the retry wait
      uploader.interrupt();
      uploader.join(5_000);
      assertThat(uploader.isAlive()).isFalse();
      AtomicReference<Throwable> thrown = new AtomicReference<>();
      Thread waiter = new Thread(() -> {
        try {
          fx.core.sync(Duration.ofMillis(50));
        } catch (Throwable t) {
          thrown.set(t);
        }
        fx.core.writeBack().uploader.stop();
      }, "after-interrupt");
      waiter.setDaemon(true);
      waiter.start();
      waiter.join(5_000);
      assertThat(waiter.isAlive()).as("blocked on the uploader's lock").isFalse();
      stuck = false;
      assertThat(thrown.get()).isInstanceOf(FsException.class);
    } finally {
      if (!stuck) {
        fx.core.crash();
      }
    }
  }

  /** A stopped uploader starts no round, even with changes pending. */
  @Test
  void aCrashStartsNoRound() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    CoreFixture fx = new CoreFixture(grid, null, dir, b -> b.coalesceDelay(HOUR));
    fx.put("/a", utf8("a"));
    fx.core.crash();
    assertThat(grid.publishCount()).isZero();
    assertThat(grid.fileWrites.get()).isZero();
  }

  /** What the journal held at start goes to the grid without any new change or waiter. */
  @Test
  void startUploadsWhatTheJournalHeld() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    grid.failWith(GridException.Kind.UNREACHABLE);
    CoreFixture fx = new CoreFixture(grid, null, dir, b -> b
        .coalesceDelay(Duration.ofMillis(5)).retry(HOUR, HOUR));
    try {
      fx.put("/a", utf8("a"));
      waitUntil("a failure", () -> grid.failureTimes.size() >= 1);
      fx.core.crash();
      grid.heal();
      fx.reopen();
      waitUntil("a published", () -> grid.entries(fx.rootCap).containsKey("a"));
    } finally {
      closeQuickly(fx);
    }
  }

  // ---- what a round does

  @Test
  void aRoundCountsAndAnnouncesItsPublishesAndForgetsCleanFiles() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    CoreFixture fx = new CoreFixture(grid, null, dir, b -> b.coalesceDelay(HOUR));
    try {
      WriteBack wb = fx.core.writeBack();
      List<DirRef> announced = new CopyOnWriteArrayList<>();
      wb.uploader.onPublished(announced::add);
      DirRef root = new DirRef.Cap(fx.rootCap);
      long epoch = wb.publishEpoch(root);
      fx.put("/a", utf8("a"));
      fx.put("/b", utf8("bb"));
      assertThat(wb.files).isNotEmpty();
      fx.core.sync(Duration.ofSeconds(5));
      assertThat(announced).containsExactly(root);
      assertThat(wb.publishEpoch(root)).as("one publish: starting, then done").isEqualTo(epoch + 2);
      MountStatus s = fx.core.status();
      assertThat(s.publishes()).isEqualTo(1);
      assertThat(s.uploads()).isEqualTo(2);
      assertThat(wb.files).as("clean files forgotten").isEmpty();
      // a chmod of an uploaded file names it again, with nothing new to upload
      fx.core.chmod("/a", 0600);
      fx.core.sync(Duration.ofSeconds(5));
      assertThat(grid.fileWrites.get()).isEqualTo(2);
      assertThat(fx.get("/a")).isEqualTo(utf8("a"));
      assertThat(grid.content(grid.entries(fx.rootCap).get("a").cap().orElseThrow()))
          .isEqualTo(utf8("a"));
    } finally {
      closeQuickly(fx);
    }
  }

  /** A journal past 1 MiB with nothing left pending is rewritten after the round. */
  @Test
  void aLongJournalIsCompactedOnceEverythingIsPublished() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    CoreFixture fx = new CoreFixture(grid, null, dir, b -> b.coalesceDelay(HOUR));
    try {
      WriteBack wb = fx.core.writeBack();
      for (int i = 0; i < 20; i++) {
        fx.put("/f" + i, CoreFixture.bytes(60_000, i)); // inline in the journal
      }
      assertThat(wb.journalBytes()).isGreaterThan(1 << 20);
      fx.core.sync(Duration.ofSeconds(10));
      assertThat(wb.journalBytes()).isLessThan(1 << 20);
    } finally {
      closeQuickly(fx);
    }
  }

  /**
   * Moves out of a directory are published after everything else: a directory that gains an
   * entry and loses one by a move is published twice, first with the gain.
   */
  @Test
  void movesOutArePublishedInASecondPass() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    CoreFixture fx = new CoreFixture(grid, null, dir, b -> b.coalesceDelay(HOUR));
    try {
      fx.core.mkdir("/x", 0755, U);
      fx.core.mkdir("/y", 0755, U);
      fx.put("/x/f", utf8("f"));
      fx.core.sync(Duration.ofSeconds(5));
      int before = grid.publishCount();
      fx.put("/x/g", utf8("g"));
      fx.core.rename("/x/f", "/y/f", 0);
      List<DirRef> announced = new CopyOnWriteArrayList<>();
      fx.core.writeBack().uploader.onPublished(announced::add);
      fx.core.sync(Duration.ofSeconds(5));
      // first pass: / (the new mtimes of x and y), x (gains g), y (gains f); then x loses f
      assertThat(grid.publishCount() - before).isEqualTo(4);
      assertThat(announced).hasSize(4);
      assertThat(new java.util.HashSet<>(announced)).hasSize(3);
      assertThat(announced.subList(0, 3)).doesNotHaveDuplicates().contains(announced.get(3));
      String x = grid.entries(fx.rootCap).get("x").cap().orElseThrow();
      String y = grid.entries(fx.rootCap).get("y").cap().orElseThrow();
      assertThat(grid.entries(x).keySet()).containsExactly("g");
      assertThat(grid.entries(y).keySet()).containsExactly("f");
    } finally {
      closeQuickly(fx);
    }
  }

  /**
   * /x/f on the grid, then changed and moved to /y/f (both pending, no round yet, rounds retried
   * only when asked): the caps of /x and /y.
   */
  private static String[] changedAndMovedFromXToY(MemoryGrid grid, CoreFixture fx)
      throws Exception {
    fx.core.mkdir("/x", 0755, U);
    fx.core.mkdir("/y", 0755, U);
    fx.put("/x/f", utf8("f"));
    fx.core.sync(Duration.ofSeconds(5));
    String x = grid.entries(fx.rootCap).get("x").cap().orElseThrow();
    String y = grid.entries(fx.rootCap).get("y").cap().orElseThrow();
    fx.put("/x/f", utf8("f, changed"));
    fx.core.rename("/x/f", "/y/f", 0);
    return new String[] {x, y};
  }

  /**
   * A file changed and moved to another directory, whose new version cannot be uploaded: its
   * new place waits for the upload, so its old one stays on the grid too (never in neither
   * place); once the upload goes through, the move completes.
   */
  @Test
  void aMoveOutWaitsWhileItsNewPlaceCannotBePublished() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    CoreFixture fx = new CoreFixture(grid, null, dir,
        b -> b.coalesceDelay(HOUR).coalesceLimit(HOUR).retry(HOUR, HOUR));
    try {
      String[] xy = changedAndMovedFromXToY(grid, fx);
      String x = xy[0];
      String y = xy[1];
      grid.failAfterReading = true; // uploads fail, publishes go through
      fx.core.writeBack().uploader.kick(true);
      waitUntil("the round failed", () -> fx.core.status().lastError().isPresent());
      assertThat(grid.entries(x).keySet()).as("the old place, while the new one waits")
          .containsExactly("f");
      assertThat(grid.entries(y)).isEmpty();
      grid.failAfterReading = false;
      fx.core.sync(Duration.ofSeconds(5));
      assertThat(grid.entries(x)).isEmpty();
      assertThat(grid.entries(y).keySet()).containsExactly("f");
      assertThat(fx.get("/y/f")).isEqualTo(utf8("f, changed"));
    } finally {
      grid.failAfterReading = false;
      closeQuickly(fx);
    }
  }

  /**
   * The same, then the emptied directory removed: its removal from its parent waits with the
   * move, or the file would be, on the grid, only in a directory no longer linked anywhere.
   */
  @Test
  void theRemovalOfADirectoryEmptiedByAMoveWaitsWithTheMove() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    CoreFixture fx = new CoreFixture(grid, null, dir,
        b -> b.coalesceDelay(HOUR).coalesceLimit(HOUR).retry(HOUR, HOUR));
    try {
      String[] xy = changedAndMovedFromXToY(grid, fx);
      String x = xy[0];
      String y = xy[1];
      fx.core.rmdir("/x");
      grid.failAfterReading = true; // uploads fail, publishes go through
      fx.core.writeBack().uploader.kick(true);
      waitUntil("the round failed", () -> fx.core.status().lastError().isPresent());
      assertThat(grid.entries(fx.rootCap).keySet()).as("/x stays while the move waits")
          .containsExactlyInAnyOrder("x", "y");
      assertThat(grid.entries(x).keySet()).containsExactly("f");
      assertThat(grid.entries(y)).isEmpty();
      grid.failAfterReading = false;
      fx.core.sync(Duration.ofSeconds(5));
      assertThat(grid.entries(fx.rootCap).keySet()).containsExactly("y");
      assertThat(grid.entries(y).keySet()).containsExactly("f");
      assertThat(fx.get("/y/f")).isEqualTo(utf8("f, changed"));
    } finally {
      grid.failAfterReading = false;
      closeQuickly(fx);
    }
  }

  /** A directory made and removed before any round never reaches the grid, nor its changes. */
  @Test
  void aDirectoryRemovedBeforeItsRoundIsNeverCreated() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    CoreFixture fx = new CoreFixture(grid, null, dir, b -> b.coalesceDelay(HOUR));
    try {
      fx.core.mkdir("/d", 0755, U);
      fx.put("/d/f", utf8("f"));
      fx.core.unlink("/d/f");
      fx.core.rmdir("/d");
      fx.put("/keep", utf8("k"));
      fx.core.sync(Duration.ofSeconds(3));
      assertThat(grid.dirCreates.get()).isZero();
      assertThat(grid.entries(fx.rootCap).keySet()).containsExactly("keep");
      assertThat(fx.core.status().clean()).isTrue();
      assertThat(fx.core.status().lastError()).as("nothing was tried for d").isEmpty();
    } finally {
      closeQuickly(fx);
    }
  }

  /** A directory created on the grid whose publish failed is not created again on the retry. */
  @Test
  void aCreatedDirectoryIsReusedAfterAFailedPublish() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    CoreFixture fx = new CoreFixture(grid, null, dir, b -> b.coalesceDelay(HOUR));
    try {
      grid.failPublishesWith(GridException.Kind.UNREACHABLE);
      fx.core.mkdir("/d", 0755, U);
      fx.put("/d/f", utf8("f"));
      assertThatThrownBy(() -> fx.core.sync(Duration.ofSeconds(5)))
          .isInstanceOf(FsException.class);
      assertThat(grid.dirCreates.get()).isEqualTo(1);
      grid.heal();
      fx.core.sync(Duration.ofSeconds(5));
      assertThat(grid.dirCreates.get()).isEqualTo(1);
      String d = grid.entries(fx.rootCap).get("d").cap().orElseThrow();
      assertThat(grid.entries(d).keySet()).containsExactly("f");
      // f was uploaded in the failed round: the retry publishes that upload, sends nothing new
      assertThat(grid.fileWrites.get()).isEqualTo(1);
      assertThat(grid.content(grid.entries(d).get("f").cap().orElseThrow())).isEqualTo(utf8("f"));
    } finally {
      closeQuickly(fx);
    }
  }

  /** While a new directory cannot be created, the other changes of its parent still go out. */
  @Test
  void aDirectoryThatCannotBeCreatedHoldsBackOnlyItsOwnEntry() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    CoreFixture fx = new CoreFixture(grid, null, dir, b -> b.coalesceDelay(HOUR));
    try {
      grid.failCreatesWith(GridException.Kind.UNREACHABLE);
      fx.core.mkdir("/d", 0755, U);
      fx.put("/g", utf8("g"));
      assertThatThrownBy(() -> fx.core.sync(Duration.ofSeconds(5)))
          .isInstanceOf(FsException.class).hasMessageContaining("UNREACHABLE");
      assertThat(grid.entries(fx.rootCap).keySet()).containsExactly("g");
      grid.heal();
      fx.core.sync(Duration.ofSeconds(5));
      assertThat(grid.entries(fx.rootCap).keySet()).containsExactly("d", "g");
    } finally {
      closeQuickly(fx);
    }
  }

  /** An entry that names a grid cap (a directory listed from the grid, renamed) is published. */
  @Test
  void aRenamedGridDirectoryIsPublishedByItsCap() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    CoreFixture fx = new CoreFixture(grid, null, dir, b -> b.coalesceDelay(HOUR));
    try {
      fx.core.mkdir("/d", 0755, U);
      fx.put("/d/f", utf8("f"));
      fx.core.sync(Duration.ofSeconds(5));
      String d = grid.entries(fx.rootCap).get("d").cap().orElseThrow();
      fx.closeAndReopen();
      fx.core.rename("/d", "/e", 0);
      fx.core.sync(Duration.ofSeconds(3));
      assertThat(grid.entries(fx.rootCap).keySet()).containsExactly("e");
      assertThat(grid.entries(fx.rootCap).get("e").cap()).contains(d);
    } finally {
      closeQuickly(fx);
    }
  }

  /**
   * An upload's record is on the disk before its layer goes: a power loss after an upload whose
   * publish failed keeps the file (the journal force interval is long here).
   */
  @Test
  void aPowerLossAfterAnUploadWhosePublishFailedKeepsTheFile() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    CoreFixture fx = new CoreFixture(grid, null, dir, b -> b.coalesceDelay(HOUR)
        .journalForceInterval(HOUR).retry(HOUR, HOUR));
    try {
      grid.failPublishesWith(GridException.Kind.UNREACHABLE);
      byte[] data = CoreFixture.bytes(200_000, 5); // past the inline bound: a layer file
      fx.put("/big", data);
      fx.core.writeBack().uploader.kick(true);
      waitUntil("uploaded", () -> fx.core.status().uploads() == 1);
      waitUntil("the publish failed", () -> fx.core.status().lastError().isPresent());
      long synced = fx.core.writeBack().journalSyncedBytes();
      fx.core.crash();
      try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(
          fx.cacheDir.resolve("journal"), java.nio.file.StandardOpenOption.WRITE)) {
        ch.truncate(synced); // what a power loss leaves at worst
      }
      grid.heal();
      fx.reopen();
      assertThat(fx.get("/big")).isEqualTo(data);
      fx.core.sync(Duration.ofSeconds(5));
      assertThat(grid.entries(fx.rootCap)).containsKey("big");
    } finally {
      closeQuickly(fx);
    }
  }

  /** Files of exactly the small-file size share a slot (8 to a slot, one slot here). */
  @Test
  void filesOfExactlyTheSmallSizeShareASlot() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    CoreFixture fx = new CoreFixture(grid, null, dir, b -> b.coalesceDelay(HOUR)
        .uploadParallelism(1));
    CountDownLatch gate = new CountDownLatch(1);
    try {
      fx.put("/a", CoreFixture.bytes((int) Uploader.SMALL_FILE, 1));
      fx.put("/b", CoreFixture.bytes((int) Uploader.SMALL_FILE, 2));
      grid.writeGate = gate;
      fx.core.writeBack().uploader.kick(true);
      waitUntil("both uploads in flight", () -> grid.writesInFlight() == 2);
    } finally {
      grid.writeGate = null;
      gate.countDown();
      closeQuickly(fx);
    }
  }
}
