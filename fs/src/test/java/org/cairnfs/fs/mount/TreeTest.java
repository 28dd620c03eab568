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
}
