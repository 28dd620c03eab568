package org.cairnfs.fs.mount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Directory listings past their TTL: a lookup is served from the listing it has while one
 * background listing refreshes it (a git clone probes missing names by the thousand), and
 * another client's change still shows within the TTL plus a listing.
 */
class MountCoreListingTest {
  static final Caller U = CoreFixture.USER;
  @TempDir
  Path dir;

  /**
   * A clone-like run: a directory per ten files, every file preceded by probes of missing
   * names, for many TTLs, over a grid that takes 20 ms a call. Only the first listing of a
   * directory (here: none, they are made locally, and the root's) may make a lookup wait.
   */
  @Test
  void lookupsPastTheTtlDoNotWaitForTheGrid() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    try (CoreFixture fx = new CoreFixture(grid, null, dir.resolve("c"),
        b -> b.directoryTtl(Duration.ofMillis(50)))) {
      MountCore core = fx.core;
      core.readdir("/");
      grid.delay(Duration.ofMillis(20));
      long waitedBefore = core.tree.waitedListings.get();
      long start = System.nanoTime();
      for (int d = 0; d < 8; d++) {
        core.mkdir("/d" + d, 0755, U);
        for (int f = 0; f < 10; f++) {
          String p = "/d" + d + "/f" + f;
          for (String probe : new String[] {p + ".lock", "/d" + d + "/missing", p}) {
            assertThatThrownBy(() -> core.getattr(probe)).isInstanceOf(FsException.class);
          }
          fx.put(p, new byte[] {(byte) f});
          core.getattr("/d0/f0"); // an older directory, long past its TTL by now
        }
        core.sync(Duration.ofSeconds(30)); // the directories are on the grid: listable
      }
      long waited = core.tree.waitedListings.get() - waitedBefore;
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      System.out.printf("clone-like run: %d lookups waited for a listing, %d ms%n", waited,
          took.toMillis());
      assertThat(waited).as("lookups that waited for a grid listing").isLessThanOrEqualTo(2);
    }
  }

  @Test
  void anotherClientsChangeShowsWithinTheTtlPlusAListing() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    try (CoreFixture a = new CoreFixture(grid, null, dir.resolve("a"),
        b -> b.directoryTtl(Duration.ofMillis(300)));
        CoreFixture b = new CoreFixture(grid, a.rootCap, dir.resolve("b"),
            x -> x.directoryTtl(Duration.ofMillis(300)))) {
      a.core.mkdir("/d", 0755, U);
      a.core.sync(Duration.ofSeconds(10));
      assertThat(b.core.readdir("/d")).hasSize(2);
      a.put("/d/new", new byte[] {5});
      a.core.sync(Duration.ofSeconds(10));
      long start = System.nanoTime();
      while (true) {
        try {
          assertThat(b.get("/d/new")).containsExactly(5);
          break;
        } catch (FsException notYet) {
          assertThat(Duration.ofNanos(System.nanoTime() - start))
              .as("visible within TTL + a listing").isLessThan(Duration.ofSeconds(2));
          Thread.sleep(20);
        }
      }
      // and a removal
      a.core.unlink("/d/new");
      a.core.sync(Duration.ofSeconds(10));
      start = System.nanoTime();
      while (b.core.readdir("/d").size() != 2) {
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
        Thread.sleep(20);
      }
    }
  }
}
