package org.cairnfs.fs.mount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.cairnfs.fs.mount.MountCoreNamespaceTest.fails;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.cairnfs.caps.Cap;
import org.cairnfs.caps.dirnode.EntryKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The namespace's rules where the mount-core tests left them unpinned (found by PIT): every
 * metadata change kept by the journal across a crash and then by the grid, the parent's times
 * each change touches, read-only subdirectories inside a read-write mount, access(2), chown's
 * permission and mode rules, and setgid directories handing down their group.
 */
class NamespaceRulesTest {
  static final Caller U = CoreFixture.USER;
  static final Caller GROUP_MATE = new Caller(2000, 1000);
  static final Caller OTHER = new Caller(3000, 3000);
  static final Caller ROOT = new Caller(0, 0);
  static final Instant OLD = Instant.parse("2001-02-03T04:05:06Z");
  @TempDir Path dir;

  static byte[] text(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static List<String> names(MountCore core, String path) throws FsException {
    return core.readdir(path).stream().map(DirEntryInfo::name)
        .filter(n -> !n.equals(".") && !n.equals("..")).toList();
  }

  @Test
  void everyNamespaceChangeSurvivesACrashBeforeAnyUploadAndThenComesFromTheGrid()
      throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    grid.failWith(GridException.Kind.UNREACHABLE); // nothing leaves before the crash
    String root;
    try (CoreFixture fx = new CoreFixture(grid, null, dir.resolve("first"), b -> { })) {
      root = fx.rootCap;
      MountCore c = fx.core;
      for (String d : List.of("/r", "/u", "/s", "/t", "/l", "/m")) {
        c.mkdir(d, 0755, U);
      }
      c.mkdir("/r/gone", 0755, U);
      fx.put("/u/f", text("unlinked"));
      fx.put("/s/f", text("new"));
      fx.put("/t/f", text("old"));
      c.mkdir("/s/sub", 0755, U);
      fx.put("/s/sub/inner", text("inner"));
      fx.put("/m/f", text("meta"));
      for (String d : List.of("/r", "/u", "/s", "/t", "/l")) {
        c.utimens(d, TimeSpec.OMIT, TimeSpec.at(OLD));
      }
      c.rmdir("/r/gone");
      c.unlink("/u/f");
      c.rename("/s/f", "/t/f", 0); // over an existing file, across directories
      c.rename("/s/sub", "/t/sub", 0); // a directory, across directories
      c.symlink("target", "/l/link", U);
      c.setxattr("/m/f", "user.k", text("v"), 0);
      c.truncate("/m/f", 2);
      c.utimens("/m/f", TimeSpec.OMIT, TimeSpec.at(OLD));
      assertThat(grid.publishCount()).isZero();

      fx.crashAndReopen();
      assertChanged(fx, "from the journal");
      grid.heal();
      fx.core.sync(Duration.ofSeconds(30));
    }
    try (CoreFixture fresh = new CoreFixture(grid, root, dir.resolve("fresh"), b -> { })) {
      assertChanged(fresh, "from the grid");
    }
  }

  private static void assertChanged(CoreFixture fx, String from) throws Exception {
    MountCore c = fx.core;
    assertThat(names(c, "/r")).as(from).isEmpty();
    assertThat(names(c, "/u")).as(from).isEmpty();
    assertThat(names(c, "/s")).as(from).isEmpty();
    assertThat(names(c, "/t")).as(from).containsExactly("f", "sub");
    assertThat(fx.get("/t/f")).as(from).isEqualTo(text("new"));
    assertThat(fx.get("/t/sub/inner")).as(from).isEqualTo(text("inner"));
    assertThat(c.readlink("/l/link")).as(from).isEqualTo("target");
    for (String d : List.of("/r", "/u", "/s", "/t", "/l")) {
      // each removal, rename and symlink touched its directories after they were set to OLD
      assertThat(c.getattr(d).mtime()).as("%s mtime %s", d, from).isAfter(OLD.plusSeconds(60));
      assertThat(c.getattr(d).ctime()).as("%s ctime %s", d, from).isAfter(OLD.plusSeconds(60));
    }
    assertThat(fx.get("/m/f")).as(from).isEqualTo(text("me"));
    assertThat(c.getattr("/m/f").mtime()).as(from).isEqualTo(OLD);
    assertThat(c.getxattr("/m/f", "user.k")).as(from).isEqualTo(text("v"));
  }

