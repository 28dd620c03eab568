package org.cairnfs.fs.mount;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two clients that make one name at once, each seeing it free (a listing younger than the
 * TTL): the one whose entry reaches the grid second moves its own to {@code NAME.conflict-N},
 * so neither replaces the other's file or subtree ({@link TakenNames}).
 */
class MountCoreTakenNamesTest {
  static final Caller U = CoreFixture.USER;
  static final Duration LONG_TTL = Duration.ofMinutes(5); // b never relists /d by itself
  @TempDir
  Path dir;

  @Test
  void twoClientsMakingOneNameBothKeepTheirEntries() throws Exception {
    try (TwoClients two = TwoClients.sharingD(dir, LONG_TTL)) {
      CoreFixture a = two.a();
      CoreFixture b = two.b();
      a.core.mkdir("/d/x", 0755, U);
      a.put("/d/x/fromA", new byte[] {1});
      a.put("/d/f", new byte[] {3});
      a.core.sync(Duration.ofSeconds(10));
      b.core.mkdir("/d/x", 0755, U); // b's listing of /d is older than a's entries
      b.put("/d/x/fromB", new byte[] {2});
      b.put("/d/f", new byte[] {4, 4});
      b.core.sync(Duration.ofSeconds(10));

      assertThat(names(b, "/d")).containsExactlyInAnyOrder("x", "x.conflict-1", "f",
          "f.conflict-1");
      assertThat(b.get("/d/x.conflict-1/fromB")).containsExactly(2);
      assertThat(b.get("/d/f.conflict-1")).containsExactly(4, 4);
      assertThat(b.get("/d/x/fromA")).containsExactly(1);
      assertThat(b.get("/d/f")).containsExactly(3);

      try (CoreFixture c = new CoreFixture(a.grid, a.rootCap, dir.resolve("c"), x -> { })) {
        assertThat(names(c, "/d")).as("on the grid")
            .containsExactlyInAnyOrder("x", "x.conflict-1", "f", "f.conflict-1");
        assertThat(names(c, "/d/x")).containsExactly("fromA");
        assertThat(names(c, "/d/x.conflict-1")).containsExactly("fromB");
        assertThat(c.get("/d/f")).containsExactly(3);
        assertThat(c.get("/d/f.conflict-1")).containsExactly(4, 4);
      }
    }
  }

  /** The move aside is journaled: a crash right after it still publishes the new name. */
  @Test
  void aTakenNameMovedAsideSurvivesACrashAndItsFileKeepsChanging() throws Exception {
    try (TwoClients two = TwoClients.sharingD(dir, LONG_TTL)) {
      CoreFixture a = two.a();
      CoreFixture b = two.b();
      a.put("/d/f", new byte[] {3});
      a.core.sync(Duration.ofSeconds(10));
      long fh = b.create("/d/f");
      b.core.write(fh, java.nio.ByteBuffer.wrap(new byte[] {5}), 0);
      b.core.flush(fh);
      b.core.sync(Duration.ofSeconds(10));
      assertThat(names(b, "/d")).containsExactlyInAnyOrder("f", "f.conflict-1");
      // still open under its new name: a write and a close reach the conflict name
      b.core.write(fh, java.nio.ByteBuffer.wrap(new byte[] {6}), 1);
      b.core.flush(fh);
      b.core.release(fh);
      b.crashAndReopen();
      b.core.sync(Duration.ofSeconds(10));
      try (CoreFixture c = new CoreFixture(a.grid, a.rootCap, dir.resolve("c"), x -> { })) {
        assertThat(c.get("/d/f")).containsExactly(3);
        assertThat(c.get("/d/f.conflict-1")).containsExactly(5, 6);
        assertThat(names(c, "/d")).containsExactlyInAnyOrder("f", "f.conflict-1");
      }
    }
  }

  /**
   * A name made, published and then changed here is no create any more (the grid has this
   * mount's entry): its later changes replace it as before, never as a conflict.
   */
  @Test
  void aNameThisMountPublishedIsReplacedNotTakenAgain() throws Exception {
    try (TwoClients two = TwoClients.sharingD(dir, LONG_TTL)) {
      CoreFixture b = two.b();
      b.put("/d/f", new byte[] {1});
      b.core.mkdir("/d/s", 0755, U);
      b.core.sync(Duration.ofSeconds(10));
      b.put("/d/f", new byte[] {2});
      b.core.rename("/d/s", "/d/t", 0);
      b.core.mkdir("/d/s", 0755, U);
      b.core.sync(Duration.ofSeconds(10));
      b.crashAndReopen();
      b.core.sync(Duration.ofSeconds(10));
      try (CoreFixture c = new CoreFixture(two.a().grid, two.a().rootCap, dir.resolve("c"),
          x -> { })) {
        assertThat(names(c, "/d")).containsExactlyInAnyOrder("f", "s", "t");
        assertThat(c.get("/d/f")).containsExactly(2);
      }
    }
  }

  @Test
  void conflictNamesAreFreeAndFitInAName() throws Exception {
    DirNode d = new DirNode(1, new DirRef.Local(1), true, false, 0755, 0, 0,
        java.time.Instant.EPOCH, java.time.Instant.EPOCH);
    d.children = new java.util.TreeMap<>();
    d.children.put("a.conflict-1", d);
    assertThat(TakenNames.conflictName(d, "a")).isEqualTo("a.conflict-2");
    String longName = "é".repeat(127); // 254 bytes
    String moved = TakenNames.conflictName(d, longName);
    assertThat(moved.getBytes(java.nio.charset.StandardCharsets.UTF_8)).hasSizeLessThan(256);
    assertThat(moved).endsWith(".conflict-1").startsWith("é".repeat(121));
  }

  private static List<String> names(CoreFixture fx, String path) throws FsException {
    return fx.core.readdir(path).stream().map(DirEntryInfo::name)
        .filter(n -> !n.equals(".") && !n.equals("..")).toList();
  }
}
