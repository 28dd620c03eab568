package org.cairnfs.fs.mount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.cairnfs.fs.mount.MountCoreNamespaceTest.fails;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.cairnfs.caps.dirnode.EntryKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The edges of the namespace operations that the other tests pass by (the third measure of
 * {@code Namespace}, docs/testing.md): the mount root refused with its own errno, the checks of
 * rename's flags, symlink targets and device numbers, each change by path on a mount that has
 * listed nothing yet, the uploader woken by every change, the parent's times at mkdir, a move
 * across directories never out of both on the grid, a hidden name unlinked, a replaced file's
 * link count, and the group of a new leaf.
 */
class NamespaceEdgesTest {
  static final Caller U = CoreFixture.USER;
  static final Instant OLD = Instant.parse("2001-02-03T04:05:06Z");
  static final Duration HOUR = Duration.ofHours(1);
  @TempDir Path dir;

  static byte[] text(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** mkdir, symlink, mknod and create of the root are EEXIST, rmdir and rename of it EBUSY. */
  @Test
  void theMountRootIsRefusedWithItsOwnErrno() throws Exception {
    try (CoreFixture fx = new CoreFixture(dir)) {
      MountCore c = fx.core;
      fx.put("/f", text("f"));
      fails(FsError.EXISTS, () -> c.mkdir("/", 0755, U));
      fails(FsError.EXISTS, () -> c.symlink("t", "/", U));
      fails(FsError.EXISTS, () -> c.mknod("/", EntryKind.FIFO, 0644, 0, U));
      fails(FsError.EXISTS, () -> c.create("/", 0644, MountCore.O_CREAT | MountCore.O_WRONLY,
          U));
      assertThatThrownBy(() -> c.unlink("/")).isInstanceOf(FsException.class);
      fails(FsError.BUSY, () -> c.rmdir("/"));
      fails(FsError.BUSY, () -> c.rename("/", "/x", 0));
      fails(FsError.BUSY, () -> c.rename("/f", "/", 0));
      assertThat(fx.get("/f")).isEqualTo(text("f"));
      assertThat(c.readdir("/")).extracting(DirEntryInfo::name).containsExactly(".", "..", "f");
    }
  }

  /**
   * rename(2) knows RENAME_NOREPLACE and RENAME_EXCHANGE, not both at once, and no other flag
   * (RENAME_WHITEOUT, 4, included); an exchange needs a target.
   */
  @Test
  void renameRefusesUnknownFlagsAndAnExchangeWithNothing() throws Exception {
    try (CoreFixture fx = new CoreFixture(dir)) {
      MountCore c = fx.core;
      fx.put("/a", text("a"));
      fx.put("/b", text("b"));
      fails(FsError.INVALID, () -> c.rename("/a", "/c", 4));
      fails(FsError.INVALID, () -> c.rename("/a", "/c", 8));
      fails(FsError.INVALID, () -> c.rename("/a", "/b",
          MountCore.RENAME_NOREPLACE | MountCore.RENAME_EXCHANGE));
      fails(FsError.NOT_FOUND, () -> c.rename("/a", "/c", MountCore.RENAME_EXCHANGE));
      assertThat(c.readdir("/")).extracting(DirEntryInfo::name)
          .containsExactly(".", "..", "a", "b");
      assertThat(fx.get("/a")).isEqualTo(text("a"));
      c.rename("/a", "/c", MountCore.RENAME_NOREPLACE);
      assertThat(fx.get("/c")).isEqualTo(text("a"));
    }
  }

  /**
   * A symlink target is refused when empty (ENOENT, as symlink(2)), and when it holds NUL or
   * U+FFFD (bytes that are not UTF-8) anywhere, its first character included.
   */
  @Test
  void symlinkTargetsAreCheckedFromTheirFirstCharacter() throws Exception {
    try (CoreFixture fx = new CoreFixture(dir)) {
      MountCore c = fx.core;
      fails(FsError.NOT_FOUND, () -> c.symlink("", "/l", U));
      fails(FsError.INVALID, () -> c.symlink("\0t", "/l", U));
      fails(FsError.INVALID, () -> c.symlink("t\0", "/l", U));
      fails(FsError.INVALID, () -> c.symlink("\uFFFDt", "/l", U));
      fails(FsError.NOT_FOUND, () -> c.getattr("/l"));
      c.symlink("t", "/l", U);
      assertThat(c.readlink("/l")).isEqualTo("t");
    }
  }

  /** A device number is 0 to 2^32 - 1, both ends included. */
  @Test
  void mknodTakesDeviceNumbersOfThirtyTwoBitsBothEndsIncluded() throws Exception {
    try (CoreFixture fx = new CoreFixture(dir)) {
      MountCore c = fx.core;
      c.mknod("/zero", EntryKind.CHAR_DEVICE, 0600, 0, U);
      c.mknod("/top", EntryKind.BLOCK_DEVICE, 0600, 0xffff_ffffL, U);
      fails(FsError.INVALID, () -> c.mknod("/over", EntryKind.BLOCK_DEVICE, 0600,
          0x1_0000_0000L, U));
      fails(FsError.INVALID, () -> c.mknod("/neg", EntryKind.CHAR_DEVICE, 0600, -1, U));
      fails(FsError.INVALID, () -> c.mknod("/min", EntryKind.CHAR_DEVICE, 0600,
          Long.MIN_VALUE, U));
      assertThat(c.getattr("/zero").rdev()).isZero();
      assertThat(c.getattr("/top").rdev()).isEqualTo(0xffff_ffffL);
      assertThat(c.readdir("/")).extracting(DirEntryInfo::name)
          .containsExactly(".", "..", "top", "zero");
    }
  }

  /**
   * A symlink or device made in a directory without the setgid bit gets the caller's group,
   * not the directory's.
   */
  @Test
  void aLeafInAPlainDirectoryGetsTheCallersGroup() throws Exception {
    try (CoreFixture fx = new CoreFixture(dir)) {
      MountCore c = fx.core;
      Caller other = new Caller(1000, 77);
      assertThat(c.getattr("/").gid()).isEqualTo(1000);
      c.symlink("t", "/l", other);
      c.mknod("/p", EntryKind.FIFO, 0644, 0, other);
      assertThat(c.getattr("/l").gid()).isEqualTo(77);
      assertThat(c.getattr("/p").gid()).isEqualTo(77);
    }
  }

  /**
   * rmdir, unlink and rename by path on a mount that has listed nothing yet: each lists the
   * directories it needs (the root and the parents, rename's destination too) before it looks.
   */
  @Test
  void changesByPathListWhatTheyNeedOnAMountThatListedNothing() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    String root;
    try (CoreFixture fx = new CoreFixture(grid, null, dir.resolve("a"), b -> { })) {
      root = fx.rootCap;
      for (String d : List.of("/r", "/r/e", "/u", "/s", "/t")) {
        fx.core.mkdir(d, 0755, U);
      }
      fx.put("/u/f", text("f"));
      fx.put("/s/g", text("g"));
      fx.core.sync(Duration.ofSeconds(30));
    }
    try (CoreFixture fresh = new CoreFixture(grid, root, dir.resolve("b"), b -> { })) {
      MountCore c = fresh.core;
      c.rmdir("/r/e"); // nothing listed yet, the root included
      c.unlink("/u/f"); // /u not listed yet
      c.rename("/s/g", "/t/h", 0); // /t not listed yet
      c.sync(Duration.ofSeconds(30));
    }
    try (CoreFixture check = new CoreFixture(grid, root, dir.resolve("c"), b -> { })) {
      assertThat(NamespaceRulesTest.names(check.core, "/r")).isEmpty();
      assertThat(NamespaceRulesTest.names(check.core, "/u")).isEmpty();
      assertThat(NamespaceRulesTest.names(check.core, "/s")).isEmpty();
      assertThat(NamespaceRulesTest.names(check.core, "/t")).containsExactly("h");
      assertThat(check.get("/t/h")).isEqualTo(text("g"));
    }
  }