  /** A rw root holding "src" (linked by its write cap) and "ro", the same directory by its read cap. */
  private String rootWithAReadOnlySubdirectory(MemoryGrid grid) throws Exception {
    String root = grid.newRoot();
    try (CoreFixture w = new CoreFixture(grid, root, dir.resolve("writer"), b -> { })) {
      w.core.mkdir("/src", 0755, U);
      w.put("/src/f", text("shared"));
      w.core.mkdir("/src/d", 0755, U);
      w.core.sync(Duration.ofSeconds(10));
    }
    String src = grid.entries(root).get("src").cap().orElseThrow();
    grid.applyChanges(root, List.of(new EntryChange.Put("ro",
        Optional.of(Cap.parse(src).readOnly().toString()),
        NodeMetadata.of(EntryKind.DIRECTORY, 0, 0755, OLD, OLD)))).get();
    return root;
  }

  @Test
  void aGridNameHoldingUfffdStaysReachableThoughNoSuchNameIsMadeHere() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    String root = grid.newRoot();
    String odd = "caf\uFFFD"; // made by another client, or by a mount without a UTF-8 locale
    try (CoreFixture w = new CoreFixture(grid, root, dir.resolve("writer"), b -> { })) {
      w.put("/src", text("bytes"));
      w.core.sync(Duration.ofSeconds(10));
    }
    Optional<String> cap = grid.entries(root).get("src").cap();
    grid.applyChanges(root, List.of(
        new EntryChange.Put(odd, cap, NodeMetadata.of(EntryKind.FILE, 5, 0644, OLD, OLD)),
        new EntryChange.Put("gone\uFFFD", cap,
            NodeMetadata.of(EntryKind.FILE, 5, 0644, OLD, OLD)))).get();
    try (CoreFixture fx = new CoreFixture(grid, root, dir.resolve("mount"), b -> { })) {
      MountCore c = fx.core;
      assertThat(fx.get("/" + odd)).isEqualTo(text("bytes"));
      fails(FsError.INVALID, () -> c.rename("/src", "/x\uFFFD", 0));
      fails(FsError.INVALID, () -> fx.put("/y\uFFFD", text("new")));
      c.rename("/" + odd, "/cafe", 0);
      assertThat(fx.get("/cafe")).isEqualTo(text("bytes"));
      c.unlink("/gone\uFFFD");
      fails(FsError.NOT_FOUND, () -> c.getattr("/gone\uFFFD"));
    }
  }

  @Test
  void aReadOnlySubdirectoryOfAWritableMountRefusesEveryChangeThroughIt() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    String root = rootWithAReadOnlySubdirectory(grid);
    try (CoreFixture fx = new CoreFixture(grid, root, dir.resolve("mount"), b -> { })) {
      MountCore c = fx.core;
      assertThat(c.readOnly()).isFalse();
      fx.put("/mine", text("mine"));
      fails(FsError.READ_ONLY, () -> c.rename("/ro/f", "/taken", 0)); // out of it
      fails(FsError.READ_ONLY, () -> c.rename("/mine", "/ro/mine", 0)); // into it
      fails(FsError.READ_ONLY, () -> c.rename("/ro/d", "/d2", 0));
      // libfuse's unlink of an open file is a rename to a hidden name: refused here as well
      fails(FsError.READ_ONLY, () -> c.rename("/ro/f", "/ro/.fuse_hidden0001", 0));
      fails(FsError.READ_ONLY, () -> c.rmdir("/ro/d"));
      fails(FsError.READ_ONLY, () -> c.unlink("/ro/f"));
      fails(FsError.READ_ONLY, () -> c.create("/ro/f", 0644, MountCore.O_WRONLY, U));
      fails(FsError.READ_ONLY, () -> c.create("/ro/f", 0644, MountCore.O_TRUNC, U));
      fails(FsError.READ_ONLY, () -> c.access("/ro/f", 2, U));
      fails(FsError.READ_ONLY, () -> c.access("/ro", 2, U));
      fails(FsError.NO_ATTRIBUTE, () -> c.getxattr("/ro/f", MountCore.WRITECAP));
      fails(FsError.NO_ATTRIBUTE, () -> c.getxattr("/ro", MountCore.WRITECAP));
      c.release(c.create("/ro/f", 0644, 0, U)); // opening it for reading is fine
      c.access("/ro/f", 4, U);
      c.access("/mine", 2, U);
      assertThat(c.listxattr("/ro")).contains(MountCore.READCAP)
          .doesNotContain(MountCore.WRITECAP);
      assertThat(c.listxattr("/src")).contains(MountCore.READCAP) // the write cap by name only
          .doesNotContain(MountCore.WRITECAP);
      assertThat(c.listxattr("/src/f")).contains(MountCore.READCAP)
          .doesNotContain(MountCore.WRITECAP);
      assertThat(Cap.parse(new String(c.getxattr("/src", MountCore.WRITECAP),
          StandardCharsets.US_ASCII)).readOnly().toString())
          .isEqualTo(new String(c.getxattr("/ro", MountCore.READCAP), StandardCharsets.US_ASCII));
      assertThat(c.getxattr("/src/f", MountCore.READCAP))
          .isEqualTo(c.getxattr("/ro/f", MountCore.READCAP));
      assertThat(names(c, "/")).containsExactly("mine", "ro", "src");
      assertThat(names(c, "/ro")).containsExactly("d", "f");
      assertThat(fx.get("/ro/f")).isEqualTo(text("shared"));
    }
  }

  @Test
  void createOfAnExistingFileTruncatesOnlyWithOTrunc() throws Exception {
    try (CoreFixture fx = new CoreFixture(dir)) {
      MountCore c = fx.core;
      fx.put("/f", text("kept"));
      c.release(c.create("/f", 0644, MountCore.O_WRONLY, U));
      assertThat(fx.get("/f")).isEqualTo(text("kept"));
      c.release(c.create("/f", 0644, MountCore.O_WRONLY | MountCore.O_TRUNC, U));
      assertThat(fx.get("/f")).isEmpty();
    }
  }

  @Test
  void accessChecksTheOwnerGroupOrOtherBitsAndRootNeedsAnExecuteBit() throws Exception {
    try (CoreFixture fx = new CoreFixture(dir)) {
      MountCore c = fx.core;
      fx.put("/f", text("x"));
      c.chmod("/f", 0640);
      c.access("/f", 4 | 2, U);
      c.access("/f", 0, OTHER);
      fails(FsError.ACCESS_DENIED, () -> c.access("/f", 1, U));
      c.access("/f", 4, GROUP_MATE);
      fails(FsError.ACCESS_DENIED, () -> c.access("/f", 2, GROUP_MATE));
      fails(FsError.ACCESS_DENIED, () -> c.access("/f", 4, OTHER));
      c.chmod("/f", 0604); // the group's own bits count for it, not the others'
      c.access("/f", 4, OTHER);
      fails(FsError.ACCESS_DENIED, () -> c.access("/f", 4, GROUP_MATE));
      c.chmod("/f", 0);
      c.access("/f", 4 | 2, ROOT);
      fails(FsError.ACCESS_DENIED, () -> c.access("/f", 1, ROOT));
      c.chmod("/f", 0010);
      c.access("/f", 1, ROOT);
      c.mkdir("/d", 0, U);
      c.access("/d", 1 | 4, ROOT);
      fails(FsError.ACCESS_DENIED, () -> c.access("/d", 1, U));
    }
  }

  @Test
  void chownGivesAwayOnlyAsRootAndClearsSetIdBitsOfFilesAsPosixSays() throws Exception {
    try (CoreFixture fx = new CoreFixture(dir)) {
      MountCore c = fx.core;
      fx.put("/g", text("x"));
      c.chmod("/g", 06755);
      fails(FsError.NOT_PERMITTED, () -> c.chown("/g", 2000, -1, U));
      fails(FsError.NOT_PERMITTED, () -> c.chown("/g", -1, 1000, GROUP_MATE));
      c.chown("/g", -1, -1, GROUP_MATE); // asks for no change: allowed
      c.chown("/g", 1000, 1000, U); // to what it is: nothing changes, the bits stay
      assertThat(c.getattr("/g").mode()).isEqualTo(06755);
      c.chown("/g", -1, 50, U); // the owner may change the group
      StatInfo st = c.getattr("/g");
      assertThat(st.gid()).isEqualTo(50);
      assertThat(st.uid()).isEqualTo(1000);
      assertThat(st.mode()).isEqualTo(0755); // setuid cleared; setgid too, the group may execute
      c.chmod("/g", 06745);
      c.chown("/g", -1, 60, U);
      assertThat(c.getattr("/g").mode()).isEqualTo(02745); // no group execute: setgid is locking
      c.chown("/g", 2000, 70, ROOT);
      assertThat(c.getattr("/g").uid()).isEqualTo(2000);
      assertThat(c.getattr("/g").gid()).isEqualTo(70);
      c.mkdir("/dd", 06755, U);
      c.chown("/dd", -1, 50, U);
      assertThat(c.getattr("/dd").mode()).isEqualTo(06755); // a directory keeps its bits
    }
  }

  @Test
  void aSetgidDirectoryHandsItsGroupToNewFilesDirectoriesAndSymlinks() throws Exception {
    try (CoreFixture fx = new CoreFixture(dir)) {
      MountCore c = fx.core;
      c.mkdir("/sg", 0775, U);
      c.chown("/sg", -1, 50, U);
      c.chmod("/sg", 02775);
      c.symlink("t", "/sg/l", U);
      fx.put("/sg/f", text("x"));
      c.mkdir("/sg/sub", 0755, U);
      assertThat(c.getattr("/sg/l").gid()).isEqualTo(50);
      assertThat(c.getattr("/sg/f").gid()).isEqualTo(50);
      assertThat(c.getattr("/sg/sub").gid()).isEqualTo(50);
      assertThat(c.getattr("/sg/sub").mode()).isEqualTo(02755);
      c.symlink("t", "/l", U);
      fx.put("/f", text("x"));
      c.mkdir("/plain", 0755, U);
      assertThat(c.getattr("/l").gid()).isEqualTo(1000);
      assertThat(c.getattr("/f").gid()).isEqualTo(1000);
      assertThat(c.getattr("/plain").gid()).isEqualTo(1000);
      assertThat(c.getattr("/plain").mode()).isEqualTo(0755);
    }
  }

  /**
   * RENAME_EXCHANGE across directories: both entries journaled (the target's at its new place
   * too), both directories' times and both nodes' ctimes set, in memory, after a crash before
   * any upload and then from the grid.
   */
  @Test
  void anExchangeAcrossDirectoriesIsJournaledOnBothSidesAndTouchesBoth() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    grid.failWith(GridException.Kind.UNREACHABLE); // nothing leaves before the crash
    AtomicReference<Instant> now = new AtomicReference<>(OLD);
    Instant later = OLD.plusSeconds(3600);
    String root;
    try (CoreFixture fx = new CoreFixture(grid, null, dir.resolve("first"),
        b -> b.clock(now::get))) {
      root = fx.rootCap;
      MountCore c = fx.core;
      c.mkdir("/a", 0755, U);
      c.mkdir("/b", 0755, U);
      fx.put("/a/x", text("X"));
      fx.put("/b/y", text("Y"));
      now.set(later);
      c.rename("/a/x", "/b/y", MountCore.RENAME_EXCHANGE);
      assertExchanged(fx, later, "in memory");
      fx.crashAndReopen();
      assertExchanged(fx, later, "from the journal");
      grid.heal();
      fx.core.sync(Duration.ofSeconds(30));
    }
    try (CoreFixture fresh = new CoreFixture(grid, root, dir.resolve("fresh"), b -> { })) {
      assertExchanged(fresh, later, "from the grid");
    }
  }

  private static void assertExchanged(CoreFixture fx, Instant later, String from)
      throws Exception {
    MountCore c = fx.core;
    assertThat(names(c, "/a")).as(from).containsExactly("x");
    assertThat(names(c, "/b")).as(from).containsExactly("y");
    assertThat(fx.get("/a/x")).as(from).isEqualTo(text("Y"));
    assertThat(fx.get("/b/y")).as(from).isEqualTo(text("X"));
    for (String p : List.of("/a", "/b")) {
      assertThat(c.getattr(p).mtime()).as("%s mtime %s", p, from).isEqualTo(later);
      assertThat(c.getattr(p).ctime()).as("%s ctime %s", p, from).isEqualTo(later);
    }
    for (String p : List.of("/a/x", "/b/y")) {
      assertThat(c.getattr(p).ctime()).as("%s ctime %s", p, from).isEqualTo(later);
    }
  }

  @Test
  void anExchangeNeverPutsADirectoryInsideItself() throws Exception {
    try (CoreFixture fx = new CoreFixture(dir)) {
      MountCore c = fx.core;
      c.mkdir("/d", 0755, U);
      c.mkdir("/d/sub", 0755, U);
      fx.put("/d/sub/f", text("f"));
      c.mkdir("/e", 0755, U);
      // the target, a directory, holds the source: /d would land in /d/sub
      fails(FsError.INVALID, () -> c.rename("/d/sub/f", "/d", MountCore.RENAME_EXCHANGE));
      // the source holds the target
      fails(FsError.INVALID, () -> c.rename("/d", "/d/sub/f", MountCore.RENAME_EXCHANGE));
      assertThat(names(c, "/d/sub")).containsExactly("f");
      assertThat(names(c, "/")).containsExactly("d", "e");
      c.rename("/d/sub/f", "/e", MountCore.RENAME_EXCHANGE); // a directory elsewhere: fine
      assertThat(fx.get("/e")).isEqualTo(text("f"));
      assertThat(c.getattr("/d/sub/f").kind()).isEqualTo(EntryKind.DIRECTORY);
    }
  }

  /**
   * libfuse unlinks an open file by renaming it to {@code .fuse_hidden*}: the entry is removed
   * and journaled as removed, the directory's times set, the node reachable by the hidden name
   * only, unlinked (nlink 0) and its ctime set. A directory, or a hidden name already taken, is
   * renamed as any other name.
   */
  @Test
  void aRenameToAHiddenNameUnlinksAnOpenFileAndJournalsTheRemoval() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    grid.failWith(GridException.Kind.UNREACHABLE); // nothing leaves before the crash
    AtomicReference<Instant> now = new AtomicReference<>(OLD);
    Instant later = OLD.plusSeconds(3600);
    try (CoreFixture fx = new CoreFixture(grid, null, dir.resolve("m"),
        b -> b.clock(now::get))) {
      MountCore c = fx.core;
      c.mkdir("/h", 0755, U);
      fx.put("/h/f", text("F"));
      fx.put("/h/g", text("G"));
      fx.put("/h/.fuse_hidden2", text("taken"));
      c.mkdir("/h/dd", 0755, U);
      long fh = c.open("/h/f", 0);
      now.set(later);
      c.rename("/h/f", "/h/.fuse_hidden1", 0);
      assertThat(names(c, "/h")).containsExactly(".fuse_hidden2", "dd", "g");
      fails(FsError.NOT_FOUND, () -> c.getattr("/h/f"));
      StatInfo hidden = c.getattr("/h/.fuse_hidden1");
      assertThat(hidden.ctime()).isEqualTo(later);
      assertThat(hidden.nlink()).isZero();
      assertThat(c.fgetattr(fh).nlink()).isZero();
      assertThat(fx.get("/h/.fuse_hidden1")).isEqualTo(text("F"));
      assertThat(c.getattr("/h").mtime()).isEqualTo(later);
      assertThat(c.getattr("/h").ctime()).isEqualTo(later);

      fx.crashAndReopen();
      MountCore r = fx.core;
      assertThat(names(r, "/h")).containsExactly(".fuse_hidden2", "dd", "g");
      fails(FsError.NOT_FOUND, () -> r.getattr("/h/f"));
      assertThat(r.getattr("/h").mtime()).isEqualTo(later);
      assertThat(r.getattr("/h").ctime()).isEqualTo(later);

      r.rename("/h/dd", "/h/.fuse_hiddenD", 0); // a directory: listed under its new name
      r.rename("/h/g", "/h/.fuse_hidden2", 0); // over a listed entry: replaces it
      assertThat(names(r, "/h")).containsExactly(".fuse_hidden2", ".fuse_hiddenD");
      assertThat(fx.get("/h/.fuse_hidden2")).isEqualTo(text("G"));
      assertThat(r.getattr("/h/.fuse_hidden2").nlink()).isEqualTo(1);
      grid.heal(); // so the close drains at once instead of retrying its 30 s
    }
  }
}
