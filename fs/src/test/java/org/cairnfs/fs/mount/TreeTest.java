package org.cairnfs.fs.mount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mounted tree's listings: when a lookup lists, what a listing keeps of the local nodes, and
 * what is served when the grid cannot be listed. Client {@code a} changes the grid, client
 * {@code b} (directory TTL zero: it lists at every lookup, unless said otherwise) looks.
 */
class TreeTest {
  static final Caller U = CoreFixture.USER;
  @TempDir
  Path dir;

  private static FsError errorOf(Throwable t) {
    return ((FsException) t).error();
  }

  @Test
  void pathsSplitIntoNamesAndBadOnesAreRefused() throws Exception {
    assertThat(Tree.names("/a//b/")).containsExactly("a", "b");
    assertThat(Tree.names("/")).isEmpty();
    assertThatThrownBy(() -> Tree.names(null)).extracting(TreeTest::errorOf)
        .isEqualTo(FsError.INVALID);
    assertThatThrownBy(() -> Tree.names("a/b")).extracting(TreeTest::errorOf)
        .isEqualTo(FsError.INVALID);
    String longest = "x".repeat(255);
    assertThat(Tree.name(longest)).isEqualTo(longest);
    assertThatThrownBy(() -> Tree.name(longest + "x")).extracting(TreeTest::errorOf)
        .isEqualTo(FsError.NAME_TOO_LONG);
    // 255 bytes, refused for its NUL, not for its length
    assertThatThrownBy(() -> Tree.name("x".repeat(254) + "\0")).extracting(TreeTest::errorOf)
        .isEqualTo(FsError.INVALID);
    // 100 bytes that are not UTF-8 reach the core as 100 U+FFFD (300 bytes): invalid, not long
    assertThatThrownBy(() -> Tree.name("\uFFFD".repeat(100))).extracting(TreeTest::errorOf)
        .isEqualTo(FsError.INVALID);
    assertThatThrownBy(() -> Tree.name("\uFFFD".repeat(256))).extracting(TreeTest::errorOf)
        .isEqualTo(FsError.NAME_TOO_LONG);
    // the name a path makes is its last; the root's path makes the empty name, no exception
    assertThat(Tree.newName(java.util.List.of("a", "b"))).isEqualTo("b");
    assertThat(Tree.newName(java.util.List.of())).isEmpty();
    assertThatThrownBy(() -> Tree.newName(java.util.List.of("a\uFFFDb")))
        .extracting(TreeTest::errorOf).isEqualTo(FsError.INVALID);
  }