  /** A namespace change wakes the uploader: it reaches the grid with no close and no sync. */
  @Test
  void aNamespaceChangeWakesTheUploader() throws Exception {
    try (CoreFixture fx = new CoreFixture(MemoryGrid.inMemory(), null, dir, b -> { })) {
      fx.awaitFirstRound(); // only kicks wake the uploader now
      fx.core.mkdir("/d", 0755, U);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (!fx.grid.entries(fx.rootCap).containsKey("d") && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(fx.grid.entries(fx.rootCap)).as("the grid's root without a sync")
          .containsKey("d");
    }
  }

  /** mkdir sets its parent's mtime and ctime, and journals them: they outlive a crash. */
  @Test
  void mkdirTouchesItsParent() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    grid.failWith(GridException.Kind.UNREACHABLE); // nothing leaves before the crash
    AtomicReference<Instant> now = new AtomicReference<>(OLD);
    Instant later = OLD.plusSeconds(3600);
    try (CoreFixture fx = new CoreFixture(grid, null, dir, b -> b.clock(now::get))) {
      fx.core.mkdir("/p", 0755, U);
      assertThat(fx.core.getattr("/p").mtime()).isEqualTo(OLD);
      now.set(later);
      fx.core.mkdir("/p/q", 0755, U);
      assertThat(fx.core.getattr("/p").mtime()).isEqualTo(later);
      assertThat(fx.core.getattr("/p").ctime()).isEqualTo(later);
      fx.crashAndReopen();
      assertThat(fx.core.getattr("/p").mtime()).as("from the journal").isEqualTo(later);
      assertThat(fx.core.getattr("/p").ctime()).as("from the journal").isEqualTo(later);
      grid.heal(); // a close with the grid failing retries its drain for 30 s
      fx.core.sync(Duration.ofSeconds(30));
    }
  }

