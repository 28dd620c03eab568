package org.cairnfs.fs.mount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tree's memory follows what is in use: past the entry bound, idle clean listings are
 * dropped and listed again on the next lookup, and a listing that holds anything not yet on
 * the grid, open, or owned by another user is kept.
 */
class MountCoreTreeMemoryTest {
  static final Caller U = CoreFixture.USER;
  private static final int DIRS = 20;
  private static final int FILES = 10;
  @TempDir
  Path dir;

  /** A grid with DIRS directories of FILES small files each, written by another mount. */
  private CoreFixture writer(MemoryGrid grid) throws Exception {
    CoreFixture w = new CoreFixture(grid, null, dir.resolve("w"), b -> { });
    for (int d = 0; d < DIRS; d++) {
      w.core.mkdir("/d" + d, 0755, U);
      for (int f = 0; f < FILES; f++) {
        w.put(path(d, f), content(d, f));
      }
    }
    w.core.sync(Duration.ofSeconds(30));
    return w;
  }

  private static String path(int d, int f) {
    return "/d" + d + "/f" + f;
  }

  private static byte[] content(int d, int f) {
    return ("file " + f + " of directory " + d).getBytes();
  }

  private CoreFixture reader(MemoryGrid grid, String root, String name, long entries,
      Duration idle) throws Exception {
    Consumer<MountConfig.Builder> tweak = b -> b.treeEntries(entries, idle);
    return new CoreFixture(grid, root, dir.resolve(name), tweak);
  }

  private static boolean listed(CoreFixture fx, int d) {
    DirNode n = (DirNode) fx.core.tree.root.children.get("d" + d);
    return n.children != null;
  }

