package org.cairnfs.fs.mount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.cairnfs.fs.mount.MountCoreNamespaceTest.fails;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A create (FUSE's CREATE: open with O_CREAT) as {@link Namespace#createFile} answers it: on a
 * file that is already there (another create won the race after the kernel's lookup) the open's
 * own access mode against the file's bits, O_EXCL and a directory in the way; on a new file its
 * group and its entry journaled at once; and on either, the open counted, so that an unlink
 * while it is open keeps the bytes for the handle and its last close gives their spool pages
 * back.
 */
class NamespaceCreateTest {
  static final Caller U = CoreFixture.USER;
  static final Caller ROOT = new Caller(0, 0);
  static final Duration HOUR = Duration.ofHours(1);
  @TempDir Path dir;

  private static long createAs(MountCore core, String path, int flags, Caller caller)
      throws FsException {
    return core.create(path, 0666, MountCore.O_CREAT | flags, caller);
  }

  /** Opens {@code path} (there already) by a create with {@code flags} and closes it. */
  private static void opens(MountCore core, String path, int flags, Caller caller)
      throws FsException {
    core.release(createAs(core, path, flags, caller));
  }

  private static void refused(MountCore core, String path, int flags) {
    fails(FsError.ACCESS_DENIED, () -> createAs(core, path, flags, U));
  }

  /**
   * The access mode asks for read (O_RDONLY), write (O_WRONLY), or both (O_RDWR), and O_TRUNC
   * for write too; the owner's bits of the file must grant all it asks, no more.
   */
  @Test
  void aCreateOfAnExistingFileChecksEachAccessModeAgainstTheFilesBits() throws Exception {
    try (CoreFixture fx = new CoreFixture(dir)) {
      MountCore c = fx.core;
      fx.put("/f", new byte[] {1, 2, 3});
      int wo = MountCore.O_WRONLY;
      int rw = MountCore.O_RDWR;
      int trunc = MountCore.O_TRUNC;

      c.chmod("/f", 0200); // write only
      opens(c, "/f", wo, U);
      refused(c, "/f", 0);
      refused(c, "/f", rw);

      c.chmod("/f", 0400); // read only
      opens(c, "/f", 0, U);
      refused(c, "/f", wo);
      refused(c, "/f", rw);
      refused(c, "/f", trunc); // O_RDONLY | O_TRUNC writes
      refused(c, "/f", wo | trunc);
      assertThat(c.getattr("/f").size()).as("nothing truncated").isEqualTo(3);
      assertThat(fx.get("/f")).containsExactly(1, 2, 3);

      c.chmod("/f", 0600);
      opens(c, "/f", rw, U);
      assertThat(c.getattr("/f").size()).isEqualTo(3);
      opens(c, "/f", wo | trunc, U);
      assertThat(c.getattr("/f").size()).isZero();
    }
  }

  /** Root (CAP_DAC_OVERRIDE) opens a file whose bits grant nothing, for reading and writing. */
  @Test
  void rootOpensAnExistingFileItsBitsRefuse() throws Exception {
    try (CoreFixture fx = new CoreFixture(dir)) {
      MountCore c = fx.core;
      fx.put("/f", new byte[] {7});
      c.chmod("/f", 0);
      refused(c, "/f", 0);
      long fh = createAs(c, "/f", MountCore.O_RDWR, ROOT);
      c.write(fh, ByteBuffer.wrap(new byte[] {8}), 1);
      c.release(fh);
      assertThat(fx.get("/f")).containsExactly(7, 8);
    }
  }

  /** O_EXCL refuses a file that is there, and a directory in the way is EISDIR (not EEXIST). */
  @Test
  void aCreateFindingANameTakenIsRefusedWithTheRightError() throws Exception {
    try (CoreFixture fx = new CoreFixture(dir)) {
      MountCore c = fx.core;
      fx.put("/f", new byte[] {1, 2});
      fails(FsError.EXISTS, () -> createAs(c, "/f", MountCore.O_EXCL | MountCore.O_WRONLY
          | MountCore.O_TRUNC, U));
      assertThat(fx.get("/f")).containsExactly(1, 2);
      c.mkdir("/d", 0777, U);
      fails(FsError.IS_DIRECTORY, () -> createAs(c, "/d", MountCore.O_WRONLY, U));
      fails(FsError.IS_DIRECTORY, () -> createAs(c, "/d", 0, U));
      fails(FsError.EXISTS, () -> createAs(c, "/d", MountCore.O_EXCL, U));
    }
  }

  /**
   * A new file takes the creator's group, unless its directory is setgid: a directory of
   * another group, without the setgid bit, hands nothing down.
   */
  @Test
  void aNewFileInADirectoryOfAnotherGroupTakesTheCreatorsGroup() throws Exception {
    try (CoreFixture fx = new CoreFixture(dir)) {
      MountCore c = fx.core;
      c.mkdir("/p", 0777, U);
      c.chown("/p", -1, 4242, ROOT);
      c.release(createAs(c, "/p/f", MountCore.O_WRONLY, U));
      assertThat(c.getattr("/p/f").gid()).isEqualTo(U.gid());
      c.chmod("/p", 02777);
      c.release(createAs(c, "/p/g", MountCore.O_WRONLY, U));
      assertThat(c.getattr("/p/g").gid()).isEqualTo(4242);
    }
  }

  /**
   * A new file is journaled by its create: created and closed with nothing written (no close
   * journals anything then), it is there after a crash before any upload, and then on the
   * grid.
   */
  @Test
  void aNewFileClosedEmptyIsJournaledByItsCreate() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    grid.failWith(GridException.Kind.UNREACHABLE);
    try (CoreFixture fx = new CoreFixture(grid, null, dir, b -> { })) {
      fx.core.mkdir("/d", 0755, U);
      fx.core.release(createAs(fx.core, "/d/e", MountCore.O_RDWR, U));
      fx.crashAndReopen();
      StatInfo st = fx.core.getattr("/d/e");
      assertThat(st.size()).isZero();
      assertThat(st.mode()).isEqualTo(0666);
      grid.heal();
      fx.core.sync(Duration.ofSeconds(30));
      fx.closeAndReopen();
      assertThat(fx.core.getattr("/d/e").kind())
          .isEqualTo(org.cairnfs.caps.dirnode.EntryKind.FILE);
    }
  }

  /**
   * Writes 100 000 bytes through {@code fh}, unlinks {@code path} while it is open, reads them
   * back through the handle and closes it: the last close gives the spool pages back (the file
   * is neither journaled nor uploaded: the grid is unreachable).
   */
  private static void unlinkWhileOpen(CoreFixture fx, String path, long fh, int seed)
      throws Exception {
    MountCore c = fx.core;
    WriteBack wb = c.writeBack();
    long before = wb.budget.used();
    byte[] data = CoreFixture.bytes(100_000, seed);
    c.write(fh, ByteBuffer.wrap(data), 0);
    c.unlink(path);
    assertThat(wb.budget.used()).as("open, unlinked").isGreaterThan(before);
    ByteBuffer back = ByteBuffer.allocate(data.length + 10);
    long off = 0;
    while (true) {
      int n = c.read(fh, back, off);
      if (n == 0) {
        break;
      }
      off += n;
    }
    byte[] got = new byte[back.position()];
    back.flip().get(got);
    assertThat(got).as("read through the handle after the unlink").isEqualTo(data);
    c.release(fh);
    assertThat(wb.budget.used()).as("after the last close").isEqualTo(before);
  }

  private static CoreFixture heldFixture(MemoryGrid grid, Path at) throws Exception {
    return new CoreFixture(grid, null, at, b -> b.coalesceDelay(HOUR).coalesceLimit(HOUR));
  }

  /** The open of a create that makes the file counts: an unlink while open forgets nothing. */
  @Test
  void aNewFilesOpenIsCountedThroughAnUnlinkToItsLastClose() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    grid.failWith(GridException.Kind.UNREACHABLE);
    try (CoreFixture fx = heldFixture(grid, dir)) {
      try {
        unlinkWhileOpen(fx, "/n", createAs(fx.core, "/n", MountCore.O_RDWR, U), 1);
      } finally {
        grid.heal(); // the close drains at once
      }
    }
  }

  /** Likewise the open of a create that finds the file there. */
  @Test
  void anExistingFilesOpenByACreateIsCountedThroughAnUnlinkToItsLastClose() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    grid.failWith(GridException.Kind.UNREACHABLE);
    try (CoreFixture fx = heldFixture(grid, dir)) {
      try {
        fx.core.release(createAs(fx.core, "/e", MountCore.O_RDWR, U));
        unlinkWhileOpen(fx, "/e", createAs(fx.core, "/e", MountCore.O_RDWR, U), 2);
        // and an open (not a create) of a file made by a create counts likewise
        fx.core.release(createAs(fx.core, "/o", MountCore.O_RDWR, U));
        unlinkWhileOpen(fx, "/o", fx.core.open("/o", MountCore.O_RDWR, U), 3);
      } finally {
        grid.heal(); // the close drains at once
      }
    }
  }

  /** Reopens {@code fx}'s core (uploads held off) over a disk whose writes a test can fail. */
  private static FaultyChannels reopenOnAFaultyDisk(CoreFixture fx, MemoryGrid grid)
      throws Exception {
    fx.core.close();
    FaultyChannels disk = new FaultyChannels();
    fx.core = MountCore.open(fx.config(b -> b.coalesceDelay(HOUR).coalesceLimit(HOUR)), grid,
        disk);
    return disk;
  }

  /**
   * A create that finds the file there and fails after counting its open (the journal refuses
   * the record of the set-id bits its O_TRUNC drops) takes its count back: the file's next
   * open is its only one, so that open's close, after an unlink, is the last and gives the
   * pages back.
   */
  @Test
  void aFailedCreateOfAnExistingFileTakesItsOpenBack() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    grid.failWith(GridException.Kind.UNREACHABLE); // the uploader appends nothing meanwhile
    try (CoreFixture fx = heldFixture(grid, dir)) {
      try {
        FaultyChannels disk = reopenOnAFaultyDisk(fx, grid);
        MountCore c = fx.core;
        fx.put("/z", new byte[0]);
        c.chmod("/z", 04755);
        disk.failNextWriteAfter = 0;
        fails(FsError.IO, () -> createAs(c, "/z", MountCore.O_WRONLY | MountCore.O_TRUNC, U));
        assertThat(c.getattr("/z").mode()).as("the change undone").isEqualTo(04755);
        unlinkWhileOpen(fx, "/z", c.open("/z", MountCore.O_RDWR), 4);
      } finally {
        grid.heal(); // the close drains at once
      }
    }
  }

  /**
   * A create of a new file whose record the journal refuses (a full disk) leaves nothing behind:
   * no name, and no file data kept for the uploader ({@code WriteBack.files}, which only an
   * undone create would leave holding a file no entry names).
   */
  @Test
  void aNewFileWhoseCreateCannotBeJournaledLeavesNoFileDataTracked() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    grid.failWith(GridException.Kind.UNREACHABLE); // the uploader appends nothing meanwhile
    try (CoreFixture fx = heldFixture(grid, dir)) {
      try {
        FaultyChannels disk = reopenOnAFaultyDisk(fx, grid);
        MountCore c = fx.core;
        fx.put("/a", new byte[] {1});
        java.util.Set<Long> tracked = new java.util.HashSet<>(c.writeBack().files.keySet());
        assertThat(tracked).hasSize(1);
        disk.failNextWriteAfter = 0;
        fails(FsError.IO, () -> createAs(c, "/new", MountCore.O_RDWR, U));
        fails(FsError.NOT_FOUND, () -> c.getattr("/new"));
        assertThat(c.writeBack().files.keySet()).isEqualTo(tracked);
        c.release(createAs(c, "/new", MountCore.O_RDWR, U)); // once the disk takes it
        assertThat(c.writeBack().files).hasSize(2);
      } finally {
        grid.heal(); // the close drains at once
      }
    }
  }

  /**
   * open(2) with O_TRUNC on a file that is there marks its mtime and ctime for update (POSIX),
   * also when it was empty already: a create that finds an empty file keeps those times (for
   * root as for a user, set-id bits or none), after a crash before any upload and after a clean
   * remount, not only in memory.
   */
  @Test
  void anOTruncCreateOfAnEmptyFileKeepsItsNewTimes() throws Exception {
    java.time.Instant old = java.time.Instant.parse("2001-02-03T04:05:06Z");
    java.time.Instant later = old.plusSeconds(1000);
    java.util.concurrent.atomic.AtomicReference<java.time.Instant> now =
        new java.util.concurrent.atomic.AtomicReference<>(old);
    MemoryGrid grid = MemoryGrid.inMemory();
    try (CoreFixture fx = new CoreFixture(grid, null, dir, b -> b.clock(now::get))) {
      fx.put("/u", new byte[0]);
      fx.put("/r", new byte[0]);
      fx.core.sync(Duration.ofSeconds(30));
      grid.failWith(GridException.Kind.UNREACHABLE); // nothing leaves before the crash
      now.set(later);
      opens(fx.core, "/u", MountCore.O_WRONLY | MountCore.O_TRUNC, U);
      opens(fx.core, "/r", MountCore.O_WRONLY | MountCore.O_TRUNC, ROOT);
      for (String p : new String[] {"/u", "/r"}) {
        assertThat(fx.core.getattr(p).mtime()).as(p + " in memory").isEqualTo(later);
      }
      fx.crashAndReopen();
      for (String p : new String[] {"/u", "/r"}) {
        StatInfo st = fx.core.getattr(p);
        assertThat(st.mtime()).as(p + " from the journal").isEqualTo(later);
        assertThat(st.ctime()).as(p + " from the journal").isEqualTo(later);
        assertThat(st.size()).isZero();
      }
      grid.heal();
      fx.core.sync(Duration.ofSeconds(30));
      fx.closeAndReopen();
      for (String p : new String[] {"/u", "/r"}) {
        assertThat(fx.core.getattr(p).mtime()).as(p + " from the grid").isEqualTo(later);
      }
    }
  }
}