  /**
   * A file replaced by a rename is unlinked: an open handle of it sees nlink 0 and the
   * rename's time as its ctime, and the replaced file is not written back under the name.
   */
  @Test
  void aFileReplacedByARenameIsUnlinkedForItsOpenHandle() throws Exception {
    AtomicReference<Instant> now = new AtomicReference<>(OLD);
    Instant later = OLD.plusSeconds(3600);
    try (CoreFixture fx = new CoreFixture(MemoryGrid.inMemory(), null, dir,
        b -> b.clock(now::get))) {
      MountCore c = fx.core;
      fx.put("/a", text("A"));
      fx.put("/b", text("B"));
      long fh = c.open("/b", 0);
      assertThat(c.fgetattr(fh).nlink()).isEqualTo(1);
      now.set(later);
      c.rename("/a", "/b", 0);
      assertThat(c.fgetattr(fh).nlink()).isZero();
      assertThat(c.fgetattr(fh).ctime()).isEqualTo(later);
      c.release(fh);
      assertThat(fx.get("/b")).isEqualTo(text("A"));
    }
  }

  /**
   * A name under libfuse's hidden prefix that holds an unlinked file is unlinked as such (no
   * ENOENT), and a closed file so unlinked gives its spool pages back to the budget.
   */
  @Test
  void aHiddenNameIsUnlinkedAndItsClosedFileForgotten() throws Exception {
    try (CoreFixture fx = new CoreFixture(MemoryGrid.inMemory(), null, dir,
        b -> b.coalesceDelay(HOUR).coalesceLimit(HOUR))) {
      MountCore c = fx.core;
      WriteBack wb = c.writeBack();
      c.mkdir("/h", 0755, U);
      fx.put("/h/f", CoreFixture.bytes(100_000, 5));
      c.rename("/h/f", "/h/.fuse_hidden1", 0); // closed, yet hidden: unlinked, kept by name
      assertThat(NamespaceRulesTest.names(c, "/h")).isEmpty();
      assertThat(wb.budget.used()).as("hidden, not yet unlinked").isPositive();
      c.unlink("/h/.fuse_hidden1");
      assertThat(wb.budget.used()).as("after the hidden name's unlink").isZero();
      fails(FsError.NOT_FOUND, () -> c.getattr("/h/.fuse_hidden1"));
      fails(FsError.NOT_FOUND, () -> c.unlink("/h/.fuse_hidden1"));
    }
  }