  @Test
  void idleCleanListingsAreDroppedPastTheBoundAndListedAgain() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    try (CoreFixture w = writer(grid);
        CoreFixture r = reader(grid, w.rootCap, "r", 50, Duration.ZERO)) {
      for (int d = 0; d < DIRS; d++) {
        assertThat(r.core.readdir("/d" + d)).hasSize(FILES + 2);
        assertThat(r.core.tree.listed.entries()).as("entries held after listing d%d", d)
            .isLessThanOrEqualTo(50 + FILES);
      }
      assertThat(r.core.tree.listed.dropped()).isPositive();
      assertThat(listed(r, 0)).as("the least recently used listing").isFalse();
      long inoBefore = r.core.getattr(path(0, 0)).ino(); // lists d0 again
      for (int d = 0; d < DIRS; d++) {
        for (int f = 0; f < FILES; f++) {
          assertThat(r.get(path(d, f))).as(path(d, f)).isEqualTo(content(d, f));
        }
      }
      assertThat(r.core.tree.listed.entries()).isLessThanOrEqualTo(50 + FILES);
      assertThat(r.core.getattr(path(0, 0)).size()).isEqualTo(content(0, 0).length);
      assertThat(inoBefore).isPositive();
    }
  }

  @Test
  void listingsHoldingAnythingNotOnTheGridOrInUseAreKept() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    try (CoreFixture w = writer(grid);
        CoreFixture r = reader(grid, w.rootCap, "r", 30, Duration.ZERO)) {
      long open = r.core.open(path(0, 3), 0); // d0: a file open
      long changed = r.core.open(path(1, 4), MountCore.O_RDWR); // d1: changed, closed later
      r.core.write(changed, ByteBuffer.wrap(new byte[] {42}), 0);
      r.core.mkdir("/d2/new", 0755, U); // d2: a pending entry, d2/new listed (empty)
      for (int d = 3; d < DIRS; d++) {
        r.core.readdir("/d" + d);
      }
      assertThat(r.core.tree.listed.dropped()).isPositive();
      assertThat(listed(r, 0)).as("the open file's directory").isTrue();
      assertThat(listed(r, 1)).as("the changed file's directory").isTrue();
      assertThat(listed(r, 2)).as("the directory with a pending entry").isTrue();
      assertThat(listed(r, 3)).as("an idle clean one").isFalse();
      ByteBuffer b = ByteBuffer.allocate(64);
      int n = r.core.read(open, b, 0);
      assertThat(new String(b.array(), 0, n)).isEqualTo(new String(content(0, 3)));
      r.core.release(open);
      r.core.flush(changed);
      r.core.release(changed);
      r.core.sync(Duration.ofSeconds(30));
      byte[] expected = content(1, 4).clone();
      expected[0] = 42;
      try (CoreFixture other = new CoreFixture(grid, w.rootCap, dir.resolve("o"), b2 -> { })) {
        assertThat(other.get(path(1, 4))).isEqualTo(expected);
        assertThat(other.core.readdir("/d2/new")).hasSize(2);
      }
      for (int d = 3; d < DIRS; d++) { // now all clean: d0..d2 may go too
        r.core.readdir("/d" + d);
      }
      assertThat(r.get(path(1, 4))).isEqualTo(expected);
    }
  }

  @Test
  void listingsUsedWithinTheIdleTimeAreNeverDropped() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    try (CoreFixture w = writer(grid);
        CoreFixture r = reader(grid, w.rootCap, "r", 30, Duration.ofHours(1))) {
      for (int d = 0; d < DIRS; d++) {
        r.core.readdir("/d" + d);
      }
      assertThat(r.core.tree.listed.dropped()).isZero();
      assertThat(r.core.tree.listed.entries()).isEqualTo(DIRS + (long) DIRS * FILES);
    }
  }

  /** An owner the grid keeps comes back with the listing; one it cannot keep holds it. */
  @Test
  void anEntryOwnedByAnotherUserIsDroppedOnlyWhenTheGridKeepsItsOwner() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    try (CoreFixture w = writer(grid);
        CoreFixture r = reader(grid, w.rootCap, "r", 30, Duration.ZERO)) {
      r.core.chown(path(0, 1), 1000, 1001, new Caller(0, 0));
      r.core.sync(Duration.ofSeconds(30));
      for (int d = 1; d < DIRS; d++) {
        r.core.readdir("/d" + d);
      }
      assertThat(listed(r, 0)).as("d0, its owner on the grid").isFalse();
      assertThat(r.core.getattr(path(0, 1)).gid()).isEqualTo(1001);
    }
    grid.keepXattrs(false);
    try (CoreFixture w = writer(grid);
        CoreFixture r = reader(grid, w.rootCap, "r2", 30, Duration.ZERO)) {
      r.core.chown(path(0, 1), 1000, 1001, new Caller(0, 0));
      r.core.sync(Duration.ofSeconds(30));
      for (int d = 1; d < DIRS; d++) {
        r.core.readdir("/d" + d);
      }
      assertThat(r.core.tree.listed.dropped()).isPositive();
      assertThat(listed(r, 0)).as("d0, its owner in memory only").isTrue();
      assertThat(r.core.getattr(path(0, 1)).gid()).isEqualTo(1001);
    }
  }

  /**
   * With listings slower than the idle time, a rename's three prepares each wait for the grid:
   * the pin of the operation keeps what it prepared until it has checked, so renaming a
   * directory over a non-empty one still fails (it once replaced it, contents and all).
   */
  @Test
  void aRenameOverANonEmptyDirectoryFailsHoweverSlowTheListings() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    String root;
    try (CoreFixture w = new CoreFixture(grid, null, dir.resolve("w"), b -> { })) {
      w.core.mkdir("/s", 0755, U);
      w.core.mkdir("/s/dir1", 0755, U);
      w.core.mkdir("/t", 0755, U);
      w.core.mkdir("/t/dir2", 0755, U);
      w.put("/t/dir2/precious", new byte[] {7});
      w.put("/t/x", new byte[] {8});
      w.core.sync(Duration.ofSeconds(30));
      root = w.rootCap;
    }
    try (CoreFixture r = reader(grid, root, "r", 1, Duration.ofMillis(100))) {
      r.core.readdir("/s");
      long held = r.core.open("/t/x", 0); // an open file keeps /t listed
      grid.delay(Duration.ofMillis(300));
      assertThatThrownBy(() -> r.core.rename("/s/dir1", "/t/dir2", 0))
          .isInstanceOfSatisfying(FsException.class,
              e -> assertThat(e.error()).isEqualTo(FsError.NOT_EMPTY));
      grid.delay(Duration.ZERO);
      assertThat(r.core.tree.pins.pinned()).as("pins left after the rename").isZero();
      assertThat(r.get("/t/dir2/precious")).containsExactly(7);
      r.core.release(held);
    }
  }

  /**
   * A walker lists directories (each listing drops the idle ones, bound 1, idle 0) while this
   * thread removes, renames over, lists and looks into a non-empty directory: each of those
   * either sees it whole or fails as it should (ENOTEMPTY), never EIO or an empty listing.
   */
  @Test
  void operationsRacingDropsSeeEveryDirectoryWhole() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    try (CoreFixture w = writer(grid)) {
      w.core.mkdir("/victim", 0755, U);
      w.core.mkdir("/spare", 0755, U);
      w.put("/victim/precious", new byte[] {9});
      w.core.sync(Duration.ofSeconds(30));
      try (CoreFixture r = reader(grid, w.rootCap, "r", 1, Duration.ZERO)) {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> walkerFailed = new AtomicReference<>();
        Thread walker = new Thread(() -> {
          for (int i = 0; !stop.get(); i++) {
            try {
              assertThat(r.core.readdir("/d" + (i % DIRS))).hasSize(FILES + 2);
            } catch (Throwable e) {
              walkerFailed.compareAndSet(null, e);
            }
          }
        });
        walker.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        int rounds = 0;
        try {
          while (System.nanoTime() < deadline) {
            rounds++;
            assertThatThrownBy(() -> r.core.rmdir("/victim")).isInstanceOfSatisfying(
                FsException.class, e -> assertThat(e.error()).isEqualTo(FsError.NOT_EMPTY));
            assertThatThrownBy(() -> r.core.rename("/spare", "/victim", 0))
                .isInstanceOfSatisfying(FsException.class,
                    e -> assertThat(e.error()).isEqualTo(FsError.NOT_EMPTY));
            assertThat(r.core.readdir("/victim")).hasSize(3);
            assertThat(r.core.getattr("/victim/precious").size()).isOne();
          }
        } finally {
          stop.set(true);
          walker.join();
        }
        assertThat(walkerFailed.get()).as("the walker's listings").isNull();
        assertThat(r.core.tree.listed.dropped()).as("drops in %d rounds", rounds).isPositive();
        assertThat(r.get("/victim/precious")).containsExactly(9);
      }
    }
  }
}
