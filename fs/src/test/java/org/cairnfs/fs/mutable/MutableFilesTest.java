package org.cairnfs.fs.mutable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.cairnfs.caps.MutableWriteCap;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.fs.grid.ClientSecrets;
import org.cairnfs.fs.grid.GridConfig;
import org.cairnfs.fs.testing.TestGrid;
import org.cairnfs.fs.testing.TestServer;
import org.cairnfs.protocol.identity.NodeKey;
import org.cairnfs.storage.lease.LeaseOwner;
import org.cairnfs.storage.lease.LeaseSecrets;
import org.cairnfs.storage.share.ShareKey;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MutableFilesTest {
  /** 1-of-2 files (happy 1) in 4 KiB segments, three attempts. */
  static final MutableOptions ONE_OF_TWO = new MutableOptions(
      new org.cairnfs.caps.mutable.MutableParams(1, 2, 4096), 1, MutableOptions.DEFAULT_MAX_SIZE,
      3);

  static final GridConfig FAST = GridConfig.builder().stallTimeout(Duration.ofSeconds(3))
      .readTimeout(Duration.ofSeconds(3)).build();
  @TempDir static Path dir;
  static TestGrid grid;
  static NodeKey aliceKey = NodeKey.generate();
  static ClientSecrets aliceSecrets = ClientSecrets.random(new SecureRandom());
  static MutableFiles alice;
  static MutableFiles bob;
  static MutableFiles carol;

  @BeforeAll
  static void start() throws Exception {
    grid = new TestGrid(dir, 10);
    alice = MutableFiles.on(grid.client(aliceKey, aliceSecrets, FAST));
    bob = MutableFiles.on(grid.client(FAST));
    carol = MutableFiles.on(grid.client(FAST));
  }

  @AfterAll
  static void stop() {
    grid.close();
  }

  /** The grid's servers in the order of the file's ring. */
  static List<org.cairnfs.protocol.identity.NodeId> ring(MutableWriteCap cap) {
    return org.cairnfs.fs.grid.PermutedRing.order(cap.storageIndex().orElseThrow(),
        grid.servers().stream().map(TestServer::nodeId).toList());
  }

  static byte[] random(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 1000, 300_000})
  void createReadOverwriteAcrossClients(int size) throws Exception {
    byte[] first = random(size, size);
    MutableWriteCap cap = alice.create(first).get();
    MutableVersion v1 = bob.read(cap.readOnly()).get();
    assertThat(v1.contents()).isEqualTo(first);
    assertThat(v1.seqnum()).isEqualTo(1);
    byte[] second = random(size + 10, size + 1);
    MutableVersion v2 = bob.overwrite(cap, second).get();
    assertThat(v2.seqnum()).isEqualTo(2);
    assertThat(alice.read(cap.readOnly()).get()).isEqualTo(v2);
    StorageIndex si = cap.storageIndex().orElseThrow();
    for (TestServer s : grid.servers()) {
      assertThat(s.store().shareSizes(si, org.cairnfs.storage.share.ShareKind.MUTABLE))
          .as("slot shares on %s", s).hasSize(1);
    }
  }

  @Test
  void everySlotShareCarriesTheWritersLeaseUnderItsDerivedSecrets() throws Exception {
    MutableWriteCap cap = alice.create("hello".getBytes(StandardCharsets.UTF_8)).get();
    StorageIndex si = cap.storageIndex().orElseThrow();
    int checked = 0;
    for (TestServer s : grid.servers()) {
      for (int n : s.store().shareSizes(si, org.cairnfs.storage.share.ShareKind.MUTABLE)
          .keySet()) {
        var record = s.leases().find(ShareKey.mutable(si, n)).orElseThrow();
        assertThat(record.leases()).singleElement().satisfies(lease -> {
          assertThat(lease.owner()).isEqualTo(LeaseOwner.of(aliceKey.nodeId().toBytes()));
          assertThat(lease.renewHash()).isEqualTo(
              LeaseSecrets.hash(aliceSecrets.renewSecret(si, s.nodeId()), "renew"));
          assertThat(lease.cancelHash()).isEqualTo(
              LeaseSecrets.hash(aliceSecrets.cancelSecret(si, s.nodeId()), "cancel"));
        });
        checked++;
      }
    }
    assertThat(checked).isEqualTo(10);
  }

  @Test
  void twoWritersThatCollideBothKeepTheirChange() throws Exception {
    MutableWriteCap cap = alice.create(lines()).get();
    CyclicBarrier bothRead = new CyclicBarrier(2);
    AtomicInteger calls = new AtomicInteger();
    CompletableFuture<MutableVersion> a = alice.modify(cap, adding("from alice", bothRead, calls));
    CompletableFuture<MutableVersion> b = bob.modify(cap, adding("from bob", bothRead, calls));
    a.get(60, TimeUnit.SECONDS);
    b.get(60, TimeUnit.SECONDS);
    assertThat(calls.get()).as("the loser applied its change again").isGreaterThanOrEqualTo(3);
    assertThat(parse(alice.read(cap.readOnly()).get().contents()))
        .containsExactlyInAnyOrder("from alice", "from bob");
  }

  /**
   * Three clients each add ten entries at once. Without waiting for a newer version being
   * published (WriteBase.settle) this lost entries in most runs: a writer that read the
   * older version published seqnum + 2 over a publish that had just completed.
   */
  @RepeatedTest(2)
  void manyConcurrentChangesFromThreeClientsAreAllKept() throws Exception {
    MutableWriteCap cap = alice.create(lines()).get();
    List<MutableFiles> writers = List.of(alice, bob, carol);
    List<CompletableFuture<Void>> sides = new ArrayList<>();
    for (int w = 0; w < writers.size(); w++) {
      MutableFiles writer = writers.get(w);
      String name = "w" + w + "-";
      sides.add(CompletableFuture.runAsync(() -> {
        for (int i = 0; i < 10; i++) {
          writer.modify(cap, adding(name + i, null, new AtomicInteger())).join();
        }
      }));
    }
    for (CompletableFuture<Void> side : sides) {
      side.get(120, TimeUnit.SECONDS);
    }
    assertThat(parse(bob.read(cap.readOnly()).get().contents())).hasSize(30);
  }

  /**
   * Nodes configured with different shares ({@code [client] shares-*}) writing one file: each
   * reads what the other published (its k from the shares) and publishes in the file's
   * encoding, and changes made at once by writers of different encodings are all kept.
   */
  @RepeatedTest(2)
  void writersWithDifferentEncodingsShareOneFileAndKeepEveryChange() throws Exception {
    MutableFiles narrow = narrowWriter();
    MutableFiles wide = wideWriter();
    MutableWriteCap cap = wide.create(lines("wide-0")).get();
    narrow.modify(cap, adding("narrow-0", null, new AtomicInteger())).get(60, TimeUnit.SECONDS);
    assertThat(parse(wide.read(cap.readOnly()).get().contents()))
        .containsExactly("narrow-0", "wide-0");
    wide.modify(cap, adding("wide-1", null, new AtomicInteger())).get(60, TimeUnit.SECONDS);
    assertThat(parse(narrow.read(cap.readOnly()).get().contents()))
        .containsExactly("narrow-0", "wide-0", "wide-1");
    List<CompletableFuture<Void>> sides = new ArrayList<>();
    for (MutableFiles writer : List.of(narrow, wide, alice)) {
      String name = writer == narrow ? "n" : writer == wide ? "w" : "a";
      sides.add(CompletableFuture.runAsync(() -> {
        for (int i = 0; i < 5; i++) {
          writer.modify(cap, adding(name + i, null, new AtomicInteger())).join();
        }
      }));
    }
    for (CompletableFuture<Void> side : sides) {
      side.get(120, TimeUnit.SECONDS);
    }
    MutableVersion last = bob.read(cap.readOnly()).get();
    assertThat(parse(last.contents())).hasSize(18);
    assertThat(last.seqnum()).isGreaterThanOrEqualTo(18);
    for (MutableFiles reader : List.of(narrow, wide, alice)) {
      assertThat(reader.read(cap.readOnly()).get()).isEqualTo(last);
    }
  }

  /**
   * The order behind a rare loss (ci167): a narrow (2-of-4) writer publishes seqnum 2 over the
   * four holders of shares 0-3 and checks before a wide (5-of-10) writer's publish of seqnum 2
   * lands; the wide one is refused there but lands on the six other holders, a recoverable
   * version with more shares than the narrow one's. Retrying on that version (its own loser)
   * dropped the narrow writer's change, which had returned as published.
   */
  @Test
  void aLosingVersionWithMoreSharesNeverHidesTheChangeThatWon() throws Exception {
    MutableFiles narrow = narrowWriter();
    MutableFiles wide = wideWriter();
    MutableWriteCap cap = wide.create(lines("base")).get();
    AtomicInteger calls = new AtomicInteger();
    MutableVersion last = wide.modify(cap, current -> {
      if (calls.incrementAndGet() == 1) {
        narrow.modify(cap, adding("narrow", null, new AtomicInteger())).join();
      }
      TreeSet<String> set = parse(current);
      set.add("wide");
      return lines(set.toArray(String[]::new));
    }).get(60, TimeUnit.SECONDS);
    assertThat(calls).as("the wide writer was refused and tried again").hasValueGreaterThan(1);
    assertThat(parse(last.contents())).containsExactly("base", "narrow", "wide");
    assertThat(parse(bob.read(cap.readOnly()).get().contents()))
        .containsExactly("base", "narrow", "wide");
  }

  /**
   * The same two versions at one seqnum, seen by a third writer before the loser's writer has
   * published again: it cannot tell which one was kept, so it waits for that publish rather than
   * build on the version with more shares (the loser) and drop the narrow writer's change.
   */
  @Test
  void aThirdWriterWaitsWhileTwoVersionsShareTheNewestSeqnum() throws Exception {
    MutableFiles narrow = narrowWriter();
    MutableFiles wide = wideWriter();
    MutableWriteCap cap = wide.create(lines("base")).get();
    AtomicInteger calls = new AtomicInteger();
    List<CompletableFuture<MutableVersion>> third = new ArrayList<>();
    wide.modify(cap, current -> {
      int call = calls.incrementAndGet();
      if (call == 1) {
        narrow.modify(cap, adding("narrow", null, new AtomicInteger())).join();
      } else if (call == 2) {
        third.add(carol.modify(cap, c -> {
          TreeSet<String> set = parse(c);
          set.add("third");
          return lines(set.toArray(String[]::new));
        }));
        try {
          Thread.sleep(500); // carol maps the two versions of seqnum 2 meanwhile
        } catch (InterruptedException e) {
          throw new java.io.InterruptedIOException();
        }
      }
      TreeSet<String> set = parse(current);
      set.add("wide");
      return lines(set.toArray(String[]::new));
    }).get(60, TimeUnit.SECONDS);
    third.get(0).get(60, TimeUnit.SECONDS);
    assertThat(parse(bob.read(cap.readOnly()).get().contents()))
        .containsExactly("base", "narrow", "third", "wide");
  }

  /** A change keeps the file's encoding: a 2-of-4 node's change replaces all ten shares. */
  @Test
  void aChangeKeepsTheEncodingOfTheFile() throws Exception {
    MutableWriteCap cap = wideWriter().create(lines("base")).get();
    narrowWriter().modify(cap, adding("narrow", null, new AtomicInteger())).get();
    StorageIndex si = cap.storageIndex().orElseThrow();
    java.util.Set<Integer> atTwo = new java.util.TreeSet<>();
    for (TestServer s : grid.servers()) {
      for (int n : s.store().shareSizes(si, org.cairnfs.storage.share.ShareKind.MUTABLE)
          .keySet()) {
        if (s.leases().find(ShareKey.mutable(si, n)).orElseThrow().seqnum() == 2) {
          atTwo.add(n);
        }
      }
    }
    assertThat(atTwo).hasSize(10);
  }

  /**
   * Two writers refused at one seqnum whose versions split the share slots between them (5 and
   * 5 of a 6-of-10 file): neither is recoverable, and the version both built on is overwritten
   * everywhere. Each waited for the other's version, then failed "no version has enough
   * shares" (seen as a failure of the three-encoding test above, with three 5-of-10 versions
   * holding 4, 4 and 3 shares). Now each publishes its refused version again as it is, and
   * both changes are kept; a reader meanwhile waits for that instead of failing.
   */
  @Test
  void writersWhoseRefusedVersionsSplitTheSlotsPublishThemAgain() throws Exception {
    MutableFiles first = writerOf(6, 10, 7);
    MutableWriteCap cap = first.create(lines("base")).get();
    List<CompletableFuture<MutableVersion>> both =
        splitTheSlots(first, writerOf(6, 10, 7), cap, () -> { });
    // a reader meanwhile: between the split and the republish nothing is recoverable
    List<Throwable> readFailures = new java.util.concurrent.CopyOnWriteArrayList<>();
    CompletableFuture<Void> reading = CompletableFuture.runAsync(() -> {
      while (!both.stream().allMatch(CompletableFuture::isDone)) {
        try {
          carol.read(cap.readOnly()).get();
        } catch (Exception e) {
          readFailures.add(e);
        }
      }
    });
    for (CompletableFuture<MutableVersion> writer : both) {
      writer.get(60, TimeUnit.SECONDS);
    }
    reading.get(60, TimeUnit.SECONDS);
    assertThat(readFailures).isEmpty();
    MutableVersion last = bob.read(cap.readOnly()).get();
    assertThat(parse(last.contents())).containsExactly("base", "first", "second");
    // 2 split, 3 the first writer's again, 4 the other's change on it: the split happened
    assertThat(last.seqnum()).isGreaterThanOrEqualTo(4);
  }

  /**
   * The same split while a server fails every read: a version of another writer at the seqnum
   * might then be one that returned, its shares mostly on servers that failed, so the writers
   * wait (twice the stall timeout) before publishing theirs again. Both changes are kept.
   */
  @Test
  void writersOfASplitWaitBeforePublishingAgainWhileServersFailTheirMaps() throws Exception {
    MutableFiles first = writerOf(6, 10, 7);
    MutableWriteCap cap = first.create(lines("base")).get();
    TestServer failing = server(ring(cap).get(9));
    try {
      long started = System.nanoTime();
      // from when the second publish starts: both have mapped, so the split is as above
      for (CompletableFuture<MutableVersion> writer : splitTheSlots(first, writerOf(6, 10, 7),
          cap, () -> failing.faults().failReads(true))) {
        writer.get(60, TimeUnit.SECONDS);
      }
      assertThat(Duration.ofNanos(System.nanoTime() - started))
          .isGreaterThanOrEqualTo(FAST.stallTimeout().multipliedBy(2));
      MutableVersion last = bob.read(cap.readOnly()).get();
      assertThat(parse(last.contents())).containsExactly("base", "first", "second");
      assertThat(last.seqnum()).isGreaterThanOrEqualTo(4);
    } finally {
      failing.faults().failReads(false);
    }
  }

  /**
   * From a hostile review: a writer refused at seqnum 2 that, on its retry, cannot read three
   * of the four holders of a 2-of-4 file sees one share of the change that won and returned,
   * nothing recoverable, and its refused seqnum as the highest. Publishing its refused version
   * again there (on the one holder it sees and three empty servers) hid the returned change
   * from every reader once the holders were back. Now it waits for those holders, then fails
   * without writing.
   */
  @Test
  void aRefusedWriterThatCannotReadTheHoldersNeverWritesOverTheChangeThatWon()
      throws Exception {
    MutableFiles first = narrowWriter();
    MutableWriteCap cap = first.create(lines("base")).get();
    Object ended = blindRetry(first, narrowWriter(), cap, 3);
    assertThat(ended).isInstanceOf(CompletionException.class);
    assertThat(((Throwable) ended).getCause()).isInstanceOf(SlotUnreadableException.class)
        .hasMessageContaining("nothing written over it");
    assertThat(parse(carol.read(cap.readOnly()).get().contents()))
        .containsExactly("base", "second");
  }

  /** The same with 3-of-10 (happy 7) and eight holders unreadable. */
  @Test
  void aRefusedDefaultWriterThatCannotReadMostHoldersNeverWritesOverTheChangeThatWon()
      throws Exception {
    MutableWriteCap cap = alice.create(lines("base")).get();
    assertThat(blindRetry(alice, bob, cap, 8)).isInstanceOf(CompletionException.class);
    assertThat(parse(carol.read(cap.readOnly()).get().contents()))
        .containsExactly("base", "second");
  }

  /**
   * Runs {@code first}'s change of {@code cap} ("first"), with {@code second}'s whole change
   * ("second") inside its first modifier call, after which the first {@code blind} holders on
   * the ring fail every read until the first change ends. What it ended with.
   */
  private static Object blindRetry(MutableFiles first, MutableFiles second, MutableWriteCap cap,
      int blind) throws Exception {
    List<TestServer> holders = ring(cap).subList(0, blind).stream()
        .map(MutableFilesTest::server).toList();
    AtomicInteger calls = new AtomicInteger();
    try {
      return first.modify(cap, current -> {
        if (calls.incrementAndGet() == 1) {
          MutableVersion won =
              second.modify(cap, adding("second", null, new AtomicInteger())).join();
          assertThat(won.seqnum()).isEqualTo(2);
          holders.forEach(s -> s.faults().failReads(true));
        }
        TreeSet<String> set = parse(current);
        set.add("first");
        return lines(set.toArray(String[]::new));
      }).handle((v, e) -> v != null ? v : e).get(60, TimeUnit.SECONDS);
    } finally {
      holders.forEach(s -> s.faults().failReads(false));
    }
  }

  /**
   * From the same review: a read of a slot with shares but nothing recoverable maps again for
   * a while; each map may wait for a server that hangs, so the wait is bounded by time, not
   * by count (about 37 s instead of 12 before the bound, with a 3 s stall timeout).
   */
  @Test
  void anUnreadableFileWithAHungServerFailsWithoutMappingAgainAndAgain() throws Exception {
    MutableWriteCap cap = alice.create(lines("one")).get();
    List<TestServer> onRing = ring(cap).stream().map(MutableFilesTest::server).toList();
    List<TestServer> failing = onRing.subList(0, 8);
    TestServer hung = onRing.get(8);
    try {
      failing.forEach(s -> s.faults().failReads(true));
      hung.faults().hang(true);
      long start = System.nanoTime();
      assertThatThrownBy(() -> bob.read(cap.readOnly()).get(120, TimeUnit.SECONDS)).cause()
          .isInstanceOf(SlotUnreadableException.class);
      // a first map and at most one more, each up to the stall timeout, plus the backoff
      assertThat(Duration.ofNanos(System.nanoTime() - start))
          .isLessThan(FAST.stallTimeout().multipliedBy(3).plusSeconds(2));
    } finally {
      failing.forEach(s -> s.faults().failReads(false));
      hung.faults().hang(false);
      hung.faults().release();
    }
  }

  /**
   * Starts two changes of {@code cap} (adding "first" and "second") that both read its version
   * 1 and whose publishes split the share slots: the second half of the ring answers the
   * first publish late (once), so the second one lands there first. {@code beforeSecond} runs
   * just before the second publish.
   */
  static List<CompletableFuture<MutableVersion>> splitTheSlots(MutableFiles first,
      MutableFiles second, MutableWriteCap cap, Runnable beforeSecond) {
    for (org.cairnfs.protocol.identity.NodeId id : ring(cap).subList(5, 10)) {
      server(id).faults().delayNextSlotWrite(500);
    }
    CyclicBarrier bothRead = new CyclicBarrier(2);
    AtomicInteger calls = new AtomicInteger();
    Modifier addSecond = adding("second", bothRead, calls);
    boolean[] once = {true};
    return List.of(first.modify(cap, adding("first", bothRead, calls)),
        second.modify(cap, current -> {
          byte[] changed = addSecond.apply(current);
          if (once[0]) {
            once[0] = false;
            pause(150);
            beforeSecond.run();
          }
          return changed;
        }));
  }

  static TestServer server(org.cairnfs.protocol.identity.NodeId id) {
    return grid.servers().stream().filter(s -> s.nodeId().equals(id)).findFirst().orElseThrow();
  }

  static void pause(long millis) throws java.io.IOException {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException();
    }
  }

  /** A node configured k-of-n. */
  static MutableFiles writerOf(int k, int n, int happy) {
    int segment = alice.options().params().segmentSize() / k * k;
    return MutableFiles.on(grid.client(FAST), new MutableOptions(
        new org.cairnfs.caps.mutable.MutableParams(k, n, segment), happy,
        MutableOptions.DEFAULT_MAX_SIZE, MutableOptions.DEFAULT_MAX_ATTEMPTS));
  }

  /** A node configured 2-of-4 (happy 3). */
  static MutableFiles narrowWriter() {
    return writerOf(2, 4, 3);
  }

  /** A node configured 5-of-10 (happy 7). */
  static MutableFiles wideWriter() {
    return writerOf(5, 10, 7);
  }

  /**
   * Found by a hostile review of the fix above: ci167's order, but the wide writer's retry has
   * nothing left to do (its edit, remove "tmp", is in the narrow version), so it publishes
   * nothing. With each writer publishing in its own encoding its refused version (6 shares)
   * stayed beside the narrow one (4 shares), read as newest by everyone, for good. A change
   * now keeps the file's encoding, so the refused version lands nowhere.
   */
  @Test
  void aLoserWhoseRetryChangesNothingLeavesTheChangeThatWon() throws Exception {
    MutableFiles narrow = narrowWriter();
    MutableFiles wide = wideWriter();
    MutableWriteCap cap = wide.create(lines("base", "tmp")).get();
    AtomicInteger calls = new AtomicInteger();
    wide.modify(cap, current -> {
      if (calls.incrementAndGet() == 1) {
        narrow.modify(cap, c -> {
          TreeSet<String> s = parse(c);
          s.remove("tmp");
          s.add("narrow");
          return lines(s.toArray(String[]::new));
        }).join();
      }
      TreeSet<String> set = parse(current);
      if (!set.remove("tmp")) {
        return null; // nothing to remove: like GridDirectories.apply when !commit.changed()
      }
      return lines(set.toArray(String[]::new));
    }).get(60, TimeUnit.SECONDS);
    TreeSet<String> read = parse(bob.read(cap.readOnly()).get().contents());
    for (int i = 0; i < 2; i++) {
      long n0 = System.nanoTime();
      MutableVersion noop = carol.modify(cap, c -> null).get(60, TimeUnit.SECONDS);
      assertThat(parse(noop.contents())).containsExactly("base", "narrow");
      assertThat(Duration.ofNanos(System.nanoTime() - n0)).as("a change of nothing waited")
          .isLessThan(FAST.stallTimeout());
    }
    carol.modify(cap, adding("carol", null, new AtomicInteger())).get(60, TimeUnit.SECONDS);
    TreeSet<String> after = parse(bob.read(cap.readOnly()).get().contents());
    assertThat(after).containsExactly("base", "carol", "narrow");
    assertThat(read).containsExactly("base", "narrow");
  }

  /** The same, the wide writer's retry failing (its modifier throws, as "exists" does). */
  @Test
  void aLoserWhoseRetryFailsLeavesTheChangeThatWon() throws Exception {
    MutableFiles narrow = narrowWriter();
    MutableFiles wide = wideWriter();
    MutableWriteCap cap = wide.create(lines("base")).get();
    AtomicInteger calls = new AtomicInteger();
    CompletableFuture<MutableVersion> w = wide.modify(cap, current -> {
      TreeSet<String> set = parse(current);
      if (calls.incrementAndGet() == 1) {
        narrow.modify(cap, adding("name=narrow", null, new AtomicInteger())).join();
      }
      if (set.stream().anyMatch(e -> e.startsWith("name="))) {
        throw new java.io.IOException("name exists"); // create-exclusive lost the race
      }
      set.add("name=wide");
      return lines(set.toArray(String[]::new));
    });
    assertThatThrownBy(() -> w.get(60, TimeUnit.SECONDS)).hasMessageContaining("name exists");
    TreeSet<String> read = parse(bob.read(cap.readOnly()).get().contents());
    carol.modify(cap, adding("carol", null, new AtomicInteger())).get(60, TimeUnit.SECONDS);
    TreeSet<String> after = parse(bob.read(cap.readOnly()).get().contents());
    assertThat(after).containsExactly("base", "carol", "name=narrow");
    assertThat(read).containsExactly("base", "name=narrow");
  }

  /** ci167's order, read by another client before the loser's retry: it sees the winner. */
  @Test
  void aReaderBetweenTheWinAndTheLosersRetrySeesTheChangeThatWon() throws Exception {
    MutableFiles narrow = narrowWriter();
    MutableFiles wide = wideWriter();
    MutableWriteCap cap = wide.create(lines("base")).get();
    AtomicInteger calls = new AtomicInteger();
    List<TreeSet<String>> seen = new ArrayList<>();
    wide.modify(cap, current -> {
      int call = calls.incrementAndGet();
      if (call == 1) {
        narrow.modify(cap, adding("narrow", null, new AtomicInteger())).join();
      } else if (call == 2) {
        seen.add(parse(bob.read(cap.readOnly()).join().contents()));
      }
      TreeSet<String> set = parse(current);
      set.add("wide");
      return lines(set.toArray(String[]::new));
    }).get(60, TimeUnit.SECONDS);
    assertThat(seen.get(0)).contains("narrow");
  }

  @Test
  void sizesAboveTheLimitAreRefusedToWriteAndToRead() throws Exception {
    MutableWriteCap cap = alice.create(new byte[5000]).get();
    MutableFiles small = MutableFiles.on(grid.client(FAST), alice.options().withMaxSize(1000));
    assertThatThrownBy(() -> small.read(cap.readOnly()).get()).cause()
        .isInstanceOf(SlotUnreadableException.class).hasMessageContaining("more than the 1000");
    assertThatThrownBy(() -> small.create(new byte[2000]).get()).cause()
        .hasMessageContaining("exceed the limit of 1000");
  }

  @Test
  void aModifierReturningNullPublishesNothingAndAnswersTheVersionRead() throws Exception {
    MutableWriteCap cap = alice.create(lines("a")).get();
    MutableVersion read = bob.read(cap.readOnly()).get();
    MutableVersion same = bob.modify(cap, current -> null).get();
    assertThat(same).isEqualTo(read);
    assertThat(same.seqnum()).isEqualTo(1);
    assertThat(alice.read(cap.readOnly()).get().seqnum()).isEqualTo(1);
  }

  @Test
  void aChangeAboveTheLimitIsRefusedNamingTheFile() throws Exception {
    MutableWriteCap cap = alice.create(new byte[10]).get();
    MutableFiles small = MutableFiles.on(grid.client(FAST), alice.options().withMaxSize(1000));
    assertThat(small.overwrite(cap, new byte[1000]).get().seqnum()).isEqualTo(2);
    assertThat(small.read(cap.readOnly()).get().contents()).hasSize(1000);
    assertThatThrownBy(() -> small.overwrite(cap, new byte[1001]).get()).cause()
        .isInstanceOf(java.io.IOException.class)
        .hasMessage("mutable file " + cap.storageIndex().orElseThrow()
            + ": 1001 bytes exceed the limit of 1000");
    assertThat(alice.read(cap.readOnly()).get().seqnum()).isEqualTo(2);
  }

  /**
   * A collision made in one order every time: while alice's modifier runs (after her read),
   * bob publishes the same seqnum she is about to, so the servers refuse hers. With one attempt
   * she gives up; with two she re-reads bob's version and applies her change on top.
   */
  @Test
  void aWriterOvertakenInEveryAttemptGivesUpAndOneWithAnotherAttemptKeepsBoth()
      throws Exception {
    MutableWriteCap cap = alice.create(lines()).get();
    MutableFiles once = MutableFiles.on(grid.client(FAST), alice.options().withMaxAttempts(1));
    AtomicInteger calls = new AtomicInteger();
    assertThatThrownBy(() -> once.modify(cap, current -> {
      calls.incrementAndGet();
      bob.modify(cap, adding("bob " + calls.get(), null, new AtomicInteger())).join();
      return lines("mine");
    }).get()).cause().isInstanceOfSatisfying(UncoordinatedWriteException.class, e -> {
      assertThat(e.index()).isEqualTo(cap.storageIndex().orElseThrow());
      assertThat(e).hasMessageContaining("each of 1 attempts");
    });
    assertThat(calls).hasValue(1);
    assertThat(parse(alice.read(cap.readOnly()).get().contents())).containsExactly("bob 1");

    MutableFiles twice = MutableFiles.on(grid.client(FAST), alice.options().withMaxAttempts(2));
    calls.set(0);
    MutableVersion v = twice.modify(cap, current -> {
      if (calls.incrementAndGet() == 1) {
        bob.modify(cap, adding("bob 2", null, new AtomicInteger())).join();
      }
      TreeSet<String> set = parse(current);
      set.add("twice");
      return lines(set.toArray(String[]::new));
    }).get();
    assertThat(calls).hasValue(2);
    assertThat(v.seqnum()).isEqualTo(4);
    assertThat(parse(bob.read(cap.readOnly()).get().contents()))
        .containsExactly("bob 1", "bob 2", "twice");
  }

  /**
   * A publish no server refused, after which another version of the same seqnum is seen (here
   * planted, while the modifier runs, on the one server the 3-of-9 file does not use), is a
   * collision too: the writer publishes again. With nothing else as new recoverable, what it
   * publishes is its own refused version as it is: its change is not applied twice.
   */
  @Test
  void anotherVersionOfTheSameSeqnumSeenAfterThePublishMakesTheWriterTryAgain()
      throws Exception {
    MutableOptions nine = new MutableOptions(new org.cairnfs.caps.mutable.MutableParams(3, 9,
        alice.options().params().segmentSize()), 7, MutableOptions.DEFAULT_MAX_SIZE, 3);
    MutableFiles writer = MutableFiles.on(grid.client(FAST), nine);
    MutableWriteCap cap = writer.create(lines("one")).get();
    StorageIndex si = cap.storageIndex().orElseThrow();
    TestServer unused = null;
    org.cairnfs.caps.mutable.MutableShare held = null;
    for (TestServer s : grid.servers()) {
      var numbers = s.store().shareSizes(si, org.cairnfs.storage.share.ShareKind.MUTABLE);
      if (numbers.isEmpty()) {
        unused = s;
      } else {
        held = org.cairnfs.caps.mutable.MutableShare.parse(
            java.nio.file.Files.readAllBytes(s.slotPath(si, numbers.firstKey())));
      }
    }
    assertThat(unused).isNotNull();
    org.cairnfs.caps.mutable.MutableKeys keys = org.cairnfs.caps.mutable.MutableKeys.recover(cap,
        held.encryptedSeed(), held.verifyingKey());
    TestServer away = unused;
    AtomicInteger calls = new AtomicInteger();
    MutableVersion v = writer.modify(cap, current -> {
      if (calls.incrementAndGet() == 1) {
        byte[] planted = org.cairnfs.caps.mutable.MutableFileWriter.write(keys, 2,
            lines("planted"), nine.params(), new SecureRandom())[0];
        try (var client = org.cairnfs.protocol.client.StorageClient.connect(
            org.cairnfs.fs.testing.TestGrid.CLIENT_OPTIONS, NodeKey.generate(), "127.0.0.1",
            away.port(), away.nodeId()).get()) {
          client.writeSlotShare(si, 0, new byte[32], new byte[32], planted.length, 0, planted)
              .get();
        } catch (Exception e) {
          throw new java.io.IOException(e);
        }
      }
      TreeSet<String> set = parse(current);
      set.add("two");
      return lines(set.toArray(String[]::new));
    }).get();
    assertThat(calls).as("the change is in the refused version: not applied again").hasValue(1);
    assertThat(v.seqnum()).isEqualTo(3);
    assertThat(bob.read(cap.readOnly()).get()).isEqualTo(v);
    assertThat(v.contents()).isEqualTo(lines("one", "two"));
  }

  @Test
  void aPublishThatReachesExactlyHappyServersSucceeds() throws Exception {
    MutableOptions all = new MutableOptions(alice.options().params(), 10,
        MutableOptions.DEFAULT_MAX_SIZE, 3);
    MutableFiles writer = MutableFiles.on(grid.client(FAST), all);
    MutableWriteCap cap = writer.create(lines("one")).get();
    assertThat(writer.overwrite(cap, lines("two")).get().seqnum()).isEqualTo(2);
    assertThat(parse(bob.read(cap.readOnly()).get().contents())).containsExactly("two");
  }

  /**
   * Four of ten servers refuse every write: the ten shares fit only six servers, short of
   * happiness 7, and the failure names each refusing server with what it answered.
   */
  @Test
  void aPublishShortOfHappinessNamesEachServerThatFailedAndWhy() throws Exception {
    MutableWriteCap cap = alice.create(lines("one")).get();
    List<org.cairnfs.protocol.identity.NodeId> ring = ring(cap);
    List<org.cairnfs.protocol.identity.NodeId> refusing = ring.subList(0, 4);
    try {
      refusing.forEach(id -> grid.byId(id).faults().failWrites(true));
      assertThatThrownBy(() -> alice.overwrite(cap, lines("two")).get())
          .isInstanceOf(ExecutionException.class)
          .cause().isInstanceOf(org.cairnfs.fs.grid.HappinessException.class)
          .satisfies(e -> {
            var problems = ((org.cairnfs.fs.grid.HappinessException) e).problems();
            assertThat(problems).hasSize(4).allSatisfy((server, why) ->
                assertThat(why).isNotBlank());
            for (var id : refusing) {
              assertThat(problems.keySet()).anySatisfy(k -> assertThat(k)
                  .contains(id.shortForm()));
              assertThat(e.getMessage()).contains(id.shortForm());
            }
          });
    } finally {
      refusing.forEach(id -> grid.byId(id).faults().failWrites(false));
    }
  }

  /**
   * Found by hunting the rare ChunkedHealthTest failure: a share held by two servers (a write
   * that failed over and landed after all) is written to both; when the second fails, the
   * share must not go back to the first in the next round, which already took it and refuses
   * its own version (STALE_SEQNUM). Read as another writer's collision, that refusal skipped the
   * publish's happiness check and made {@code modify} start over, where a modifier with nothing
   * left to change returned at once, so any share still without a server stayed behind. Here:
   * ten shares on ten servers; version 2 while the ring's first server refuses writes moves its
   * share to the second, the first keeping version 1 (a share now held twice); version 3 while
   * the second refuses leaves that share homeless with the first as the least loaded server.
   */
  @Test
  void aShareHeldTwiceIsNeverSentTwiceToOneServerInAPublish() throws Exception {
    MutableWriteCap cap = alice.create(lines("one")).get();
    StorageIndex si = cap.storageIndex().orElseThrow();
    List<org.cairnfs.protocol.identity.NodeId> ring = ring(cap);
    TestServer first = grid.byId(ring.get(0));
    TestServer second = grid.byId(ring.get(1));
    int movedShare = first.store().shareSizes(si, org.cairnfs.storage.share.ShareKind.MUTABLE)
        .keySet().iterator().next();
    first.faults().failWrites(true);
    try {
      assertThat(alice.overwrite(cap, lines("two")).get().seqnum()).isEqualTo(2);
    } finally {
      first.faults().failWrites(false);
    }
    assertThat(second.store().shareSizes(si, org.cairnfs.storage.share.ShareKind.MUTABLE))
        .as("the second server took the first one's share").containsKey(movedShare)
        .hasSize(2);
    byte[] three = lines("three");
    AtomicInteger calls = new AtomicInteger();
    second.faults().failWrites(true);
    try {
      MutableVersion v = alice.modify(cap, current -> {
        calls.incrementAndGet();
        return java.util.Arrays.equals(current, three) ? null : three;
      }).get();
      assertThat(v.seqnum()).isEqualTo(3);
    } finally {
      second.faults().failWrites(false);
    }
    assertThat(calls).as("no collision: the publish did not refuse itself").hasValue(1);
    java.util.Set<Integer> atThree = new TreeSet<>();
    for (TestServer s : grid.servers()) {
      if (s == second) {
        continue;
      }
      for (int n : s.store().shareSizes(si, org.cairnfs.storage.share.ShareKind.MUTABLE)
          .keySet()) {
        if (s.store().slotSeqnum(ShareKey.mutable(si, n)).orElse(0) == 3) {
          atThree.add(n);
        }
      }
    }
    assertThat(atThree).as("every share number at seqnum 3 somewhere")
        .hasSize(alice.options().params().n());
  }

  /**
   * A publish places shares in at most three rounds: a 1-of-2 file whose first six servers on
   * the ring refuse writes fails after asking those six (two per round), though the next two
   * would take it.
   */
  @Test
  void aPublishGivesUpAfterThreeRoundsOfRefusingServers() throws Exception {
    MutableFiles writer = MutableFiles.on(grid.client(FAST), ONE_OF_TWO);
    MutableWriteCap cap = writer.create(lines("one")).get();
    List<org.cairnfs.protocol.identity.NodeId> ring = ring(cap);
    List<org.cairnfs.protocol.identity.NodeId> refusing = ring.subList(0, 6);
    try {
      refusing.forEach(id -> grid.byId(id).faults().failWrites(true));
      assertThatThrownBy(() -> writer.overwrite(cap, lines("two")).get())
          .cause().isInstanceOf(org.cairnfs.fs.grid.HappinessException.class)
          .satisfies(e -> {
            var h = (org.cairnfs.fs.grid.HappinessException) e;
            assertThat(h.happiness()).isZero();
            assertThat(h.asked()).isEqualTo(6);
          });
    } finally {
      refusing.forEach(id -> grid.byId(id).faults().failWrites(false));
    }
  }

  /** Shares above one wire chunk (1 MiB): written in several chunks, read in several pieces. */
  @Test
  void aFileWhoseSharesExceedOneWireChunkRoundTrips() throws Exception {
    byte[] big = random(3 * (1 << 20) + 200_000, 70);
    MutableWriteCap cap = alice.create(big).get();
    assertThat(bob.read(cap.readOnly()).get().contents()).isEqualTo(big);
    big[big.length - 1] ^= 1;
    assertThat(bob.overwrite(cap, big).get().seqnum()).isEqualTo(2);
    assertThat(carol.read(cap.readOnly()).get().contents()).isEqualTo(big);
  }

  /**
   * A 1-of-2 file maps the ring four servers (2n) at a time. Its second version is published
   * while the first four refuse writes, so it lands on the next ones; each round that leaves
   * shares without a server connects only as many further servers as there are such shares
   * (two, twice: ring positions 4 to 7, so eight of the ten are connected, not all). A reader
   * that cannot read the first four asks the next batch.
   */
  @Test
  void sharesMovedPastTheFirstServersAreWrittenAndFoundThere() throws Exception {
    org.cairnfs.fs.grid.GridClient writerClient = grid.client(FAST);
    MutableFiles writer = MutableFiles.on(writerClient, ONE_OF_TWO);
    MutableWriteCap cap = writer.create(lines("one")).get();
    StorageIndex si = cap.storageIndex().orElseThrow();
    List<org.cairnfs.protocol.identity.NodeId> ring = ring(cap);
    List<TestServer> first = ring.subList(0, 4).stream().map(grid::byId).toList();
    try {
      first.forEach(s -> s.faults().failWrites(true));
      assertThat(writer.overwrite(cap, lines("two")).get().seqnum()).isEqualTo(2);
      assertThat(writerClient.servers().connectedCount()).isEqualTo(8);
      first.forEach(s -> s.faults().failWrites(false));
      first.forEach(s -> s.faults().failReads(true));
      MutableVersion read = MutableFiles.on(grid.client(FAST), ONE_OF_TWO).read(cap.readOnly()).get();
      assertThat(parse(read.contents())).containsExactly("two");
    } finally {
      first.forEach(s -> s.faults().failWrites(false));
      first.forEach(s -> s.faults().failReads(false));
    }
    for (int i = 0; i < ring.size(); i++) {
      assertThat(grid.byId(ring.get(i)).store().shareSizes(si,
          org.cairnfs.storage.share.ShareKind.MUTABLE)).as("ring position %d", i)
          .hasSize(i < 2 || i == 4 || i == 5 ? 1 : 0);
    }
  }

  /**
   * An overwrite writes each share number to the server that holds it now, wherever that is on
   * the ring, not to where a new file's shares would go. A 1-of-2 file's second version lands
   * on ring positions 4 and 5 (the first four refuse writes); the first version's shares on 0
   * and 1 are then deleted, so the next writer's map finds the shares only at 4 and 5. Its
   * third version must replace them there and nowhere else: written to 0 and 1 instead, a
   * reader that cannot reach the first four would see version 2.
   */
  @Test
  void anOverwriteReplacesTheSharesWhereItFindsThemAwayFromTheRingsStart() throws Exception {
    MutableFiles writer = MutableFiles.on(grid.client(FAST), ONE_OF_TWO);
    MutableWriteCap cap = writer.create(lines("one")).get();
    StorageIndex si = cap.storageIndex().orElseThrow();
    List<org.cairnfs.protocol.identity.NodeId> ring = ring(cap);
    List<TestServer> first = ring.subList(0, 4).stream().map(grid::byId).toList();
    try {
      first.forEach(s -> s.faults().failWrites(true));
      assertThat(writer.overwrite(cap, lines("two")).get().seqnum()).isEqualTo(2);
    } finally {
      first.forEach(s -> s.faults().failWrites(false));
    }
    for (int i = 0; i < 2; i++) {
      for (int n : first.get(i).store().shareSizes(si,
          org.cairnfs.storage.share.ShareKind.MUTABLE).keySet()) {
        java.nio.file.Files.delete(first.get(i).slotPath(si, n));
      }
    }
    MutableFiles other = MutableFiles.on(grid.client(FAST), ONE_OF_TWO);
    MutableVersion three = other.overwrite(cap, lines("three")).get();
    assertThat(three.seqnum()).isEqualTo(3);
    for (int i = 0; i < ring.size(); i++) {
      assertThat(grid.byId(ring.get(i)).store().shareSizes(si,
          org.cairnfs.storage.share.ShareKind.MUTABLE)).as("ring position %d", i)
          .hasSize(i == 4 || i == 5 ? 1 : 0);
    }
    try {
      first.forEach(s -> s.faults().failReads(true));
      MutableVersion read = MutableFiles.on(grid.client(FAST), ONE_OF_TWO).read(cap.readOnly()).get();
      assertThat(read.seqnum()).isEqualTo(3);
      assertThat(parse(read.contents())).containsExactly("three");
    } finally {
      first.forEach(s -> s.faults().failReads(false));
    }
  }

  /**
   * A writer of fewer shares (1-of-2) overwrites a file written with more (1-of-3): the share
   * number 2 it finds is not one of its own and is left alone (as the older version, which
   * readers pass over); it must not try to write a share 2 it does not have.
   */
  @Test
  void aWriterOfFewerSharesOverwritesAFileWrittenWithMore() throws Exception {
    MutableOptions three = new MutableOptions(new org.cairnfs.caps.mutable.MutableParams(1, 3,
        4096), 1, MutableOptions.DEFAULT_MAX_SIZE, 3);
    MutableWriteCap cap = MutableFiles.on(grid.client(FAST), three).create(lines("one")).get();
    StorageIndex si = cap.storageIndex().orElseThrow();
    assertThat(shareFiles(si).keySet()).containsExactly(0, 1, 2);
    MutableVersion v2 = MutableFiles.on(grid.client(FAST), ONE_OF_TWO).overwrite(cap, lines("two"))
        .get();
    assertThat(v2.seqnum()).isEqualTo(2);
    MutableVersion read = MutableFiles.on(grid.client(FAST), three).read(cap.readOnly()).get();
    assertThat(read.seqnum()).isEqualTo(2);
    assertThat(parse(read.contents())).containsExactly("two");
  }

  @Test
  void anUnreadableFileSaysWhetherAnyShareWasFoundAndWhatWasSeen() throws Exception {
    MutableWriteCap never = org.cairnfs.caps.mutable.MutableKeys.generate(new SecureRandom())
        .writeCap();
    assertThatThrownBy(() -> bob.read(never.readOnly()).get()).cause()
        .isInstanceOfSatisfying(SlotUnreadableException.class, e -> {
          assertThat(e.noShareFound()).isTrue();
          assertThat(e).hasMessageEndingWith(
              "no share found on the 10 servers that answered (of 10 known)");
        });
    MutableWriteCap cap = alice.create(lines("one")).get();
    List<TestServer> failing = grid.servers().subList(0, 8);
    try {
      failing.forEach(s -> s.faults().failReads(true));
      assertThatThrownBy(() -> bob.read(cap.readOnly()).get()).cause()
          .isInstanceOfSatisfying(SlotUnreadableException.class, e -> {
            assertThat(e.noShareFound()).isFalse();
            assertThat(e.getMessage()).contains("no version has enough shares: seen v1:",
                " share ", "; unreachable: ");
            for (TestServer s : failing) {
              assertThat(e.getMessage()).contains(s.nodeId().shortForm()
                  + " (reading the slot failed: INTERNAL: injected read failure)");
            }
          });
    } finally {
      failing.forEach(s -> s.faults().failReads(false));
    }
  }

  /** The slot's share files on every server, by share number. */
  static java.util.Map<Integer, Path> shareFiles(StorageIndex si) throws Exception {
    java.util.Map<Integer, Path> out = new java.util.TreeMap<>();
    for (TestServer s : grid.servers()) {
      for (int n : s.store().shareSizes(si, org.cairnfs.storage.share.ShareKind.MUTABLE)
          .keySet()) {
        out.put(n, s.slotPath(si, n));
      }
    }
    return out;
  }

  /**
   * A publish landing between a reader's two rounds (shares over 16 KiB are read front first):
   * every share's rest then belongs to the newer version and no share verifies. The reader and
   * a writer map again and read the newer version; they failed with "cannot be rebuilt" (seen
   * as a failing directory change among concurrent writers).
   */
  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void aVersionReplacedWhileReadIsReadAgainAsTheNewerOne(boolean writer) throws Exception {
    byte[] one = random(100_000, 1);
    byte[] two = random(100_000, 2);
    MutableWriteCap cap = alice.create(one).get();
    StorageIndex si = cap.storageIndex().orElseThrow();
    java.util.Map<Integer, Path> files = shareFiles(si);
    var held = org.cairnfs.caps.mutable.MutableShare.parse(
        java.nio.file.Files.readAllBytes(files.get(0)));
    assertThat(held.shareLength()).isGreaterThan(SlotMap.FRONT);
    var keys = org.cairnfs.caps.mutable.MutableKeys.recover(cap, held.encryptedSeed(),
        held.verifyingKey());
    byte[][] v2 = org.cairnfs.caps.mutable.MutableFileWriter.write(keys, 2, two,
        alice.options().params(), new SecureRandom());
    java.util.concurrent.atomic.AtomicBoolean replaced =
        new java.util.concurrent.atomic.AtomicBoolean();
    Runnable replaceAll = () -> {
      if (replaced.compareAndSet(false, true)) {
        try {
          for (var e : files.entrySet()) {
            java.nio.file.Files.write(e.getValue(), v2[e.getKey()]);
          }
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }
    };
    grid.servers().forEach(s -> s.faults().beforeSlotTail(replaceAll));
    try {
      MutableVersion read = writer
          ? bob.modify(cap, current -> null).get()
          : bob.read(cap.readOnly()).get();
      assertThat(replaced).isTrue();
      assertThat(read.seqnum()).isEqualTo(2);
      assertThat(read.contents()).isEqualTo(two);
    } finally {
      grid.servers().forEach(s -> s.faults().beforeSlotTail(null));
    }
  }

  /**
   * A share whose signature does not verify is not counted, even when it claims a newer
   * version: three servers' shares are replaced on disk by shares of a version 5 made with the
   * file's keys whose signatures were then damaged. The readers still see version 1 (seven
   * good shares); were the forgeries counted, version 5 would be the best and unreadable.
   */
  @Test
  void sharesWithABadSignatureAreNotCountedEvenForANewerVersion() throws Exception {
    MutableWriteCap cap = alice.create(lines("one")).get();
    StorageIndex si = cap.storageIndex().orElseThrow();
    java.util.Map<Integer, Path> files = shareFiles(si);
    assertThat(files).hasSize(10);
    var held = org.cairnfs.caps.mutable.MutableShare.parse(
        java.nio.file.Files.readAllBytes(files.get(0)));
    var keys = org.cairnfs.caps.mutable.MutableKeys.recover(cap, held.encryptedSeed(),
        held.verifyingKey());
    byte[][] v5 = org.cairnfs.caps.mutable.MutableFileWriter.write(keys, 5, lines("two"),
        alice.options().params(), new SecureRandom());
    for (int n = 0; n < 3; n++) {
      byte[] forged = v5[n].clone();
      byte[] signature = org.cairnfs.caps.mutable.MutableShare.parse(forged).signature();
      for (int i = 0; i + signature.length <= forged.length; i++) {
        if (java.util.Arrays.equals(forged, i, i + signature.length, signature, 0,
            signature.length)) {
          forged[i] ^= 1;
          break;
        }
      }
      assertThat(org.cairnfs.caps.mutable.MutableShare.parse(forged).signatureValid()).isFalse();
      java.nio.file.Files.write(files.get(n), forged);
    }
    MutableVersion read = bob.read(cap.readOnly()).get();
    assertThat(read.seqnum()).isEqualTo(1);
    assertThat(read.contents()).isEqualTo(lines("one"));
  }

  /**
   * A share stored under another number than its own is not counted: with every server's
   * share file swapped for the next number's (each a good share of the version, under the
   * wrong name), no share is found at all.
   */
  @Test
  void aShareStoredUnderAnotherNumberIsNotCounted() throws Exception {
    MutableWriteCap cap = alice.create(lines("one")).get();
    StorageIndex si = cap.storageIndex().orElseThrow();
    java.util.Map<Integer, Path> files = shareFiles(si);
    assertThat(files).hasSize(10);
    java.util.Map<Integer, byte[]> bytes = new java.util.HashMap<>();
    for (var e : files.entrySet()) {
      bytes.put(e.getKey(), java.nio.file.Files.readAllBytes(e.getValue()));
    }
    for (var e : files.entrySet()) {
      java.nio.file.Files.write(e.getValue(), bytes.get((e.getKey() + 1) % 10));
    }
    assertThatThrownBy(() -> bob.read(cap.readOnly()).get()).cause()
        .isInstanceOfSatisfying(SlotUnreadableException.class,
            e -> assertThat(e.noShareFound()).isTrue());
  }

  /**
   * A server whose slot read fails with anything but BAD_REQUEST is asked once: only an answer
   * too large for one reply (BAD_REQUEST) is worth asking again with a smaller front.
   */
  @Test
  void aServerWhoseSlotReadFailsIsNotAskedAgain() throws Exception {
    MutableWriteCap cap = alice.create(lines("one")).get();
    TestServer failing = grid.server(0);
    int before = failing.faults().reads();
    failing.faults().failReads(true);
    try {
      assertThat(bob.read(cap.readOnly()).get().contents()).isEqualTo(lines("one"));
    } finally {
      failing.faults().failReads(false);
    }
    assertThat(failing.faults().reads() - before).isEqualTo(1);
  }

  /**
   * Reading a version whose shares are longer than the mapping's front fetches the rest of
   * exactly k shares (one request each here), beside the one mapping request per server.
   */
  @Test
  void aReadFetchesTheRestOfExactlyKShares() throws Exception {
    byte[] data = random(100_000, 76);
    MutableWriteCap cap = alice.create(data).get();
    StorageIndex si = cap.storageIndex().orElseThrow();
    long shareLength = java.nio.file.Files.size(shareFiles(si).get(0));
    assertThat(shareLength).isGreaterThan(SlotMap.FRONT)
        .isLessThanOrEqualTo(SlotMap.FRONT + org.cairnfs.protocol.message.WireLimits.MAX_CHUNK);
    int k = alice.options().params().k();
    long before = grid.servers().stream().mapToLong(s -> s.faults().reads()).sum();
    assertThat(bob.read(cap.readOnly()).get().contents()).isEqualTo(data);
    long reads = grid.servers().stream().mapToLong(s -> s.faults().reads()).sum() - before;
    assertThat(reads).isEqualTo(grid.servers().size() + k);
    // a version whose shares the mapping fetched whole costs the mapping only
    MutableWriteCap small = alice.create(lines("one")).get();
    before = grid.servers().stream().mapToLong(s -> s.faults().reads()).sum();
    assertThat(bob.read(small.readOnly()).get().contents()).isEqualTo(lines("one"));
    reads = grid.servers().stream().mapToLong(s -> s.faults().reads()).sum() - before;
    assertThat(reads).isEqualTo(grid.servers().size());
  }

  /** The server holding share 0 of {@code si}, which a reader fetches the rest of first. */
  static TestServer holderOfShareZero(StorageIndex si) throws Exception {
    for (TestServer s : grid.servers()) {
      if (s.store().shareSizes(si, org.cairnfs.storage.share.ShareKind.MUTABLE)
          .containsKey(0)) {
        return s;
      }
    }
    throw new AssertionError("no server holds share 0");
  }

  /**
   * The rest of a share is read as far as the share's length, whatever the server answers: a
   * server answering more (its tail padded) or nothing (the share gone since the map) leaves a
   * readable file; the other shares of the version make up for a missing one.
   */
  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void aServerAnsweringTooMuchOrNothingForAShareTailLeavesTheFileReadable(boolean nothing)
      throws Exception {
    byte[] data = random(100_000, 77);
    MutableWriteCap cap = alice.create(data).get();
    TestServer liar = holderOfShareZero(cap.storageIndex().orElseThrow());
    if (nothing) {
      liar.faults().emptySlotTails(true);
    } else {
      liar.faults().padSlotTails(5000);
    }
    try {
      assertThat(bob.read(cap.readOnly()).get().contents()).isEqualTo(data);
    } finally {
      liar.faults().emptySlotTails(false);
      liar.faults().padSlotTails(0);
    }
  }

  /**
   * Share 0 authenticates (its front is intact) but a block of it is damaged: decoding the
   * first k shares fails, and the reader decodes again with every share of the version.
   */
  @Test
  void aShareWithADamagedBlockIsReplacedByTheOthersOfItsVersion() throws Exception {
    byte[] contents = random(5000, 75);
    MutableWriteCap cap = alice.create(contents).get();
    StorageIndex si = cap.storageIndex().orElseThrow();
    int damaged = 0;
    for (TestServer s : grid.servers()) {
      if (s.store().shareSizes(si, org.cairnfs.storage.share.ShareKind.MUTABLE)
          .containsKey(0)) {
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(
            s.slotPath(si, 0).toFile(), "rw")) {
          f.seek(f.length() - 1); // the last block
          int b = f.read();
          f.seek(f.length() - 1);
          f.write(b ^ 1);
          damaged++;
        }
      }
    }
    assertThat(damaged).isEqualTo(1);
    assertThat(bob.read(cap.readOnly()).get().contents()).isEqualTo(contents);
  }

  static byte[] lines(String... entries) {
    return String.join("\n", entries).getBytes(StandardCharsets.UTF_8);
  }

  static TreeSet<String> parse(byte[] contents) {
    TreeSet<String> out = new TreeSet<>();
    for (String line : new String(contents, StandardCharsets.UTF_8).split("\n")) {
      if (!line.isEmpty()) {
        out.add(line);
      }
    }
    return out;
  }

  /** Adds one line; the first call of a pair waits until both writers have read. */
  static Modifier adding(String entry, CyclicBarrier barrier, AtomicInteger calls) {
    boolean[] first = {true};
    return current -> {
      calls.incrementAndGet();
      if (barrier != null && first[0]) {
        first[0] = false;
        try {
          barrier.await(30, TimeUnit.SECONDS);
        } catch (Exception e) {
          throw new java.io.IOException(e);
        }
      }
      TreeSet<String> set = parse(current);
      set.add(entry);
      return lines(set.toArray(String[]::new));
    };
  }
}