  /**
   * A closed file not yet uploaded gives its spool pages back at its unlink, and a file
   * replaced by a rename likewise, with uploads held off (a coalesce delay of an hour) so that
   * no upload can give them back first.
   */
  @Test
  void aClosedFileIsForgottenAtItsUnlinkOrReplacementWithUploadsHeldOff() throws Exception {
    try (CoreFixture fx = new CoreFixture(MemoryGrid.inMemory(), null, dir,
        b -> b.coalesceDelay(HOUR).coalesceLimit(HOUR))) {
      WriteBack wb = fx.core.writeBack();
      fx.put("/gone", CoreFixture.bytes(100_000, 2));
      assertThat(wb.budget.used()).as("closed, not uploaded").isPositive();
      fx.core.unlink("/gone");
      assertThat(wb.budget.used()).as("after the unlink").isZero();

      fx.put("/old", CoreFixture.bytes(100_000, 3));
      fx.put("/new", new byte[] {1});
      long both = wb.budget.used();
      fx.core.rename("/new", "/old", 0);
      assertThat(wb.budget.used()).as("the replaced file's pages").isLessThan(both)
          .isPositive();
      assertThat(fx.get("/old")).containsExactly(1);
    }
  }

  /**
   * A move across directories is journaled as a move out of its source: the uploader puts the
   * new name on the grid before it takes the old one away, so that at no moment between two
   * publishes the entry is in neither directory. Two moves, one each way, in one round, so that
   * whichever directory goes first, a removal published before its add would show.
   */
  @Test
  void aMoveAcrossDirectoriesIsNeverInNeitherOnTheGrid() throws Exception {
    MemoryGrid memory = MemoryGrid.inMemory();
    GatedGrid grid = new GatedGrid(memory);
    String root = memory.newRoot();
    List<String> lost = Collections.synchronizedList(new ArrayList<>());
    try (CoreFixture fx = new CoreFixture(grid, root, dir,
        b -> b.coalesceDelay(HOUR).coalesceLimit(HOUR))) {
      MountCore c = fx.core;
      c.mkdir("/a", 0755, U);
      c.mkdir("/b", 0755, U);
      fx.put("/a/f", text("F"));
      fx.put("/b/g", text("G"));
      c.sync(Duration.ofSeconds(30));
      String a = memory.entries(root).get("a").cap().orElseThrow();
      String b = memory.entries(root).get("b").cap().orElseThrow();
      grid.afterEachPublish = () -> {
        Map<String, RemoteEntry> inA = memory.entries(a);
        Map<String, RemoteEntry> inB = memory.entries(b);
        for (String n : List.of("f", "g")) {
          if (!inA.containsKey(n) && !inB.containsKey(n)) {
            lost.add(n);
          }
        }
      };
      c.rename("/a/f", "/b/f", 0);
      c.rename("/b/g", "/a/g", 0);
      c.sync(Duration.ofSeconds(30));
      assertThat(memory.entries(a)).containsOnlyKeys("g");
      assertThat(memory.entries(b)).containsOnlyKeys("f");
      assertThat(lost).as("entries in neither directory after a publish").isEmpty();
    }
  }

  /**
   * A file's cap waits for its upload at most three times: a writer that closes the file anew
   * during each of the first two waits leaves it without a cap after the third, and the answer
   * is EIO even though the third wait left the file uploaded (a fourth look would find it).
   */
  @Test
  void aFilesCapWaitsForItsUploadThreeTimesAtMost() throws Exception {
    MemoryGrid memory = MemoryGrid.inMemory();
    GatedGrid grid = new GatedGrid(memory);
    try (CoreFixture fx = new CoreFixture(grid, memory.newRoot(), dir,
        b -> b.coalesceDelay(HOUR).coalesceLimit(HOUR))) { // rounds only when asked for
      long fh = fx.create("/f");
      fx.core.write(fh, java.nio.ByteBuffer.wrap(new byte[100_000]), 0); // over inline: uploaded
      fx.core.flush(fh);
      java.util.concurrent.atomic.AtomicInteger publishes =
          new java.util.concurrent.atomic.AtomicInteger();
      grid.afterEachPublish = () -> {
        if (publishes.incrementAndGet() <= 2) { // a new close before the next look
          try {
            fx.core.write(fh, java.nio.ByteBuffer.wrap(new byte[] {(byte) publishes.get()}), 0);
            fx.core.flush(fh);
          } catch (FsException e) {
            throw new IllegalStateException(e);
          }
        }
      };
      fails(FsError.IO, () -> fx.core.getxattr("/f", MountCore.READCAP));
      assertThat(publishes.get()).as("one publish per wait").isEqualTo(3);
      grid.afterEachPublish = null;
      fx.core.release(fh);
      assertThat(fx.core.getxattr("/f", MountCore.READCAP)).as("uploaded now").isNotEmpty();
    }
  }
}