  @Test
  void aMountRootMustBeADirectory() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    String file = grid.upload(new ByteArrayInputStream(new byte[] {1})).get();
    assertThatThrownBy(() -> new CoreFixture(grid, file, dir, b -> { }))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("directory cap");
  }

  @Test
  void withATtlOfZeroALookupListsEachDirectoryOnItsWayOnce() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    try (CoreFixture a = new CoreFixture(grid, null, dir.resolve("a"), x -> { });
        CoreFixture b = new CoreFixture(grid, a.rootCap, dir.resolve("b"),
            x -> x.directoryTtl(Duration.ZERO))) {
      a.core.mkdir("/d", 0755, U);
      a.core.mkdir("/d/e", 0755, U);
      a.put("/d/e/f", new byte[] {1, 2});
      a.core.sync(Duration.ofSeconds(10));
      for (int round = 0; round < 3; round++) {
        int before = grid.lists.get();
        assertThat(b.core.getattr("/d/e/f").size()).isEqualTo(2);
        assertThat(grid.lists.get() - before).as("/, /d and /d/e").isEqualTo(3);
        before = grid.lists.get();
        assertThat(b.core.getattr("/d/e").kind())
            .isEqualTo(org.cairnfs.caps.dirnode.EntryKind.DIRECTORY);
        assertThat(grid.lists.get() - before).as("/ and /d, not /d/e itself").isEqualTo(2);
      }
    }
  }

  @Test
  void aDirectoryReplacedByAnotherClientShowsTheNewOnesEntries() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    try (CoreFixture a = new CoreFixture(grid, null, dir.resolve("a"), x -> { });
        CoreFixture b = new CoreFixture(grid, a.rootCap, dir.resolve("b"),
            x -> x.directoryTtl(Duration.ZERO))) {
      a.core.mkdir("/d", 0755, U);
      a.put("/d/old", new byte[] {1});
      a.core.sync(Duration.ofSeconds(10));
      assertThat(b.core.readdir("/d")).extracting(DirEntryInfo::name)
          .containsExactly(".", "..", "old");
      a.core.unlink("/d/old");
      a.core.rmdir("/d");
      a.core.mkdir("/d", 0755, U);
      a.put("/d/new", new byte[] {2});
      a.core.sync(Duration.ofSeconds(10));
      assertThat(b.core.readdir("/d")).extracting(DirEntryInfo::name)
          .containsExactly(".", "..", "new");
      assertThat(b.get("/d/new")).containsExactly(2);
    }
  }

  @Test
  void aListedDirectoryStaysReadableWhileTheGridCannotBeListed() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    try (CoreFixture a = new CoreFixture(grid, null, dir.resolve("a"), x -> { });
        CoreFixture b = new CoreFixture(grid, a.rootCap, dir.resolve("b"),
            x -> x.directoryTtl(Duration.ZERO))) {
      a.core.mkdir("/d", 0755, U);
      a.core.mkdir("/e", 0755, U);
      a.put("/d/f", new byte[] {3});
      a.core.sync(Duration.ofSeconds(10));
      assertThat(b.core.readdir("/d")).hasSize(3);
      grid.failReadsWith(GridException.Kind.UNREACHABLE);
      try {
        assertThat(b.core.readdir("/d")).extracting(DirEntryInfo::name)
            .containsExactly(".", "..", "f");
        assertThat(b.core.getattr("/d/f").size()).isEqualTo(1);
        // a directory never listed cannot be served
        assertThatThrownBy(() -> b.core.readdir("/e")).isInstanceOf(FsException.class);
        // and the tree is not left locked for other threads
        assertThat(CompletableFuture.supplyAsync(() -> {
          try {
            return b.core.readdir("/d").size();
          } catch (FsException e) {
            throw new AssertionError(e);
          }
        }).get(20, TimeUnit.SECONDS)).isEqualTo(3);
      } finally {
        grid.heal();
      }
    }
  }

  @Test
  void aLookupInterruptedWhileListingKeepsTheInterrupt() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    try (CoreFixture b = new CoreFixture(grid, null, dir, x -> x.directoryTtl(Duration.ZERO))) {
      b.core.mkdir("/d", 0755, U);
      b.core.sync(Duration.ofSeconds(10));
      grid.delay(Duration.ofMillis(300)); // the listing is still on its way when it is waited for
      Thread.currentThread().interrupt();
      try {
        b.core.readdir("/d"); // served from the listing it has
        assertThat(Thread.currentThread().isInterrupted()).isTrue();
      } finally {
        Thread.interrupted();
        grid.delay(Duration.ZERO);
      }
    }
  }

  /** A name whose change is not on the grid yet keeps its node (and inode) across listings. */
  @Test
  void aPendingEntryKeepsItsInodeAcrossListings() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    try (CoreFixture b = new CoreFixture(grid, null, dir, x -> x.directoryTtl(Duration.ZERO))) {
      b.core.readdir("/");
      grid.failWith(GridException.Kind.UNREACHABLE); // the change stays pending
      try {
        b.put("/p", new byte[] {4});
        long ino = b.core.getattr("/p").ino();
        assertThat(b.core.readdir("/")).extracting(DirEntryInfo::name).contains("p");
        assertThat(b.core.getattr("/p").ino()).isEqualTo(ino);
        assertThat(b.get("/p")).containsExactly(4);
      } finally {
        grid.heal();
      }
    }
  }

  private static void awaitFinished(Tree tree, long target) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (tree.background.finished.get() < target && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(tree.background.finished.get()).isGreaterThanOrEqualTo(target);
  }

  /** A background refresh lists once when it installs, and tries once when the grid fails. */
  @Test
  void aBackgroundRefreshListsOnceWhetherItInstallsOrFails() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    try (CoreFixture b = new CoreFixture(grid, null, dir,
        x -> x.directoryTtl(Duration.ofMillis(20)))) {
      Tree tree = b.core.tree;
      b.put("/f", new byte[] {5});
      b.core.sync(Duration.ofSeconds(10));
      b.core.readdir("/");
      for (boolean fail : new boolean[] {false, true}) {
        if (fail) {
          grid.failReadsWith(GridException.Kind.UNREACHABLE);
        }
        Thread.sleep(60); // past the TTL
        long finished = tree.background.finished.get();
        long listings = tree.background.listings.get();
        int lists = grid.lists.get();
        b.core.getattr("/f"); // served at once; the refresh runs in the background
        awaitFinished(tree, finished + 1);
        assertThat(tree.background.listings.get() - listings).as("failing: %s", fail)
            .isEqualTo(1);
        if (!fail) {
          assertThat(grid.lists.get() - lists).isEqualTo(1);
        }
      }
      grid.heal();
    }
  }

  private static byte[] readAll(MountCore core, long fh) throws FsException {
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(100);
    int n = core.read(fh, b, 0);
    byte[] out = new byte[n];
    b.flip().get(out);
    return out;
  }

  /** Expires b's root listing and waits for the background refresh a lookup starts. */
  private static void refreshRoot(CoreFixture b, String lookup) throws Exception {
    Tree tree = b.core.tree;
    tree.expire(tree.root);
    long finished = tree.background.finished.get();
    b.core.getattr(lookup); // served from the listing it has
    awaitFinished(tree, finished + 1);
  }

  /**
   * A file open here when a listing finds another client's version under its name: its handle
   * reads what it opened, and at its last close the listed version takes the name without
   * another listing.
   */
  @Test
  void atTheLastCloseTheListedVersionTakesTheNameWithoutAnotherListing() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    try (CoreFixture a = new CoreFixture(grid, null, dir.resolve("a"), x -> { });
        CoreFixture b = new CoreFixture(grid, a.rootCap, dir.resolve("b"), x -> { })) {
      a.put("/f", new byte[] {1});
      a.core.sync(Duration.ofSeconds(10));
      long fh = b.core.open("/f", 0);
      a.put("/f", new byte[] {2, 2});
      a.core.sync(Duration.ofSeconds(10));
      refreshRoot(b, "/f");
      assertThat(readAll(b.core, fh)).containsExactly(1);
      assertThat(b.core.getattr("/f").size()).as("the open file keeps the name").isEqualTo(1);
      b.core.release(fh);
      int lists = grid.lists.get();
      assertThat(b.get("/f")).containsExactly(2, 2);
      assertThat(grid.lists.get() - lists).as("no further listing").isZero();
      // the tree is not left locked for other threads
      assertThat(CompletableFuture.supplyAsync(() -> {
        try {
          return b.core.getattr("/f").size();
        } catch (FsException e) {
          throw new AssertionError(e);
        }
      }).get(20, TimeUnit.SECONDS)).isEqualTo(2);
    }
  }

  /** ... but when this client published to the directory since, the directory is relisted. */
  @Test
  void atTheLastCloseAfterAPublishHereTheDirectoryIsListedAgain() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    try (CoreFixture a = new CoreFixture(grid, null, dir.resolve("a"), x -> { });
        CoreFixture b = new CoreFixture(grid, a.rootCap, dir.resolve("b"), x -> { })) {
      a.put("/f", new byte[] {1});
      a.core.sync(Duration.ofSeconds(10));
      long fh = b.core.open("/f", 0);
      a.put("/f", new byte[] {2, 2});
      a.core.sync(Duration.ofSeconds(10));
      refreshRoot(b, "/f");
      b.put("/h", new byte[] {3});
      b.core.sync(Duration.ofSeconds(10));
      b.core.release(fh);
      long finished = b.core.tree.background.finished.get();
      b.core.getattr("/h"); // the listing was expired at the close: this lookup refreshes it
      awaitFinished(b.core.tree, finished + 1);
      assertThat(b.get("/f")).containsExactly(2, 2);
      assertThat(b.get("/h")).containsExactly(3);
    }
  }

  /** A name with a change pending here keeps the local node at the last close. */
  @Test
  void atTheLastCloseAPendingChangeHereKeepsTheLocalNode() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    try (CoreFixture a = new CoreFixture(grid, null, dir.resolve("a"), x -> { });
        CoreFixture b = new CoreFixture(grid, a.rootCap, dir.resolve("b"),
            x -> x.directoryTtl(Duration.ZERO))) {
      a.put("/f", new byte[] {1});
      a.core.sync(Duration.ofSeconds(10));
      long fh = b.core.open("/f", 0);
      a.put("/f", new byte[] {2, 2});
      a.core.sync(Duration.ofSeconds(10));
      b.core.getattr("/f"); // listed while open: the grid's version is noted
      grid.failWith(GridException.Kind.UNREACHABLE); // b's change stays pending
      try {
        b.core.chmod("/f", 0600);
        b.core.release(fh);
        StatInfo st = b.core.getattr("/f");
        assertThat(st.mode() & 07777).isEqualTo(0600);
        assertThat(st.size()).isEqualTo(1);
      } finally {
        grid.heal();
      }
    }
  }

  /**
   * Bytes written after the handle's flush (as the kernel may write dirty pages back between
   * a close's flush and the release) are a local change, journaled by the release: at the last
   * close the file keeps its name rather than take the version a listing found meanwhile.
   */
  @Test
  void atTheLastCloseAFileWrittenSinceItsFlushKeepsTheLocalNode() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    try (CoreFixture a = new CoreFixture(grid, null, dir.resolve("a"), x -> { });
        CoreFixture b = new CoreFixture(grid, a.rootCap, dir.resolve("b"), x -> { })) {
      a.put("/f", new byte[] {1});
      a.core.sync(Duration.ofSeconds(10));
      long fh = b.core.open("/f", MountCore.O_RDWR);
      a.put("/f", new byte[] {2, 2});
      a.core.sync(Duration.ofSeconds(10));
      refreshRoot(b, "/f"); // listed while open: the grid's version is noted
      b.core.write(fh, java.nio.ByteBuffer.wrap(new byte[] {9, 9, 9}), 0);
      b.core.release(fh); // no flush: the release journals the change (46ffc28)
      assertThat(b.get("/f")).containsExactly(9, 9, 9);
    }
  }

  /**
   * A closed file holding bytes written after its flush is busy too: a listing that finds
   * another version under its name keeps the local node.
   */
  @Test
  void aListingKeepsAFileChangedAndClosedWithoutAFlush() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    Duration hour = Duration.ofHours(1);
    try (CoreFixture a = new CoreFixture(grid, null, dir.resolve("a"), x -> { });
        // b's uploader waits: its change is still local when the listing comes (else it can
        // reach the grid first, and a's put then rightly replaces it there and here)
        CoreFixture b = new CoreFixture(grid, a.rootCap, dir.resolve("b"),
            x -> x.coalesceDelay(hour).coalesceLimit(hour))) {
      a.put("/f", new byte[] {1});
      a.core.sync(Duration.ofSeconds(10));
      long fh = b.core.open("/f", MountCore.O_RDWR);
      b.core.write(fh, java.nio.ByteBuffer.wrap(new byte[] {9, 9, 9}), 0);
      b.core.release(fh); // closed without a flush: the release journals the change
      long ino = b.core.getattr("/f").ino();
      a.put("/f", new byte[] {2, 2});
      a.core.sync(Duration.ofSeconds(10));
      refreshRoot(b, "/f");
      assertThat(b.core.getattr("/f").ino()).isEqualTo(ino);
      assertThat(b.get("/f")).containsExactly(9, 9, 9);
    }
  }

  /**
   * A note of another version is dropped when a later listing finds the open file's own version
   * again: the last close then keeps it (the grid's content is that of the file).
   */
  @Test
  void aListingThatFindsTheOpenVersionAgainCancelsTheHandOver() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    try (CoreFixture a = new CoreFixture(grid, null, dir.resolve("a"), x -> { });
        CoreFixture b = new CoreFixture(grid, a.rootCap, dir.resolve("b"), x -> { })) {
      a.put("/f", new byte[] {1});
      a.core.sync(Duration.ofSeconds(10));
      long fh = b.core.open("/f", 0);
      a.put("/f", new byte[] {2, 2});
      a.core.sync(Duration.ofSeconds(10));
      refreshRoot(b, "/f");
      a.put("/f", new byte[] {1}); // back to the content b has open (the same cap)
      a.core.sync(Duration.ofSeconds(10));
      refreshRoot(b, "/f");
      b.core.release(fh);
      int lists = grid.lists.get();
      assertThat(b.get("/f")).containsExactly(1);
      assertThat(grid.lists.get() - lists).isZero();
    }
  }

  /** A listing keeps the node of an entry the grid still has (same inode); a new one is new. */
  @Test
  void aListingKeepsTheNodesOfUnchangedEntriesAndReplacesChangedOnes() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    try (CoreFixture a = new CoreFixture(grid, null, dir.resolve("a"), x -> { });
        CoreFixture b = new CoreFixture(grid, a.rootCap, dir.resolve("b"),
            x -> x.directoryTtl(Duration.ZERO))) {
      a.core.symlink("t1", "/l", U);
      a.put("/x", new byte[] {1});
      a.put("/y", new byte[] {1});
      a.core.mkdir("/d", 0755, U);
      a.core.sync(Duration.ofSeconds(10));
      long link = b.core.getattr("/l").ino();
      long file = b.core.getattr("/y").ino();
      long d = b.core.getattr("/d").ino();
      assertThat(b.core.getattr("/x").kind()).isEqualTo(org.cairnfs.caps.dirnode.EntryKind.FILE);
      assertThat(b.core.getattr("/l").ino()).isEqualTo(link);
      assertThat(b.core.getattr("/y").ino()).isEqualTo(file);
      assertThat(b.core.getattr("/d").ino()).isEqualTo(d);
      a.core.unlink("/l");
      a.core.symlink("t2", "/l", U);
      a.core.unlink("/x");
      a.core.mkdir("/x", 0755, U);
      a.core.sync(Duration.ofSeconds(10));
      assertThat(b.core.readlink("/l")).isEqualTo("t2");
      assertThat(b.core.getattr("/l").ino()).isNotEqualTo(link);
      assertThat(b.core.getattr("/x").kind())
          .isEqualTo(org.cairnfs.caps.dirnode.EntryKind.DIRECTORY);
      assertThat(b.core.readdir("/x")).hasSize(2);
    }
  }

  @Test
  void withinTheTtlALookupListsNothing() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    try (CoreFixture b = new CoreFixture(grid, null, dir, x -> { })) { // a TTL of 60 s
      b.core.mkdir("/d", 0755, U);
      b.put("/d/f", new byte[] {1});
      b.core.sync(Duration.ofSeconds(10));
      b.core.getattr("/d/f");
      int lists = grid.lists.get();
      long background = b.core.tree.background.listings.get();
      for (int i = 0; i < 5; i++) {
        b.core.getattr("/d/f");
        b.core.readdir("/d");
      }
      Thread.sleep(200); // a background listing, had one been started, would show by now
      assertThat(grid.lists.get() - lists).isZero();
      assertThat(b.core.tree.background.listings.get() - background).isZero();
    }
  }

  /** A removal pending here hides the name even though the grid still lists it. */
  @Test
  void aPendingRemovalHidesTheNameTheGridStillLists() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    try (CoreFixture a = new CoreFixture(grid, null, dir.resolve("a"), x -> { });
        CoreFixture b = new CoreFixture(grid, a.rootCap, dir.resolve("b"),
            x -> x.directoryTtl(Duration.ZERO))) {
      a.put("/f", new byte[] {1});
      a.core.sync(Duration.ofSeconds(10));
      assertThat(b.get("/f")).containsExactly(1);
      grid.failWith(GridException.Kind.UNREACHABLE); // the removal stays pending
      try {
        b.core.unlink("/f");
        assertThat(b.core.readdir("/")).extracting(DirEntryInfo::name)
            .containsExactly(".", "..");
        assertThatThrownBy(() -> b.core.getattr("/f")).extracting(TreeTest::errorOf)
            .isEqualTo(FsError.NOT_FOUND);
      } finally {
        grid.heal();
      }
    }
  }

  private static long sizeAsync(MountCore core, String path) {
    try {
      return core.getattr(path).size();
    } catch (FsException e) {
      throw new java.util.concurrent.CompletionException(e);
    }
  }

  /**
   * Two first listings of a directory in flight at once: the one that started later installs,
   * and the older one, answering last with what the grid held before another client's change,
   * is not installed over it (the directory would show the old version for a whole TTL).
   */
  @Test
  void aListingThatStartedEarlierNeverReplacesANewerOne() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    GatedGrid gated = new GatedGrid(grid);
    try (CoreFixture a = new CoreFixture(grid, null, dir.resolve("a"), x -> { });
        CoreFixture b = new CoreFixture(gated, a.rootCap, dir.resolve("b"), x -> { })) {
      a.put("/f", new byte[] {1});
      a.core.sync(Duration.ofSeconds(10));
      GatedGrid.Hold older = gated.holdNextList();
      CompletableFuture<Long> first = CompletableFuture.supplyAsync(() -> sizeAsync(b.core, "/f"));
      older.awaitReached(); // it read the grid while /f was one byte long
      a.put("/f", new byte[] {2, 2});
      a.core.sync(Duration.ofSeconds(10));
      assertThat(b.core.getattr("/f").size()).as("a second listing, installed").isEqualTo(2);
      older.release();
      assertThat(first.get(20, TimeUnit.SECONDS)).isEqualTo(2);
      assertThat(b.core.getattr("/f").size()).as("the older listing was not installed")
          .isEqualTo(2);
      assertThat(b.get("/f")).containsExactly(2, 2);
    }
  }

  /**
   * A background listing that read the grid before a publish of this client's to the directory
   * reached it, and answered after the publish ended, is dropped and made again: installed, it
   * would drop the published name (no longer a pending change, not yet in that listing).
   */
  @Test
  void aBackgroundListingRacedByAPublishIsDroppedAndListedAgain() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    GatedGrid gated = new GatedGrid(grid);
    try (CoreFixture b = new CoreFixture(gated, grid.newRoot(), dir, x -> { })) { // TTL 60 s
      Tree tree = b.core.tree;
      b.core.readdir("/");
      GatedGrid.Hold publish = gated.holdNextPublish();
      b.put("/f", new byte[] {1});
      publish.awaitReached(); // the publish of /f has begun
      GatedGrid.Hold listing = gated.holdNextList();
      long finished = tree.background.finished.get();
      long listings = tree.background.listings.get();
      tree.expire(tree.root);
      b.core.getattr("/f"); // served from the listing it has; a refresh starts
      listing.awaitReached(); // it read the grid without /f
      publish.release();
      b.core.sync(Duration.ofSeconds(10)); // the publish ended
      listing.release();
      awaitFinished(tree, finished + 1);
      assertThat(tree.background.listings.get() - listings).as("dropped, then listed again")
          .isEqualTo(2);
      assertThat(grid.entries(b.rootCap)).containsKey("f");
      assertThat(b.get("/f")).containsExactly(1);
    }
  }

  /**
   * The first listing of a directory (after a restart with a change of it still to publish)
   * raced by that publish is dropped, and the lookup lists again before it resolves anything.
   */
  @Test
  void aFirstListingRacedByAPublishIsListedAgainInTheCaller() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    GatedGrid gated = new GatedGrid(grid);
    try (CoreFixture b = new CoreFixture(gated, grid.newRoot(), dir, x -> { })) {
      grid.failPublishesWith(GridException.Kind.UNREACHABLE);
      b.put("/f", new byte[] {1});
      b.core.crash();
      grid.heal();
      GatedGrid.Hold publish = gated.holdNextPublish();
      b.reopen(); // the replayed change of / is published again
      publish.awaitReached();
      GatedGrid.Hold listing = gated.holdNextList();
      CompletableFuture<Long> lookup = CompletableFuture.supplyAsync(() -> sizeAsync(b.core, "/f"));
      listing.awaitReached(); // the root's first listing read the grid without /f
      publish.release();
      b.core.sync(Duration.ofSeconds(10));
      int lists = grid.lists.get();
      listing.release();
      assertThat(lookup.get(20, TimeUnit.SECONDS)).isEqualTo(1);
      assertThat(grid.lists.get() - lists).as("listed again").isEqualTo(1);
      assertThat(b.core.tree.waitedListings.get()).isEqualTo(2);
    }
  }

  /**
   * {@code resolve} and {@code parentOf} called before {@code prepare} listed the way report an
   * I/O error, not a NullPointerException.
   */
  @Test
  void aDirectoryNotListedYetCannotBeResolvedInto() throws Exception {
    try (CoreFixture b = new CoreFixture(dir)) {
      Tree tree = b.core.tree;
      tree.lock.readLock().lock();
      try {
        assertThat(tree.root.children).as("nothing listed yet").isNull();
        assertThatThrownBy(() -> tree.resolve(java.util.List.of("x")))
            .extracting(TreeTest::errorOf).isEqualTo(FsError.IO);
        assertThatThrownBy(() -> tree.parentOf(java.util.List.of("x")))
            .extracting(TreeTest::errorOf).isEqualTo(FsError.IO);
      } finally {
        tree.lock.readLock().unlock();
      }
    }
  }

  /**
   * An open that fails after counting itself (its O_TRUNC's record refused by a full disk) while
   * the file's other handle closes is the file's last close: the listed version takes the name
   * then, as at a release.
   */
  @Test
  void aFailedOpenThatIsTheLastCloseHandsTheNameOver() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    try (CoreFixture a = new CoreFixture(grid, null, dir.resolve("a"), x -> { });
        CoreFixture b = new CoreFixture(grid, a.rootCap, dir.resolve("b"), x -> { })) {
      a.put("/f", new byte[0]); // empty: the O_TRUNC changes no byte, only the record fails
      a.core.sync(Duration.ofSeconds(10));
      b.core.close();
      FaultyChannels disk = new FaultyChannels();
      b.core = MountCore.open(b.config(x -> { }), grid, disk);
      long fh = b.core.open("/f", 0);
      a.put("/f", new byte[] {2, 2});
      a.core.sync(Duration.ofSeconds(10));
      refreshRoot(b, "/f");
      assertThat(b.core.getattr("/f").size()).as("the open file keeps the name").isZero();
      disk.duringFailedWrite = () -> {
        try {
          b.core.release(fh); // not the last close: the failing open still counts
        } catch (FsException e) {
          throw new java.io.IOException(e);
        }
      };
      disk.failNextWriteAfter = 0;
      MountCoreEdgesTest.fails(FsError.IO,
          () -> b.core.open("/f", MountCore.O_WRONLY | MountCore.O_TRUNC));
      assertThat(disk.duringFailedWrite).as("the release ran inside the failed open").isNull();
      assertThat(b.core.getattr("/f").size()).as("the listed version").isEqualTo(2);
    }
  }

  /**
   * A last close that finds the file open again (a reopen between the count reaching zero and
   * the hand-over) leaves the name to the open file: its new last close decides.
   */
  @Test
  void aHandOverFindingTheFileOpenAgainLeavesTheName() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    try (CoreFixture a = new CoreFixture(grid, null, dir.resolve("a"), x -> { });
        CoreFixture b = new CoreFixture(grid, a.rootCap, dir.resolve("b"), x -> { })) {
      a.put("/f", new byte[] {1});
      a.core.sync(Duration.ofSeconds(10));
      long fh = b.core.open("/f", 0);
      a.put("/f", new byte[] {2, 2});
      a.core.sync(Duration.ofSeconds(10));
      refreshRoot(b, "/f"); // listed while open: the grid's version is noted
      Tree tree = b.core.tree;
      FileNode f;
      tree.lock.readLock().lock();
      try {
        f = (FileNode) tree.resolve(java.util.List.of("f"));
      } finally {
        tree.lock.readLock().unlock();
      }
      assertThat(f.behindGrid).isTrue();
      tree.afterLastClose(f); // as a release racing a reopen would: the file is open
      assertThat(b.core.getattr("/f").size()).as("the open file keeps the name").isEqualTo(1);
      b.core.release(fh); // the real last close hands over
      assertThat(b.core.getattr("/f").size()).isEqualTo(2);
    }
  }

  /**
   * A listing keeps the node of a special file the grid still has with the same device number,
   * and replaces one whose device number changed.
   */
  @Test
  void aListingKeepsAnUnchangedSpecialFileAndReplacesAChangedDevice() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    try (CoreFixture a = new CoreFixture(grid, null, dir.resolve("a"), x -> { });
        CoreFixture b = new CoreFixture(grid, a.rootCap, dir.resolve("b"),
            x -> x.directoryTtl(Duration.ZERO))) {
      a.core.mknod("/p", org.cairnfs.caps.dirnode.EntryKind.FIFO, 0640, 0, U);
      a.core.mknod("/c", org.cairnfs.caps.dirnode.EntryKind.CHAR_DEVICE, 0600, 0x103, U);
      a.core.sync(Duration.ofSeconds(10));
      long fifo = b.core.getattr("/p").ino();
      long dev = b.core.getattr("/c").ino();
      assertThat(b.core.getattr("/p").ino()).isEqualTo(fifo);
      assertThat(b.core.getattr("/c").ino()).isEqualTo(dev);
      a.core.unlink("/c");
      a.core.mknod("/c", org.cairnfs.caps.dirnode.EntryKind.CHAR_DEVICE, 0600, 0x105, U);
      a.core.sync(Duration.ofSeconds(10));
      StatInfo c = b.core.getattr("/c");
      assertThat(c.rdev()).isEqualTo(0x105);
      assertThat(c.ino()).isNotEqualTo(dev);
      assertThat(b.core.getattr("/p").ino()).isEqualTo(fifo);
      // a FIFO replaced by a socket or a file: the same device number (0), another kind
      a.core.unlink("/p");
      a.core.mknod("/p", org.cairnfs.caps.dirnode.EntryKind.SOCKET, 0640, 0, U);
      a.core.sync(Duration.ofSeconds(10));
      assertThat(b.core.getattr("/p").kind()).isEqualTo(org.cairnfs.caps.dirnode.EntryKind.SOCKET);
      a.core.unlink("/p");
      a.put("/p", new byte[] {1});
      a.core.sync(Duration.ofSeconds(10));
      assertThat(b.core.getattr("/p").kind()).isEqualTo(org.cairnfs.caps.dirnode.EntryKind.FILE);
      assertThat(b.get("/p")).containsExactly(1);
    }
  }

  /**
   * A directory this client made and could not create on the grid yet is never listed: a lookup
   * in it waits for no listing, whatever the TTL.
   */
  @Test
  void aDirectoryNotOnTheGridYetIsNeverListed() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    try (CoreFixture b = new CoreFixture(grid, null, dir, x -> x.directoryTtl(Duration.ZERO))) {
      grid.failCreatesWith(GridException.Kind.UNREACHABLE);
      try {
        b.core.mkdir("/d", 0755, U);
        b.put("/d/f", new byte[] {1});
        b.core.getattr("/d/f");
        long waited = b.core.tree.waitedListings.get();
        int lists = grid.lists.get();
        assertThat(b.core.readdir("/d")).hasSize(3);
        assertThat(b.core.getattr("/d/f").size()).isEqualTo(1);
        assertThat(b.core.tree.waitedListings.get() - waited).as("only / each time")
            .isEqualTo(2);
        assertThat(grid.lists.get() - lists).isEqualTo(2);
      } finally {
        grid.heal();
      }
    }
  }

  /**
   * A directory whose every listing is raced by a publish gives up after 1000 listings with an
   * I/O error instead of looping for ever.
   */
  @Test
  void aListingRacedEveryTimeGivesUpAfterAThousandAttempts() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    GatedGrid gated = new GatedGrid(grid);
    try (CoreFixture b = new CoreFixture(gated, grid.newRoot(), dir, x -> { })) {
      DirRef root = b.core.tree.root.ref;
      gated.beforeEachList = () -> b.core.writeBack().publishStarting(root);
      int lists = grid.lists.get();
      assertThatThrownBy(() -> b.core.getattr("/f")).extracting(TreeTest::errorOf)
          .isEqualTo(FsError.IO);
      assertThat(grid.lists.get() - lists).isEqualTo(1000);
      gated.beforeEachList = null;
      assertThatThrownBy(() -> b.core.getattr("/f")).extracting(TreeTest::errorOf)
          .isEqualTo(FsError.NOT_FOUND);
    }
  }

  /** The mount's close stops the background listings: a refresh asked after it runs nothing. */
  @Test
  void afterTheCloseNoBackgroundListingRuns() throws Exception {
    CoreFixture b = new CoreFixture(dir);
    b.core.readdir("/");
    b.close();
    Tree tree = b.core.tree;
    CompletableFuture<Void> ran = new CompletableFuture<>();
    tree.background.refresh(tree.root, () -> {
      ran.complete(null);
      return true;
    });
    assertThatThrownBy(() -> ran.get(300, TimeUnit.MILLISECONDS))
        .isInstanceOf(java.util.concurrent.TimeoutException.class);
    assertThat(tree.background.listings.get()).isZero();
  }
}
