package org.cairnfs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.cairnfs.caps.Cap;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.caps.immutable.EncodingParams;
import org.cairnfs.cli.config.ConfigTemplate;
import org.cairnfs.fs.client.GridFileSystem;
import org.cairnfs.fs.mount.EntryChange;
import org.cairnfs.caps.dirnode.EntryKind;
import org.cairnfs.fs.mount.MountStatus;
import org.cairnfs.fs.mount.NodeMetadata;
import org.cairnfs.storage.StorageServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's collector over four in-process servers: it deletes what no alias reaches and
 * nothing else, and deletes nothing from a round it cannot trust.
 */
class DemoCollectorTest {
  /** A day and more later: every lease given during the test is older than that. */
  static final InstantSource LATER = () -> Instant.now().plus(Duration.ofHours(2));

  @TempDir
  Path dir;
  final List<AutoCloseable> open = new ArrayList<>();
  final List<StorageServer> servers = new ArrayList<>();
  ClientNode node;
  GridFileSystem files;
  String root;

  @BeforeEach
  void grid() throws Exception {
    RunningNode intro = RunningNode.start(RunningNodeTest.introducerDir(dir.resolve("intro")));
    open.add(intro);
    String url = intro.introducer().url("127.0.0.1").toString();
    for (int i = 0; i < 4; i++) {
      RunningNode s = RunningNode.start(RunningNodeTest.nodeDir(dir.resolve("s" + i), "s" + i,
          url, true));
      open.add(s);
      servers.add(s.storage());
    }
    NodeDirectory c = new NodeDirectory(dir.resolve("client"));
    c.create(ConfigTemplate.node("client", "127.0.0.1", 0, List.of(url),
        EncodingParams.builder().k(2).happy(4).n(4).build(), false, "storage", null, "0"));
    node = ClientNode.open(c.root());
    open.add(node);
    node.requireServers(4, Duration.ofSeconds(30));
    files = node.files();
    root = RootAlias.resolve(node, null);
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  @Test
  void deletesWhatNoAliasReachesAndKeepsEverythingReachable() throws Exception {
    String sub = files.createDirectory().get(30, TimeUnit.SECONDS);
    link(root, "sub", sub);
    byte[] a = bytes(1, 300_000);
    String kept = upload(a);
    link(sub, "a", kept);
    String replaced = upload(bytes(2, 70_000));
    link(root, "b", replaced);
    byte[] c = bytes(3, 70_000);
    String current = upload(c);
    link(root, "b", current); // replaces: the first b is linked from nowhere now
    String gone = files.createDirectory().get(30, TimeUnit.SECONDS);
    link(root, "gone", gone);
    String inGone = upload(bytes(4, 5_000));
    link(gone, "d", inGone);
    files.applyChanges(root, List.of(new EntryChange.Remove("gone"))).get(30, TimeUnit.SECONDS);
    String never = upload(bytes(5, 5_000));
    for (String cap : List.of(kept, replaced, current, gone, inGone, never, root, sub)) {
      assertThat(holders(cap)).as(cap).isEqualTo(4);
    }

    DemoCollector.Round round = collector(LATER, Duration.ZERO).round();

    assertThat(round.swept()).as(round.why()).isTrue();
    assertThat(round.deleted()).isGreaterThanOrEqualTo(4 * 4); // four indexes at least, 4 shares each
    for (String cap : List.of(replaced, gone, inGone, never)) {
      assertThat(holders(cap)).as("linked from nowhere: %s", cap).isZero();
    }
    for (String cap : List.of(kept, current, root, sub)) {
      assertThat(holders(cap)).as("reachable: %s", cap).isEqualTo(4);
    }
    assertThat(files.read(kept, 0, a.length).get(30, TimeUnit.SECONDS)).isEqualTo(a);
    assertThat(files.read(current, 0, c.length).get(30, TimeUnit.SECONDS)).isEqualTo(c);
    assertThat(files.list(root).get(30, TimeUnit.SECONDS)).extracting(e -> e.name())
        .containsExactlyInAnyOrder("sub", "b");
    assertThat(collector(LATER, Duration.ZERO).round().deleted()).isZero();
  }

  /** An upload still under way, or a file put and not yet linked, is not garbage yet. */
  @Test
  void keepsSharesGivenWithinTheGraceThoughLinkedFromNowhere() throws Exception {
    String never = upload(bytes(5, 5_000));
    DemoCollector.Round round = collector(InstantSource.system(), Duration.ofDays(1))
        .round();
    assertThat(round.swept()).as(round.why()).isTrue();
    assertThat(round.deleted()).isZero();
    assertThat(holders(never)).isEqualTo(4);
  }

  @Test
  void deletesNothingWhileTheMountHasChangesNotOnTheGrid() throws Exception {
    String never = upload(bytes(5, 5_000));
    MountStatus pending = new MountStatus(1, 0, 0, 0, 0, Optional.empty(), Optional.empty());
    DemoCollector.Round round = new DemoCollector(node, files,
        mount(pending, java.util.Set.of()),
        servers, LATER, Duration.ZERO).round();
    assertThat(round.swept()).isFalse();
    assertThat(round.why()).contains("1 changes not yet on the grid");
    assertThat(holders(never)).isEqualTo(4);
  }

  /** A directory that cannot be read may link anything: nothing is deleted. */
  @Test
  void deletesNothingWhenTheWalkIsNotWhole() throws Exception {
    String lost = files.createDirectory().get(30, TimeUnit.SECONDS);
    link(root, "lost", lost);
    String never = upload(bytes(5, 5_000));
    org.cairnfs.storage.lease.LeaseOwner owner = org.cairnfs.storage.lease.LeaseOwner.of(
        org.cairnfs.protocol.identity.NodeKey.load(node.directory().nodeKey()).nodeId()
            .toBytes());
    for (StorageServer s : servers) {
      assertThat(s.store().collectIndexIfNotRenewedSince(index(lost), owner,
          Instant.now().plus(Duration.ofDays(400)))).isEqualTo(1);
    }
    DemoCollector.Round round = collector(LATER, Duration.ZERO).round();
    assertThat(round.swept()).isFalse();
    assertThat(round.why()).contains("not whole");
    assertThat(holders(never)).isEqualTo(4);
  }

  /** A client whose aliases file is gone reaches nothing: that is no reason to delete all. */
  @Test
  void deletesNothingWhenTheClientHasNoAlias() throws Exception {
    String never = upload(bytes(5, 5_000));
    java.nio.file.Files.delete(node.directory().root().resolve("private").resolve("aliases"));
    DemoCollector.Round round = collector(LATER, Duration.ZERO).round();
    assertThat(round.swept()).isFalse();
    assertThat(round.why()).contains("no alias");
    assertThat(holders(never)).isEqualTo(4);
    assertThat(holders(root)).isEqualTo(4);
  }

  @Test
  void deletesNothingWhileADirectoryIsBeingWritten() throws Exception {
    String never = upload(bytes(5, 5_000));
    node.grid().slotWrites().begin();
    try {
      DemoCollector.Round round = collector(LATER, Duration.ZERO).round();
      assertThat(round.swept()).isFalse();
      assertThat(round.why()).contains("being written");
    } finally {
      node.grid().slotWrites().end();
    }
    assertThat(holders(never)).isEqualTo(4);
  }

  /**
   * A file moved, while the walk runs, out of a directory not yet listed into one already
   * listed is in neither listing: the round must see that a directory changed and delete
   * nothing.
   */
  @Test
  void aFileMovedDuringTheWalkIsNotDeleted() throws Exception {
    movedDuringTheWalk(files);
  }

  /**
   * The same moves by another client of the same node directory (a verb run in-process, whose
   * slot writes this process does not count): the servers' commits show them.
   */
  @Test
  void aFileMovedDuringTheWalkByAnotherProcessIsNotDeleted() throws Exception {
    try (ClientNode other = ClientNode.open(node.directory().root())) {
      other.requireServers(4, Duration.ofSeconds(30));
      movedDuringTheWalk(other.files());
    }
  }

  private void movedDuringTheWalk(GridFileSystem mover) throws Exception {
    String left = files.createDirectory().get(30, TimeUnit.SECONDS);
    String right = files.createDirectory().get(30, TimeUnit.SECONDS);
    link(root, "left", left);
    link(root, "right", right);
    byte[] data = bytes(6, 40_000);
    String moving = upload(data);
    link(left, "m", moving);
    link(right, "m", moving); // in both at first: the walk's order does not matter
    List<String> listed = new ArrayList<>();
    GridFileSystem watched = watching(args -> {
      if (args[0].equals(left) || args[0].equals(right)) {
        String d = (String) args[0];
        if (listed.isEmpty()) { // the first of the two: the file leaves it
          mover.applyChanges(d, List.of(new EntryChange.Remove("m"))).get(30,
              TimeUnit.SECONDS);
        } else { // the second: the file goes back into the first, then leaves this one
          link(mover, listed.get(0), "m", moving);
          mover.applyChanges(d, List.of(new EntryChange.Remove("m"))).get(30,
              TimeUnit.SECONDS);
        }
        listed.add(d);
      }
    });
    DemoCollector.Round round = new DemoCollector(node, watched, null, servers, LATER,
        Duration.ZERO).round();
    assertThat(listed).containsExactlyInAnyOrder(left, right);
    assertThat(round.swept()).as(round.why()).isFalse();
    assertThat(round.why()).contains("changed during the walk");
    assertThat(holders(moving)).isEqualTo(4);
    assertThat(files.read(moving, 0, data.length).get(30, TimeUnit.SECONDS)).isEqualTo(data);
  }

  /** An alias added during the walk names a tree the walk did not see: nothing is deleted. */
  @Test
  void anAliasAddedDuringTheWalkStopsTheRound() throws Exception {
    String kept = files.createDirectory().get(30, TimeUnit.SECONDS); // linked from nowhere
    String inKept = upload(bytes(10, 5_000));
    link(kept, "f", inKept);
    GridFileSystem watched = watching(args -> {
      if (args[0].equals(root)) {
        Aliases.load(node.directory().root()).put("work", kept);
      }
    });
    DemoCollector.Round round = new DemoCollector(node, watched, null, servers, LATER,
        Duration.ZERO).round();
    assertThat(round.swept()).isFalse();
    assertThat(round.why()).contains("aliases changed");
    assertThat(holders(kept)).isEqualTo(4);
    assertThat(holders(inKept)).isEqualTo(4);
    assertThat(collector(LATER, Duration.ZERO).round().swept()).isTrue();
    assertThat(holders(inKept)).as("reached through the new alias").isEqualTo(4);
  }

  /** The mounted root is kept even when no alias names it any more. */
  @Test
  void theMountedRootIsKeptWithoutItsAlias() throws Exception {
    String f = upload(bytes(11, 5_000));
    link(root, "f", f);
    String other = files.createDirectory().get(30, TimeUnit.SECONDS);
    Aliases.load(node.directory().root()).put("other", other);
    java.nio.file.Path aliasFile = node.directory().root().resolve("private").resolve("aliases");
    java.nio.file.Files.writeString(aliasFile, "other: " + other + "\n");
    assertThat(Aliases.load(node.directory().root()).names()).containsExactly("other");
    MountStatus clean = new MountStatus(0, 0, 0, 0, 0, Optional.empty(), Optional.empty());
    DemoCollector.Round round = new DemoCollector(node, files,
        mount(clean, java.util.Set.of()),
        servers, LATER, Duration.ZERO).round();
    assertThat(round.swept()).as(round.why()).isTrue();
    assertThat(holders(root)).isEqualTo(4);
    assertThat(holders(f)).isEqualTo(4);
  }

  /** A mount of this client that starts and stops during the walk may have changed anything. */
  @Test
  void anotherMountThatRanDuringTheWalkStopsTheRound() throws Exception {
    String otherRoot = files.createDirectory().get(30, TimeUnit.SECONDS);
    Path cache = node.directory().root().resolve("mounts").resolve("other");
    org.cairnfs.fs.mount.MountCore.open(
        org.cairnfs.fs.mount.MountConfig.builder(otherRoot, cache).build(), files).close();
    GridFileSystem watched = watching(args -> {
      if (args[0].equals(root)) {
        org.cairnfs.fs.mount.MountCore.open(
            org.cairnfs.fs.mount.MountConfig.builder(otherRoot, cache).build(), files).close();
      }
    });
    DemoCollector.Round round = new DemoCollector(node, watched, null, servers, LATER,
        Duration.ZERO).round();
    assertThat(round.swept()).isFalse();
    assertThat(round.why()).contains("another mount of this client ran during the walk");
  }

  /** While an upload runs its first chunks may wait for their manifest: no round then. */
  @Test
  void noRoundStartsWhileTheClientUploads() throws Exception {
    String never = upload(bytes(12, 5_000));
    node.grid().uploads().begin();
    try {
      DemoCollector.Round round = collector(LATER, Duration.ZERO).round();
      assertThat(round.swept()).isFalse();
      assertThat(round.why()).contains("is uploading");
    } finally {
      node.grid().uploads().end();
    }
    assertThat(holders(never)).isEqualTo(4);
  }

  /** A server the client knows beyond the demo's: its slots' changes are not counted. */
  @Test
  void aServerOutsideTheDemoStopsTheRound() throws Exception {
    String never = upload(bytes(13, 5_000));
    DemoCollector.Round round = new DemoCollector(node, null, servers.subList(0, 3), LATER,
        Duration.ZERO).round();
    assertThat(round.swept()).isFalse();
    assertThat(round.why()).contains("is not one of the demo's");
    assertThat(holders(never)).isEqualTo(4);
  }

  /**
   * What the mount holds is kept: a directory no alias reaches with its whole tree; a cap whose
   * object is gone everywhere does not stop the round; a cap taken up during the walk does.
   */
  @Test
  void theMountsCapsInUseAreKeptWithTheirTrees() throws Exception {
    String stale = files.createDirectory().get(30, TimeUnit.SECONDS); // linked from nowhere
    String inStale = upload(bytes(14, 5_000));
    link(stale, "g", inStale);
    String gone = upload(bytes(15, 5_000));
    org.cairnfs.storage.lease.LeaseOwner owner = org.cairnfs.storage.lease.LeaseOwner.of(
        org.cairnfs.protocol.identity.NodeKey.load(node.directory().nodeKey()).nodeId()
            .toBytes());
    for (StorageServer s : servers) {
      s.store().collectIndexIfNotRenewedSince(index(gone), owner,
          Instant.now().plus(Duration.ofDays(400)));
    }
    assertThat(holders(gone)).isZero();
    MountStatus clean = new MountStatus(0, 0, 0, 0, 0, Optional.empty(), Optional.empty());
    DemoCollector.Round round = new DemoCollector(node, files,
        mount(clean, java.util.Set.of(stale, gone)), servers, LATER, Duration.ZERO).round();
    assertThat(round.swept()).as(round.why()).isTrue();
    assertThat(holders(stale)).isEqualTo(4);
    assertThat(holders(inStale)).as("below a directory in use").isEqualTo(4);

    String late = upload(bytes(16, 5_000));
    java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
    DemoCollector.Mount taking = new DemoCollector.Mount() {
      @Override
      public MountStatus status() {
        return clean;
      }

      @Override
      public String rootCap() {
        return root;
      }

      @Override
      public java.util.Set<String> capsInUse() {
        return calls.getAndIncrement() == 0 ? java.util.Set.of() : java.util.Set.of(late);
      }

      @Override
      public Path cacheDir() {
        return null;
      }
    };
    DemoCollector.Round during = new DemoCollector(node, files, taking, servers, LATER,
        Duration.ZERO).round();
    assertThat(during.swept()).isFalse();
    assertThat(during.why()).contains("took up a cap during the walk");
    assertThat(holders(late)).isEqualTo(4);
  }

  interface ListHook {
    void before(Object[] args) throws Exception;
  }

  /** {@link #files}, with {@code hook} run before each listing. */
  GridFileSystem watching(ListHook hook) {
    return (GridFileSystem) java.lang.reflect.Proxy.newProxyInstance(
        GridFileSystem.class.getClassLoader(), new Class<?>[] {GridFileSystem.class},
        (proxy, method, args) -> {
          if (method.getName().equals("list") && args.length == 1) {
            hook.before(args);
          }
          try {
            return method.invoke(files, args);
          } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  /**
   * A running collector tells `cairn status` what its last round did, and close stops it and
   * removes that.
   */
  @Test
  void aRunningCollectorReportsItsRoundsAndCloseStopsIt() throws Exception {
    DemoCollector c = collector(InstantSource.system(), Duration.ofDays(1));
    c.start(Duration.ZERO, Duration.ofMillis(1));
    Path nodeDir = node.directory().root();
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (CollectorStatusFile.describe(nodeDir, Instant.now()).isEmpty()) {
      assertThat(System.nanoTime()).as("a round reported").isLessThan(deadline);
      Thread.sleep(20);
    }
    assertThat(CollectorStatusFile.describe(nodeDir, Instant.now()).orElseThrow())
        .startsWith("Demo collector, last round ")
        .containsPattern(" ago: collected \\d+ of \\d+ shares no alias reaches");
    c.close();
    assertThat(Thread.getAllStackTraces().keySet()).noneMatch(
        t -> t.getName().startsWith("cairn-demo-"));
    assertThat(nodeDir.resolve(CollectorStatusFile.NAME)).doesNotExist();
    assertThat(CollectorStatusFile.describe(nodeDir, Instant.now())).isEmpty();
  }

  /**
   * Close during a sweep: each sweeper stops before its next storage index and close returns
   * once they have (the demo closes its servers' stores right after).
   */
  @Test
  void closeDuringASweepStopsTheSweepersBeforeReturning() throws Exception {
    List<String> unlinked = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      unlinked.add(upload(bytes(100 + i, 1_000)));
    }
    DemoCollector c = collector(LATER, Duration.ZERO).sweepRate(10);
    c.start(Duration.ZERO, Duration.ofHours(1));
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (held(unlinked) == 4 * unlinked.size()) {
      assertThat(System.nanoTime()).as("a deletion within 60 s").isLessThan(deadline);
      Thread.sleep(5);
    }
    c.close();
    int left = held(unlinked);
    assertThat(left).as("shares not yet swept when close returned").isPositive();
    assertThat(Thread.getAllStackTraces().keySet()).noneMatch(
        t -> t.getName().startsWith("cairn-demo-"));
    Thread.sleep(300);
    assertThat(held(unlinked)).as("nothing deleted after close returned").isEqualTo(left);
  }

  private int held(List<String> caps) throws Exception {
    int held = 0;
    for (String cap : caps) {
      held += holders(cap);
    }
    return held;
  }

  /** A file left by a demo that is no longer running is not shown. */
  @Test
  void aCollectorStatusOfAProcessGoneIsNotShown() throws Exception {
    Path nodeDir = node.directory().root();
    java.nio.file.Files.writeString(nodeDir.resolve(CollectorStatusFile.NAME),
        "pid: 999999999\nat: 2026-12-07T10:00:00Z\noutcome: collected 1 of 2\n");
    assertThat(CollectorStatusFile.describe(nodeDir, Instant.now())).isEmpty();
    CollectorStatusFile.write(nodeDir, Instant.parse("2026-12-07T10:00:00Z"), "a\nb");
    assertThat(CollectorStatusFile.describe(nodeDir, Instant.parse("2026-12-07T10:00:30Z")))
        .contains("Demo collector, last round 30 s ago: a b");
  }

  /** A file open in the mount (removed since) is kept with what it reads. */
  @Test
  void keepsWhatAFileOpenInTheMountReads() throws Exception {
    byte[] data = bytes(7, 50_000);
    String openCap = upload(data);
    String never = upload(bytes(8, 5_000));
    MountStatus clean = new MountStatus(0, 0, 0, 0, 0, Optional.empty(), Optional.empty());
    DemoCollector.Round round = new DemoCollector(node, files,
        mount(clean, java.util.Set.of(openCap)),
        servers, LATER, Duration.ZERO).round();
    assertThat(round.swept()).as(round.why()).isTrue();
    assertThat(holders(openCap)).isEqualTo(4);
    assertThat(files.read(openCap, 0, data.length).get(30, TimeUnit.SECONDS)).isEqualTo(data);
    assertThat(holders(never)).isZero();
  }

  /**
   * Another mount of the client (its own root, its own process in life) changes directories this
   * collector does not count, and one stopped with changes left publishes them at its next start:
   * while either is so, nothing is deleted.
   */
  @Test
  void deletesNothingWhileAnotherMountOfTheClientRunsOrLeftChangesBehind() throws Exception {
    String never = upload(bytes(5, 5_000));
    String otherRoot = files.createDirectory().get(30, TimeUnit.SECONDS);
    Path cache = node.directory().root().resolve("mounts").resolve("other");
    org.cairnfs.fs.mount.GridBackend down = (org.cairnfs.fs.mount.GridBackend)
        java.lang.reflect.Proxy.newProxyInstance(GridFileSystem.class.getClassLoader(),
            new Class<?>[] {org.cairnfs.fs.mount.GridBackend.class}, (proxy, method, args) -> {
              if (method.getName().equals("writeFile")
                  || method.getName().equals("applyChanges")) {
                return java.util.concurrent.CompletableFuture.failedFuture(
                    new java.io.IOException("the grid is down (test)"));
              }
              try {
                return method.invoke(files, args);
              } catch (java.lang.reflect.InvocationTargetException e) {
                throw e.getCause();
              }
            });
    org.cairnfs.fs.mount.MountCore other = org.cairnfs.fs.mount.MountCore.open(
        org.cairnfs.fs.mount.MountConfig.builder(otherRoot, cache).build(), down);
    try {
      long fh = other.create("/x", 0644, org.cairnfs.fs.mount.MountCore.O_RDWR
          | org.cairnfs.fs.mount.MountCore.O_CREAT, new org.cairnfs.fs.mount.Caller(0, 0));
      other.write(fh, java.nio.ByteBuffer.wrap(bytes(9, 1000)), 0);
      other.flush(fh);
      other.release(fh);
      DemoCollector.Round running = collector(LATER, Duration.ZERO).round();
      assertThat(running.swept()).isFalse();
      assertThat(running.why()).contains("another mount of this client runs");
    } finally {
      assertThat(other.close(Duration.ZERO, st -> { }).pendingChanges()).isPositive();
    }
    DemoCollector.Round stopped = collector(LATER, Duration.ZERO).round();
    assertThat(stopped.swept()).isFalse();
    assertThat(stopped.why()).contains("stopped with 1 changes not yet on the grid");
    assertThat(holders(never)).isEqualTo(4);

    // mounted again over the grid: its change is published, and rounds run again
    other = org.cairnfs.fs.mount.MountCore.open(
        org.cairnfs.fs.mount.MountConfig.builder(otherRoot, cache).build(), files);
    other.sync(Duration.ofSeconds(60));
    assertThat(other.close(Duration.ofSeconds(30), st -> { }).clean()).isTrue();
    DemoCollector.Round after = collector(LATER, Duration.ZERO).round();
    assertThat(after.swept()).as(after.why()).isTrue();
    assertThat(holders(never)).isZero();
  }

  DemoCollector.Mount mount(MountStatus status, java.util.Set<String> open) {
    return new DemoCollector.Mount() {
      @Override
      public Path cacheDir() {
        return null;
      }

      @Override
      public String rootCap() {
        return root;
      }

      @Override
      public MountStatus status() {
        return status;
      }

      @Override
      public java.util.Set<String> capsInUse() {
        return open;
      }
    };
  }

  DemoCollector collector(InstantSource clock, Duration keep) throws Exception {
    return new DemoCollector(node, null, servers, clock, keep);
  }

  String upload(byte[] data) throws Exception {
    return files.upload(new ByteArrayInputStream(data)).get(60, TimeUnit.SECONDS);
  }

  void link(String dirCap, String name, String cap) throws Exception {
    link(files, dirCap, name, cap);
  }

  static void link(GridFileSystem through, String dirCap, String name, String cap)
      throws Exception {
    boolean directory = Cap.parse(cap).isDirectory();
    through.applyChanges(dirCap, List.of(new EntryChange.Put(name, Optional.of(cap),
        NodeMetadata.of(directory ? EntryKind.DIRECTORY : EntryKind.FILE, 0,
            directory ? 0755 : 0644, Instant.now(), Instant.now())))).get(30, TimeUnit.SECONDS);
  }

  /**
   * Servers holding a share of {@code cap}'s storage index (for a chunked file: of its
   * manifest root).
   */
  int holders(String cap) throws Exception {
    StorageIndex index = index(cap);
    int held = 0;
    for (StorageServer s : servers) {
      if (!s.store().layout().sharesOf(index).isEmpty()) {
        held++;
      }
    }
    return held;
  }

  static StorageIndex index(String cap) {
    return Cap.parse(cap).storageIndex().orElseThrow();
  }

  static byte[] bytes(int seed, int length) {
    byte[] b = new byte[length];
    new Random(seed).nextBytes(b);
    return b;
  }
}
