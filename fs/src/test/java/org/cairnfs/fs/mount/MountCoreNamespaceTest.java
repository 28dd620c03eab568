package org.cairnfs.fs.mount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.cairnfs.caps.Cap;
import org.cairnfs.caps.dirnode.EntryKind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MountCoreNamespaceTest {
  static final Caller U = CoreFixture.USER;
  @TempDir
  Path dir;
  CoreFixture fx;
  MountCore core;

  @BeforeEach
  void open() throws Exception {
    fx = new CoreFixture(dir);
    core = fx.core;
  }

  @AfterEach
  void close() throws Exception {
    fx.close();
  }

  static void fails(FsError err, ThrowingCallable call) {
    assertThatThrownBy(call).isInstanceOf(FsException.class)
        .extracting(e -> ((FsException) e).error()).isEqualTo(err);
  }

  @Test
  void mkdirAndRmdirWithTheirErrors() throws Exception {
    core.mkdir("/d", 0750, U);
    StatInfo st = core.getattr("/d");
    assertThat(st.mode()).isEqualTo(0750);
    assertThat(st.nlink()).isEqualTo(2);
    assertThat(core.getattr("/").nlink()).isEqualTo(3);
    fails(FsError.EXISTS, () -> core.mkdir("/d", 0755, U));
    fails(FsError.NOT_FOUND, () -> core.mkdir("/x/y", 0755, U));
    fx.put("/f", new byte[1]);
    fails(FsError.NOT_DIRECTORY, () -> core.mkdir("/f/y", 0755, U));
    fails(FsError.NAME_TOO_LONG, () -> core.mkdir("/" + "n".repeat(256), 0755, U));
    core.mkdir("/" + "n".repeat(255), 0755, U);
    // bytes that are not UTF-8 reach the core as U+FFFD: refused, never two names made one
    fails(FsError.INVALID, () -> core.mkdir("/a\uFFFDb", 0755, U));
    fails(FsError.INVALID, () -> core.create("/\uFFFD", 0644, MountCore.O_CREAT
        | MountCore.O_WRONLY, U));
    fails(FsError.INVALID, () -> core.symlink("x\uFFFD", "/l", U));
    fails(FsError.INVALID, () -> core.rename("/f", "/\uFFFD", 0));
    assertThat(core.getattr("/f").size()).isEqualTo(1);
    fx.put("/d/inner", new byte[1]);
    fails(FsError.NOT_EMPTY, () -> core.rmdir("/d"));
    fails(FsError.NOT_DIRECTORY, () -> core.rmdir("/f"));
    fails(FsError.NOT_FOUND, () -> core.rmdir("/nope"));
    fails(FsError.IS_DIRECTORY, () -> core.unlink("/d"));
    core.unlink("/d/inner");
    core.rmdir("/d");
    fails(FsError.NOT_FOUND, () -> core.getattr("/d"));
    assertThat(core.getattr("/").nlink()).isEqualTo(3); // the long-named dir
  }

  @Test
  void parentTimesChangeWithItsEntries() throws Exception {
    core.mkdir("/p", 0755, U);
    Instant t0 = core.getattr("/p").mtime();
    Thread.sleep(5);
    fx.put("/p/a", new byte[0]);
    Instant t1 = core.getattr("/p").mtime();
    assertThat(t1).isAfter(t0);
    assertThat(core.getattr("/p").ctime()).isEqualTo(t1);
    Thread.sleep(5);
    core.rename("/p/a", "/p/b", 0);
    assertThat(core.getattr("/p").mtime()).isAfter(t1);
    Instant c = core.getattr("/p/b").ctime();
    assertThat(c).isAfterOrEqualTo(core.getattr("/p").mtime());
  }

  @Test
  void renameFilesAndDirectories() throws Exception {
    fx.put("/a", "A".getBytes(StandardCharsets.UTF_8));
    fx.put("/b", "B".getBytes(StandardCharsets.UTF_8));
    long inoA = core.getattr("/a").ino();
    core.rename("/a", "/b", 0); // replaces atomically
    assertThat(fx.get("/b")).isEqualTo("A".getBytes(StandardCharsets.UTF_8));
    assertThat(core.getattr("/b").ino()).isEqualTo(inoA);
    fails(FsError.NOT_FOUND, () -> core.getattr("/a"));
    core.mkdir("/d1", 0755, U);
    core.mkdir("/d2", 0755, U);
    fx.put("/d1/x", new byte[] {1});
    core.rename("/d1", "/d2", 0); // over an empty directory
    assertThat(fx.get("/d2/x")).containsExactly(1);
    core.mkdir("/e", 0755, U);
    fx.put("/e/y", new byte[0]);
    fails(FsError.NOT_EMPTY, () -> core.rename("/d2", "/e", 0));
    fails(FsError.NOT_DIRECTORY, () -> core.rename("/d2", "/b", 0));
    fails(FsError.IS_DIRECTORY, () -> core.rename("/b", "/e", 0));
    fails(FsError.INVALID, () -> core.rename("/e", "/e/sub", 0));
    fails(FsError.NOT_FOUND, () -> core.rename("/nope", "/z", 0));
    fails(FsError.EXISTS, () -> core.rename("/b", "/e/y", MountCore.RENAME_NOREPLACE));
    core.rename("/b", "/e/y", MountCore.RENAME_EXCHANGE);
    assertThat(fx.get("/e/y")).isEqualTo("A".getBytes(StandardCharsets.UTF_8));
    assertThat(fx.get("/b")).isEmpty();
    core.rename("/d2", "/e/moved", 0); // across directories
    assertThat(fx.get("/e/moved/x")).containsExactly(1);
    core.rename("/e/moved/x", "/e/moved/x", 0); // same name: nothing happens
    core.sync(Duration.ofSeconds(10));
    fx.closeAndReopen();
    core = fx.core;
    assertThat(fx.get("/e/moved/x")).containsExactly(1);
    assertThat(core.readdir("/")).extracting(DirEntryInfo::name)
        .containsExactly(".", "..", "b", "e");
  }

  @Test
  void fifosSocketsAndDevicesAreEntriesKeptOnTheGridAndThroughAKill() throws Exception {
    core.mkdir("/d", 02775, U);
    core.chown("/d", -1, 4242, new Caller(0, 0, 1));
    core.mknod("/d/p", EntryKind.FIFO, 0640, 0, U);
    core.mknod("/d/c", EntryKind.CHAR_DEVICE, 0600, 0x103, U); // 1:3, /dev/null
    core.mknod("/d/b", EntryKind.BLOCK_DEVICE, 0660, 0xfff_fffeL, U);
    core.mknod("/s", EntryKind.SOCKET, 0755, 0, U);
    fails(FsError.EXISTS, () -> core.mknod("/d/p", EntryKind.FIFO, 0644, 0, U));
    fails(FsError.NOT_FOUND, () -> core.mknod("/x/p", EntryKind.FIFO, 0644, 0, U));
    fails(FsError.INVALID, () -> core.mknod("/f", EntryKind.FILE, 0644, 0, U));
    fails(FsError.INVALID, () -> core.readlink("/d/p"));
    fails(FsError.NOT_PERMITTED, () -> core.setxattr("/d/p", "user.a", new byte[1], 0));
    fails(FsError.NO_ATTRIBUTE, () -> core.getxattr("/d/c", MountCore.READCAP));
    assertThat(core.listxattr("/d/c")).isEmpty();
    StatInfo p = core.getattr("/d/p");
    assertThat(p.kind()).isEqualTo(EntryKind.FIFO);
    assertThat(p.typeBits() | p.mode()).isEqualTo(0010640);
    assertThat(p.gid()).isEqualTo(4242); // a setgid parent's group
    assertThat(p.size()).isZero();
    assertThat(core.getattr("/d/c").rdev()).isEqualTo(0x103);
    assertThat(core.getattr("/d").mtime()).isEqualTo(core.getattr("/d/b").mtime());
    core.rename("/d/b", "/b2", 0);
    core.chmod("/d/c", 0620);
    fx.crashAndReopen(); // from the journal
    core = fx.core;
    expectSpecials(0x103, 0620);
    core.sync(Duration.ofSeconds(10));
    fx.closeAndReopen();
    core = fx.core;
    expectSpecials(0x103, 0620);
    assertThat(fx.grid.entries(fx.rootCap).get("s").metadata().kind())
        .isEqualTo(EntryKind.SOCKET);
    core.unlink("/s");
    fails(FsError.NOT_FOUND, () -> core.getattr("/s"));
  }

  private void expectSpecials(long rdev, int charMode) throws FsException {
    assertThat(core.getattr("/d/p").kind()).isEqualTo(EntryKind.FIFO);
    assertThat(core.getattr("/d/p").mode()).isEqualTo(0640);
    assertThat(core.getattr("/d/c").kind()).isEqualTo(EntryKind.CHAR_DEVICE);
    assertThat(core.getattr("/d/c").rdev()).isEqualTo(rdev);
    assertThat(core.getattr("/d/c").mode()).isEqualTo(charMode);
    assertThat(core.getattr("/b2").kind()).isEqualTo(EntryKind.BLOCK_DEVICE);
    assertThat(core.getattr("/b2").rdev()).isEqualTo(0xfff_fffeL);
    assertThat(core.getattr("/s").typeBits()).isEqualTo(0140000);
    fails(FsError.NOT_FOUND, () -> core.getattr("/d/b"));
    assertThat(core.readdir("/d").stream().map(DirEntryInfo::name))
        .contains("p", "c").doesNotContain("b");
  }

  /** Each limit at its edge: the largest accepted, one more refused, with its own errno. */
  @Test
  void symlinkAndXattrLimitsHoldAtTheirEdges() throws Exception {
    String longest = "t".repeat(4095);
    core.symlink(longest, "/longest", U);
    assertThat(core.readlink("/longest")).isEqualTo(longest);
    fails(FsError.NAME_TOO_LONG, () -> core.symlink(longest + "t", "/over", U));

    fx.put("/f", new byte[0]);
    String name = "user." + "n".repeat(250);
    core.setxattr("/f", name, new byte[] {1}, 0);
    assertThat(core.getxattr("/f", name)).containsExactly(1);
    fails(FsError.RANGE, () -> core.setxattr("/f", name + "n", new byte[1], 0));
    // an empty name after the namespace: EINVAL, as ext4 answers get, set and remove
    fails(FsError.INVALID, () -> core.setxattr("/f", "user.", new byte[1], 0));
    fails(FsError.INVALID, () -> core.getxattr("/f", "user."));
    fails(FsError.INVALID, () -> core.removexattr("/f", "user."));
    core.setxattr("/f", "user.a", new byte[0], 0);
    core.removexattr("/f", name);
    core.removexattr("/f", "user.a");

    // a value of 64 KiB passes the value check and meets the node's total (32 KiB)
    fails(FsError.NO_SPACE, () -> core.setxattr("/f", "user.v",
        new byte[MountCore.MAX_XATTR_VALUE], 0));
    fails(FsError.RANGE, () -> core.setxattr("/f", "user.v",
        new byte[MountCore.MAX_XATTR_VALUE + 1], 0));
    int fits = MountCore.MAX_XATTR_TOTAL - "user.v".length();
    core.setxattr("/f", "user.v", new byte[fits], 0);
    fails(FsError.NO_SPACE, () -> core.setxattr("/f", "user.v", new byte[fits + 1], 0));
    core.removexattr("/f", "user.v");

    for (int i = 0; i < MountCore.MAX_XATTRS; i++) {
      core.setxattr("/f", "user.x" + i, new byte[0], 0);
    }
    fails(FsError.NO_SPACE, () -> core.setxattr("/f", "user.one-more", new byte[0], 0));
    core.setxattr("/f", "user.x0", new byte[] {2}, 0); // a replacement counts once
    assertThat(core.listxattr("/f")).filteredOn(x -> x.startsWith("user.x"))
        .hasSize(MountCore.MAX_XATTRS);
  }

  @Test
  void symlinksChmodUtimens() throws Exception {
    core.symlink("../target/x", "/l", U);
    assertThat(core.readlink("/l")).isEqualTo("../target/x");
    assertThat(core.getattr("/l").size()).isEqualTo(11);
    fails(FsError.EXISTS, () -> core.symlink("t", "/l", U));
    fails(FsError.NAME_TOO_LONG, () -> core.symlink("t".repeat(4096), "/l2", U));
    fx.put("/f", new byte[0]);
    fails(FsError.INVALID, () -> core.readlink("/f"));
    core.chmod("/f", 04751);
    assertThat(core.getattr("/f").mode()).isEqualTo(04751);
    Instant t = Instant.parse("2001-02-03T04:05:06.123456789Z");
    Instant a = Instant.parse("2002-02-03T04:05:06.5Z");
    core.utimens("/f", TimeSpec.at(a), TimeSpec.at(t));
    assertThat(core.getattr("/f").mtime()).isEqualTo(t);
    assertThat(core.getattr("/f").atime()).isEqualTo(a);
    core.utimens("/f", TimeSpec.NOW, TimeSpec.OMIT);
    assertThat(core.getattr("/f").mtime()).isEqualTo(t);
    assertThat(core.getattr("/f").atime()).isAfter(a);
    core.sync(Duration.ofSeconds(10));
    fx.closeAndReopen();
    core = fx.core;
    assertThat(core.getattr("/f").mode()).isEqualTo(04751);
    assertThat(core.getattr("/f").mtime()).isEqualTo(t);
    assertThat(core.readlink("/l")).isEqualTo("../target/x");
    fails(FsError.NOT_PERMITTED, () -> core.link("/f", "/g"));
  }

  @Test
  void chownAsTheCallerIsAllowed() throws Exception {
    fx.put("/f", new byte[0]);
    core.chown("/f", 0, 0, new Caller(0, 0));
    assertThat(core.getattr("/f").uid()).isZero();
    fails(FsError.NOT_PERMITTED, () -> core.chown("/f", 1000, -1, U));
    core.chown("/f", 1000, 1000, new Caller(0, 0));
    core.chown("/f", -1, 1000, U);
    assertThat(core.getattr("/f").gid()).isEqualTo(1000);
  }

  /** tar as root found "file changed as we read it": ctimes moved back when the grid was read. */
  @Test
  void chownAndAnAtimeOnlyUtimensKeepTheirCtimeAndModeOnTheGrid() throws Exception {
    fx.put("/f", new byte[0]);
    fx.put("/g", new byte[0]);
    core.chmod("/f", 06755);
    core.sync(Duration.ofSeconds(10));
    Thread.sleep(5);
    core.chown("/f", 0, 1000, new Caller(0, 0)); // a change of owner clears setuid and setgid
    core.utimens("/g", TimeSpec.NOW, TimeSpec.OMIT);
    StatInfo f = core.getattr("/f");
    StatInfo g = core.getattr("/g");
    assertThat(f.mode() & 07777).isEqualTo(0755);
    core.sync(Duration.ofSeconds(10));
    fx.closeAndReopen();
    core = fx.core;
    assertThat(core.getattr("/f").mode()).isEqualTo(f.mode());
    assertThat(core.getattr("/f").ctime()).isEqualTo(f.ctime());
    assertThat(core.getattr("/g").ctime()).isEqualTo(g.ctime());
  }

  /** Makes directory {@code path}, syncs, and returns its read cap. */
  private String newDirectoryOnTheGrid(String path) throws Exception {
    core.mkdir(path, 0755, U);
    core.sync(Duration.ofSeconds(10));
    return capOf(path).get(10, TimeUnit.SECONDS);
  }

  /** Reads a cap xattr in another thread (it may wait for the grid). */
  private CompletableFuture<String> capOf(String path) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return new String(core.getxattr(path, MountCore.READCAP), StandardCharsets.US_ASCII);
      } catch (FsException e) {
        throw new java.util.concurrent.CompletionException(e);
      }
    });
  }

  private interface HeldUploads {
    void run(CountDownLatch gate) throws Exception;
  }

  /**
   * {@code cap}'s value once {@code gate} opens, after checking that it still waits with the
   * uploads held ({@code what} it waits for).
   */
  private static String heldUntil(CountDownLatch gate, CompletableFuture<String> cap, String what)
      throws Exception {
    Thread.sleep(200);
    assertThat(cap).as(what).isNotDone();
    gate.countDown();
    return cap.get(10, TimeUnit.SECONDS);
  }

  /** Runs {@code body} with every upload to the grid held until it opens {@code gate}. */
  private void withUploadsHeld(HeldUploads body) throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    fx.grid.writeGate = gate;
    try {
      body.run(gate);
    } finally {
      gate.countDown();
      fx.grid.writeGate = null;
    }
  }

  /** Waits until an upload is held at the grid's write gate. */
  private void awaitHeldUpload() throws InterruptedException {
    for (int i = 0; i < 1000 && fx.grid.writesInFlight() == 0; i++) {
      Thread.sleep(10);
    }
    assertThat(fx.grid.writesInFlight()).as("an upload held at the gate").isPositive();
  }

  @Test
  void aDirectorysCapWaitsForTheChangesBelowItButNotForOthers() throws Exception {
    core.mkdir("/d", 0755, U);
    core.mkdir("/d/sub", 0755, U);
    core.mkdir("/other", 0755, U);
    core.sync(Duration.ofSeconds(10));
    String sub = capOf("/d/sub").get(10, TimeUnit.SECONDS);
    withUploadsHeld(gate -> {
      fx.put("/d/sub/f", new byte[100_000]); // over the inline limit: an upload
      awaitHeldUpload();
      CompletableFuture<String> d = capOf("/d");
      // a directory with nothing pending below it answers at once
      assertThat(capOf("/other").get(10, TimeUnit.SECONDS)).startsWith("cairn:");
      assertThat(heldUntil(gate, d, "the cap of /d while its new file is not on the grid"))
          .startsWith("cairn:");
      // whoever is given the cap now finds the file
      assertThat(fx.grid.entries(sub)).containsKey("f");
    });
  }

  /**
   * A file rewritten in place (its entry already on the grid, so no namespace change is made)
   * counts as a change below its directory: the directory's cap waits for the new content.
   */
  @Test
  void aDirectorysCapWaitsForAFileRewrittenBelowIt() throws Exception {
    core.mkdir("/d", 0755, U);
    fx.put("/d/f", new byte[] {1});
    core.sync(Duration.ofSeconds(10));
    String dcap = capOf("/d").get(10, TimeUnit.SECONDS);
    withUploadsHeld(gate -> {
      long fh = core.open("/d/f", MountCore.O_WRONLY);
      core.write(fh, java.nio.ByteBuffer.wrap(new byte[100_000]), 0); // an upload
      core.flush(fh);
      core.release(fh);
      awaitHeldUpload();
      CompletableFuture<String> d = capOf("/d");
      assertThat(heldUntil(gate, d, "the cap of /d while the new content is not on the grid"))
          .isEqualTo(dcap);
      assertThat(fx.grid.entries(dcap).get("f").metadata().size()).isEqualTo(100_000);
    });
  }

  /**
   * A namespace change below a directory that already has its cap (here a new subdirectory: a
   * journaled record, no data) makes the cap wait until the change is on the grid, so whoever is
   * given the cap sees it. The uploader's round is kept busy by a held upload elsewhere.
   */
  @Test
  void aDirectorysCapWaitsForANamespaceChangeBelowIt() throws Exception {
    String dcap = newDirectoryOnTheGrid("/d");
    withUploadsHeld(gate -> {
      fx.put("/other", new byte[100_000]); // over the inline limit: an upload, held
      awaitHeldUpload();
      core.mkdir("/d/e", 0755, U);
      CompletableFuture<String> d = capOf("/d");
      assertThat(heldUntil(gate, d, "the cap of /d while /d/e is not on the grid"))
          .isEqualTo(dcap);
      assertThat(fx.grid.entries(dcap)).containsKey("e");
    });
  }

  /** A new file has no cap until its first upload: its cap waits for it, then names it. */
  @Test
  void aNewFilesCapWaitsForItsFirstUpload() throws Exception {
    byte[] data = new byte[100_000]; // over the inline limit: an upload
    data[7] = 7;
    withUploadsHeld(gate -> {
      fx.put("/f", data);
      awaitHeldUpload();
      CompletableFuture<String> f = capOf("/f");
      assertThat(fx.grid.content(heldUntil(gate, f,
          "the cap of /f while its content is not on the grid"))).isEqualTo(data);
    });
  }

  @Test
  void afterARemountEveryDirectorysCapWaitsForTheReplayedChanges() throws Exception {
    String d = newDirectoryOnTheGrid("/d");
    withUploadsHeld(gate -> {
      fx.put("/d/f", new byte[100_000]);
      awaitHeldUpload();
      core.crash();
      fx.reopen();
      core = fx.core;
      CompletableFuture<String> again = capOf("/d");
      assertThat(heldUntil(gate, again,
          "the cap of /d while the replayed file is not on the grid")).isEqualTo(d);
      assertThat(fx.grid.entries(d)).containsKey("f");
    });
  }

  @Test
  void capXattrsAndUserXattrs() throws Exception {
    fx.put("/f", "hello".getBytes(StandardCharsets.UTF_8));
    core.mkdir("/d", 0755, U);
    String fileRead = new String(core.getxattr("/f", MountCore.READCAP), StandardCharsets.US_ASCII);
    assertThat(fx.grid.content(fileRead)).isEqualTo("hello".getBytes(StandardCharsets.UTF_8));
    String dirWrite = new String(core.getxattr("/d", MountCore.WRITECAP),
        StandardCharsets.US_ASCII);
    assertThat(Cap.parse(dirWrite).isWritable()).isTrue();
    String dirRead = new String(core.getxattr("/d", MountCore.READCAP), StandardCharsets.US_ASCII);
    assertThat(dirRead).isEqualTo(Cap.parse(dirWrite).readOnly().toString());
    assertThat(new String(core.getxattr("/d", MountCore.VERIFYCAP), StandardCharsets.US_ASCII))
        .isEqualTo(Cap.parse(dirWrite).verifyCap().orElseThrow().toString());
    fails(FsError.NO_ATTRIBUTE, () -> core.getxattr("/f", MountCore.WRITECAP));
    fails(FsError.NOT_PERMITTED, () -> core.setxattr("/f", MountCore.READCAP, new byte[1], 0));
    core.setxattr("/f", "user.color", new byte[] {1, 2}, 0);
    assertThat(core.getxattr("/f", "user.color")).containsExactly(1, 2);
    fails(FsError.EXISTS, () -> core.setxattr("/f", "user.color", new byte[1],
        MountCore.XATTR_CREATE));
    fails(FsError.NO_ATTRIBUTE, () -> core.setxattr("/f", "user.none", new byte[1],
        MountCore.XATTR_REPLACE));
    fails(FsError.NOT_SUPPORTED, () -> core.setxattr("/f", "trusted.x", new byte[1], 0));
    assertThat(core.listxattr("/f")).contains(MountCore.READCAP, MountCore.VERIFYCAP,
        "user.color").doesNotContain(MountCore.WRITECAP);
    core.sync(Duration.ofSeconds(10));
    fx.closeAndReopen();
    core = fx.core;
    assertThat(core.getxattr("/f", "user.color")).containsExactly(1, 2);
    core.removexattr("/f", "user.color");
    fails(FsError.NO_ATTRIBUTE, () -> core.getxattr("/f", "user.color"));
    fails(FsError.NO_ATTRIBUTE, () -> core.removexattr("/f", "user.color"));
  }

  /**
   * The mount's root has no directory entry on the grid to keep xattrs in: a setxattr there
   * must fail rather than succeed and then vanish at the next mount.
   */
  @Test
  void userXattrsOnTheRootAreRefusedNotSilentlyLost() throws Exception {
    fails(FsError.NOT_SUPPORTED, () -> core.setxattr("/", "user.k", new byte[] {1}, 0));
    assertThat(core.listxattr("/")).doesNotContain("user.k");
    core.mkdir("/d", 0755, U);
    core.setxattr("/d", "user.k", new byte[] {2}, 0); // a subdirectory's entry keeps them
    core.sync(Duration.ofSeconds(10));
    fx.closeAndReopen();
    core = fx.core;
    assertThat(core.getxattr("/d", "user.k")).containsExactly(2);
  }

  @Test
  void userXattrsOfOneNodeAreBoundedInAllAndSurviveAReopen() throws Exception {
    fx.put("/f", new byte[0]);
    byte[] big = new byte[MountCore.MAX_XATTR_TOTAL / 4];
    int fit = MountCore.MAX_XATTR_TOTAL / (big.length + 8);
    assertThat(fit).isEqualTo(3);
    for (int i = 0; i < fit; i++) {
      big[0] = (byte) i;
      core.setxattr("/f", "user.v" + i, big, 0);
    }
    fails(FsError.NO_SPACE, () -> core.setxattr("/f", "user.more", big, 0));
    core.setxattr("/f", "user.v0", new byte[] {7}, 0); // a replacement counts only once
    core.setxattr("/f", "user.more", new byte[] {8}, 0);
    core.sync(Duration.ofSeconds(10));
    fx.closeAndReopen();
    core = fx.core;
    assertThat(core.getxattr("/f", "user.v0")).containsExactly(7);
    assertThat(core.getxattr("/f", "user.v" + (fit - 1))[0]).isEqualTo((byte) (fit - 1));
    assertThatThrownBy(() -> core.getxattr("/f", "user.absent")).isInstanceOf(FsException.class);
  }

  @Test
  void userXattrsOfOneNodeAreBoundedInNumberAndNamesMustBeUtf8() throws Exception {
    fx.put("/f", new byte[0]);
    for (int i = 0; i < MountCore.MAX_XATTRS; i++) {
      core.setxattr("/f", "user.i" + i, new byte[0], 0);
    }
    fails(FsError.NO_SPACE, () -> core.setxattr("/f", "user.more", new byte[0], 0));
    core.setxattr("/f", "user.i0", new byte[] {1}, 0); // a replacement is not one more
    fails(FsError.INVALID, () -> core.setxattr("/f", "user.a\uFFFDb", new byte[0], 0));
    core.sync(Duration.ofSeconds(10));
    fx.closeAndReopen();
    core = fx.core;
    assertThat(core.listxattr("/f")).hasSize(MountCore.MAX_XATTRS + 2); // and two caps
    assertThat(core.getxattr("/f", "user.i0")).containsExactly(1);
  }

  @Test
  void anEntryWhoseXattrsNameACapListsThatCapOnceAndGetsTheRealCap() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    String root = grid.newRoot();
    String sub = grid.createDirectory().get();
    grid.applyChanges(root, java.util.List.of(new EntryChange.Put("sub",
        java.util.Optional.of(sub), new NodeMetadata(EntryKind.DIRECTORY, 0, 0755,
            Instant.EPOCH, Instant.EPOCH, java.util.Optional.empty(), java.util.Map.of(
                MountCore.READCAP, "cairn:forged".getBytes(StandardCharsets.US_ASCII),
                "user.k", new byte[] {1}))))).get();
    CoreFixture other = new CoreFixture(grid, root, dir.resolve("other"), b -> { });
    try {
      assertThat(other.core.listxattr("/sub")).containsExactly(MountCore.READCAP,
          MountCore.VERIFYCAP, "user.k");
      assertThat(new String(other.core.getxattr("/sub", MountCore.READCAP),
          StandardCharsets.US_ASCII)).isEqualTo(Cap.parse(sub).readOnly().toString());
    } finally {
      other.close();
    }
  }

  @Test
  void userXattrsRefusedWhenTheGridKeepsNone() throws Exception {
    fx.grid.keepXattrs(false);
    fx.put("/f", new byte[0]);
    fails(FsError.NOT_SUPPORTED, () -> core.setxattr("/f", "user.a", new byte[1], 0));
    fails(FsError.NOT_SUPPORTED, () -> core.removexattr("/f", "user.a"));
    fails(FsError.NO_ATTRIBUTE, () -> core.getxattr("/f", "user.a"));
  }

  /**
   * A grid without xattrs is one without dirnode version 3 (a node channel to a node of an
   * older Cairn says "xattrs false"): it has no kinds for FIFOs, sockets or devices either, so
   * mknod must fail at once rather than leave a change the grid refuses on every retry.
   */
  @Test
  void specialFilesRefusedWhenTheGridHasNoVersion3() throws Exception {
    fx.grid.keepXattrs(false);
    fails(FsError.NOT_SUPPORTED, () -> core.mknod("/p", EntryKind.FIFO, 0644, 0, U));
    fails(FsError.NOT_FOUND, () -> core.getattr("/p"));
  }

  @Test
  void readCapRootIsReadOnly() throws Exception {
    core.mkdir("/d", 0755, U);
    fx.put("/d/f", "x".getBytes(StandardCharsets.UTF_8));
    core.sync(Duration.ofSeconds(10));
    String readCap = Cap.parse(fx.rootCap).readOnly().toString();
    try (CoreFixture ro = new CoreFixture(fx.grid, readCap, dir.resolve("ro"), b -> { })) {
      MountCore r = ro.core;
      assertThat(r.readOnly()).isTrue();
      assertThat(ro.get("/d/f")).isEqualTo("x".getBytes(StandardCharsets.UTF_8));
      fails(FsError.READ_ONLY, () -> r.mkdir("/e", 0755, U));
      fails(FsError.READ_ONLY, () -> r.create("/d/g", 0644, MountCore.O_WRONLY, U));
      fails(FsError.READ_ONLY, () -> r.open("/d/f", MountCore.O_WRONLY));
      fails(FsError.READ_ONLY, () -> r.open("/d/f", MountCore.O_TRUNC));
      fails(FsError.READ_ONLY, () -> r.truncate("/d/f", 0));
      fails(FsError.READ_ONLY, () -> r.unlink("/d/f"));
      fails(FsError.READ_ONLY, () -> r.rmdir("/d"));
      fails(FsError.READ_ONLY, () -> r.rename("/d/f", "/d/g", 0));
      fails(FsError.READ_ONLY, () -> r.symlink("t", "/d/s", U));
      fails(FsError.READ_ONLY, () -> r.chmod("/d/f", 0600));
      fails(FsError.READ_ONLY, () -> r.utimens("/d/f", TimeSpec.NOW, TimeSpec.NOW));
      fails(FsError.READ_ONLY, () -> r.setxattr("/d/f", "user.a", new byte[1], 0));
      fails(FsError.READ_ONLY, () -> r.access("/d/f", 2, U));
      fails(FsError.NO_ATTRIBUTE, () -> r.getxattr("/d", MountCore.WRITECAP));
      r.access("/d/f", 4, U);
      assertThat(new String(r.getxattr("/d/f", MountCore.READCAP), StandardCharsets.US_ASCII))
          .isEqualTo(new String(core.getxattr("/d/f", MountCore.READCAP),
              StandardCharsets.US_ASCII));
    }
  }

  @Test
  void statfsShowsGridSpace() throws Exception {
    FsSpace s = core.statfs();
    assertThat(s.blocks()).isEqualTo((1L << 41) / 4096);
    assertThat(s.freeBlocks()).isEqualTo((1L << 40) / 4096);
  }

  @Test
  void inodesStayStableAcrossDirectoryRefresh() throws Exception {
    fx.put("/a", new byte[] {1});
    core.sync(Duration.ofSeconds(10));
    long ino = core.getattr("/a").ino();
    try (CoreFixture fresh = new CoreFixture(fx.grid, fx.rootCap, dir.resolve("c2"),
        b -> b.directoryTtl(Duration.ZERO))) {
      long ino2 = fresh.core.getattr("/a").ino();
      assertThat(fresh.core.getattr("/a").ino()).isEqualTo(ino2);
      fx.put("/b", new byte[] {2});
      core.sync(Duration.ofSeconds(10));
      // the other mount sees the change on its next listing, and keeps "a" the same inode
      assertThat(fresh.get("/b")).containsExactly(2);
      assertThat(fresh.core.getattr("/a").ino()).isEqualTo(ino2);
    }
    assertThat(core.getattr("/a").ino()).isEqualTo(ino);
  }

  @Test
  void aRefreshedListingKeepsLocalNodesThatAreAheadOfIt() throws Exception {
    try (CoreFixture fx2 = new CoreFixture(fx.grid, null, dir.resolve("ttl0"),
        b -> b.directoryTtl(Duration.ZERO))) {
      MountCore c = fx2.core;
      c.mkdir("/d", 0755, U);
      fx2.put("/d/f", new byte[] {1});
      c.sync(Duration.ofSeconds(10)); // /d and /d/f are on the grid now
      long dirIno = c.getattr("/d").ino();
      long fh = c.open("/d/f", MountCore.O_RDWR);
      c.write(fh, java.nio.ByteBuffer.wrap(new byte[] {7, 7, 7}), 0); // not yet flushed
      assertThat(c.readdir("/d")).hasSize(3); // relists /d (TTL 0) while f is ahead of it
      assertThat(c.getattr("/d").ino()).isEqualTo(dirIno);
      assertThat(c.getattr("/d/f").size()).isEqualTo(3);
      c.flush(fh);
      c.release(fh);
      c.sync(Duration.ofSeconds(10));
      c.readdir("/d");
      assertThat(fx2.get("/d/f")).containsExactly(7, 7, 7);
    }
  }
}
