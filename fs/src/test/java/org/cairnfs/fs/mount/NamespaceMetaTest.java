package org.cairnfs.fs.mount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.cairnfs.fs.mount.MountCoreNamespaceTest.fails;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.cairnfs.caps.Cap;
import org.cairnfs.caps.LiteralCap;
import org.cairnfs.caps.MutableWriteCap;
import org.cairnfs.caps.dirnode.EntryKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Metadata calls as {@link NodeAttributes} and {@link NodeXattrs} answer them: utimens's
 * UTIME_NOW and UTIME_OMIT and the ctime they move, the calls that list their path first on a
 * mount that has listed nothing, and the cap xattrs of entries other writers made (a literal
 * file, a mutable file) and of the mount's root.
 */
class NamespaceMetaTest {
  static final Caller U = CoreFixture.USER;
  static final Instant OLD = Instant.parse("2001-02-03T04:05:06Z");
  @TempDir Path dir;

  /**
   * utimensat(2): each time is set to the one given, to now (UTIME_NOW), or left (UTIME_OMIT);
   * the ctime moves to now unless both are omitted; and what changed is journaled (a crash
   * before any upload keeps it).
   */
  @Test
  void utimensSetsEachTimeAsAskedAndTheCtimeUnlessBothAreOmitted() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    grid.failWith(GridException.Kind.UNREACHABLE); // nothing leaves before the crash
    AtomicReference<Instant> now = new AtomicReference<>(OLD);
    try (CoreFixture fx = new CoreFixture(grid, null, dir, b -> b.clock(now::get))) {
      MountCore c = fx.core;
      fx.put("/t", new byte[] {1});
      Instant t1 = OLD.plusSeconds(100);
      now.set(t1);
      c.utimens("/t", TimeSpec.OMIT, TimeSpec.NOW);
      StatInfo st = c.getattr("/t");
      assertThat(st.mtime()).as("UTIME_NOW").isEqualTo(t1);
      assertThat(st.ctime()).isEqualTo(t1);

      Instant t2 = OLD.plusSeconds(200);
      Instant given = OLD.plusSeconds(5);
      now.set(t2);
      c.utimens("/t", TimeSpec.OMIT, TimeSpec.at(given));
      st = c.getattr("/t");
      assertThat(st.mtime()).isEqualTo(given);
      assertThat(st.ctime()).as("an mtime alone moves the ctime").isEqualTo(t2);

      now.set(OLD.plusSeconds(300));
      c.utimens("/t", TimeSpec.OMIT, TimeSpec.OMIT);
      st = c.getattr("/t");
      assertThat(st.mtime()).isEqualTo(given);
      assertThat(st.ctime()).as("both omitted: nothing changes").isEqualTo(t2);

      fx.crashAndReopen();
      st = fx.core.getattr("/t");
      assertThat(st.mtime()).as("from the journal").isEqualTo(given);
      assertThat(st.ctime()).as("from the journal").isEqualTo(t2);
      grid.heal(); // the close drains at once
    }
  }

  /**
   * chmod (any call through {@code Namespace.meta}) and access(2) on a mount that has listed
   * nothing yet list the directories on their path first.
   */
  @Test
  void aMetadataChangeOrAnAccessCheckOnAFreshMountListsItsPathFirst() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    String root;
    try (CoreFixture fx = new CoreFixture(grid, null, dir.resolve("a"), b -> { })) {
      root = fx.rootCap;
      fx.core.mkdir("/d", 0755, U);
      fx.put("/d/g", new byte[] {4, 5, 6});
      fx.core.chmod("/d/g", 0640);
      fx.core.sync(Duration.ofSeconds(30));
    }
    try (CoreFixture fresh = new CoreFixture(grid, root, dir.resolve("b"), b -> { })) {
      fresh.core.access("/d/g", 4 | 2, U); // neither the root nor /d listed yet
      fails(FsError.ACCESS_DENIED, () -> fresh.core.access("/d/g", 4, new Caller(3000, 3000)));
    }
    try (CoreFixture fresh = new CoreFixture(grid, root, dir.resolve("c"), b -> { })) {
      fresh.core.chmod("/d/g", 0604); // neither the root nor /d listed yet
      assertThat(fresh.core.getattr("/d/g").mode()).isEqualTo(0604);
      fresh.core.sync(Duration.ofSeconds(30));
    }
    try (CoreFixture again = new CoreFixture(grid, root, dir.resolve("d"), b -> { })) {
      assertThat(again.core.getattr("/d/g").mode()).as("on the grid").isEqualTo(0604);
    }
  }

  private static String xattr(MountCore core, String path, String name) throws FsException {
    return new String(core.getxattr(path, name), StandardCharsets.US_ASCII);
  }

  private static byte[] fill(int seed) {
    byte[] b = new byte[32];
    Arrays.fill(b, (byte) seed);
    return b;
  }

  /**
   * The mount's root gives its write cap (the one mounted); a mutable file another writer put
   * in a writable directory gives its write cap, and through a read-only mount none; a literal
   * file (its bytes in its cap) has no verify cap, and says so.
   */
  @Test
  void capXattrsOfTheRootAndOfOtherWritersFiles() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    String root = grid.newRoot();
    String mutable = new MutableWriteCap(fill(1), fill(2)).toString();
    String literal = new LiteralCap("hi".getBytes(StandardCharsets.US_ASCII)).toString();
    grid.applyChanges(root, List.of(
        new EntryChange.Put("mut", Optional.of(mutable),
            NodeMetadata.of(EntryKind.FILE, 10, 0644, OLD, OLD)),
        new EntryChange.Put("lit", Optional.of(literal),
            NodeMetadata.of(EntryKind.FILE, 2, 0644, OLD, OLD)))).join();
    try (CoreFixture fx = new CoreFixture(grid, root, dir.resolve("rw"), b -> { })) {
      MountCore c = fx.core;
      assertThat(xattr(c, "/", MountCore.WRITECAP)).isEqualTo(root);
      assertThat(xattr(c, "/mut", MountCore.WRITECAP)).isEqualTo(mutable);
      assertThat(xattr(c, "/mut", MountCore.READCAP))
          .isEqualTo(Cap.parse(mutable).readOnly().toString());
      assertThat(xattr(c, "/lit", MountCore.READCAP)).isEqualTo(literal);
      assertThatThrownBy(() -> c.getxattr("/lit", MountCore.VERIFYCAP))
          .isInstanceOf(FsException.class)
          .hasMessageContaining("a literal has no verify cap")
          .extracting(e -> ((FsException) e).error()).isEqualTo(FsError.NO_ATTRIBUTE);
      fails(FsError.NO_ATTRIBUTE, () -> c.getxattr("/lit", MountCore.WRITECAP));
      // listed exactly where getxattr answers (rsync -X and cp -a get every name they list)
      assertThat(c.listxattr("/lit")).contains(MountCore.READCAP)
          .doesNotContain(MountCore.VERIFYCAP, MountCore.WRITECAP);
      assertThat(c.listxattr("/mut")).contains(MountCore.READCAP, MountCore.VERIFYCAP);
      // a pending file: from the size its version will have (literal up to 55 bytes)
      grid.literalSmallFiles = true;
      grid.failWith(GridException.Kind.UNREACHABLE);
      fx.put("/small", new byte[55]);
      fx.put("/big", new byte[56]);
      assertThat(c.listxattr("/small")).doesNotContain(MountCore.VERIFYCAP);
      assertThat(c.listxattr("/big")).contains(MountCore.VERIFYCAP);
      grid.heal();
    }
    String readCap = Cap.parse(root).readOnly().toString();
    try (CoreFixture ro = new CoreFixture(grid, readCap, dir.resolve("ro"), b -> { })) {
      fails(FsError.NO_ATTRIBUTE, () -> ro.core.getxattr("/", MountCore.WRITECAP));
      fails(FsError.NO_ATTRIBUTE, () -> ro.core.getxattr("/mut", MountCore.WRITECAP));
      assertThat(xattr(ro.core, "/mut", MountCore.READCAP))
          .isEqualTo(Cap.parse(mutable).readOnly().toString());
    }
  }

  /**
   * utimens with both times omitted changes nothing, so it journals nothing: the journal does
   * not grow, and nothing is published again.
   */
  @Test
  void utimensWithBothTimesOmittedJournalsNothing() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    try (CoreFixture fx = new CoreFixture(grid, null, dir, b -> { })) {
      fx.core.mkdir("/d", 0755, U);
      fx.put("/d/t", new byte[] {1});
      fx.core.sync(Duration.ofSeconds(30));
      Path journal = fx.cacheDir.resolve("journal");
      long size = java.nio.file.Files.size(journal);
      int published = grid.publishCount();
      StatInfo before = fx.core.getattr("/d/t");
      fx.core.utimens("/d/t", TimeSpec.OMIT, TimeSpec.OMIT);
      assertThat(java.nio.file.Files.size(journal)).isEqualTo(size);
      fx.core.sync(Duration.ofSeconds(30));
      assertThat(grid.publishCount()).isEqualTo(published);
      assertThat(fx.core.getattr("/d/t")).isEqualTo(before);
    }
  }
}
