package org.cairnfs.fs.mount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Owners on the grid ({@link NodeOwner}): what chown sets, or a node made by another user, comes
 * back after a remount and in another mount; entries of the mounting user carry nothing, and the
 * owner never shows as an xattr.
 */
class MountCoreOwnersTest {
  static final Caller U = CoreFixture.USER;
  static final Caller ROOT = new Caller(0, 0);
  @TempDir
  Path dir;

  /** The xattrs the grid's entry {@code name} of the root directory carries. */
  private static Map<String, byte[]> entryXattrs(CoreFixture fx, String name) throws Exception {
    return fx.grid.list(fx.rootCap).get(10, TimeUnit.SECONDS).stream()
        .filter(e -> e.name().equals(name)).findFirst().orElseThrow().metadata().xattrs();
  }

  @Test
  void anOwnerSetByChownComesBackAfterARemount() throws Exception {
    try (CoreFixture fx = new CoreFixture(dir.resolve("c"))) {
      fx.put("/f", new byte[] {1});
      fx.core.mkdir("/d", 0755, U);
      fx.core.symlink("f", "/l", U);
      fx.core.chown("/f", 4242, 4343, ROOT);
      fx.core.chown("/d", -1, 4343, ROOT);
      fx.core.chown("/l", 0, 0, ROOT);
      fx.core.sync(Duration.ofSeconds(10));
      fx.closeAndReopen();
      assertThat(fx.core.getattr("/f").uid()).isEqualTo(4242);
      assertThat(fx.core.getattr("/f").gid()).isEqualTo(4343);
      assertThat(fx.core.getattr("/d").uid()).isEqualTo(1000);
      assertThat(fx.core.getattr("/d").gid()).isEqualTo(4343);
      assertThat(fx.core.getattr("/l").uid()).isZero();
      assertThat(fx.get("/f")).containsExactly(1);
      // kept on the grid as the reserved xattr, u32 big-endian
      assertThat(entryXattrs(fx, "f")).containsOnlyKeys(NodeOwner.XATTR);
      assertThat(entryXattrs(fx, "f").get(NodeOwner.XATTR))
          .isEqualTo(ByteBuffer.allocate(8).putInt(4242).putInt(4343).array());
      // and never shown as an xattr
      assertThat(fx.core.listxattr("/f")).doesNotContain(NodeOwner.XATTR);
      assertThatThrownBy(() -> fx.core.getxattr("/f", NodeOwner.XATTR))
          .isInstanceOfSatisfying(FsException.class,
              e -> assertThat(e.error()).isEqualTo(FsError.NO_ATTRIBUTE));
      assertThatThrownBy(() -> fx.core.setxattr("/f", NodeOwner.XATTR, new byte[8], 0))
          .isInstanceOfSatisfying(FsException.class,
              e -> assertThat(e.error()).isEqualTo(FsError.NOT_SUPPORTED));
    }
  }

  /**
   * The root has no entry to keep its attributes in: they are kept in the cache dir, so a
   * chmod 700 of the mount point (to keep other users out) holds after a kill and a remount.
   */
  @Test
  void theRootsModeOwnerAndTimesComeBackAfterAKillAndAfterAClose() throws Exception {
    Instant t = Instant.parse("2011-11-11T11:11:11.123456789Z");
    try (CoreFixture fx = new CoreFixture(dir.resolve("c"))) {
      fx.core.chmod("/", 0700);
      fx.core.chown("/", 4242, 4343, ROOT);
      fx.core.utimens("/", new TimeSpec.Omit(), new TimeSpec.At(t));
      fx.crashAndReopen();
      StatInfo s = fx.core.getattr("/");
      assertThat(s.mode() & 07777).isEqualTo(0700);
      assertThat(s.uid()).isEqualTo(4242);
      assertThat(s.gid()).isEqualTo(4343);
      assertThat(s.mtime()).isEqualTo(t);
      fx.put("/f", new byte[] {1}); // changes the root's mtime: kept at the close
      Instant changed = fx.core.getattr("/").mtime();
      assertThat(changed).isAfter(t);
      fx.closeAndReopen();
      assertThat(fx.core.getattr("/").mtime()).isEqualTo(changed);
      assertThat(fx.core.getattr("/").mode() & 07777).isEqualTo(0700);
    }
  }

  /**
   * A cap grants what it names whatever the modes say: the cap attributes are the mounting
   * user's and root's. Another user, even the owner of the node, neither reads nor lists them,
   * and keeps its own user attributes.
   */
  @Test
  void capAttributesAreOnlyTheMountingUsersAndRoots() throws Exception {
    Caller other = new Caller(2000, 2001);
    try (CoreFixture fx = new CoreFixture(dir.resolve("c"))) {
      fx.put("/f", new byte[] {1, 2, 3});
      fx.core.mkdir("/d", 0755, U);
      long fh = fx.core.create("/theirs", 0644, MountCore.O_WRONLY | MountCore.O_CREAT, other);
      fx.core.release(fh);
      fx.core.setxattr("/theirs", "user.note", new byte[] {9}, 0);
      fx.core.sync(Duration.ofSeconds(10));
      for (String path : List.of("/", "/f", "/d", "/theirs")) {
        for (String name : List.of(MountCore.READCAP, MountCore.WRITECAP,
            MountCore.VERIFYCAP)) {
          assertThatThrownBy(() -> fx.core.getxattr(path, name, other)).as(path + " " + name)
              .isInstanceOfSatisfying(FsException.class,
                  e -> assertThat(e.error()).isEqualTo(FsError.ACCESS_DENIED));
        }
        assertThat(fx.core.listxattr(path, other)).as(path)
            .doesNotContain(MountCore.READCAP, MountCore.VERIFYCAP);
        for (Caller may : List.of(U, ROOT)) {
          assertThat(new String(fx.core.getxattr(path, MountCore.READCAP, may),
              StandardCharsets.US_ASCII)).startsWith("cairn:");
          assertThat(fx.core.listxattr(path, may)).contains(MountCore.READCAP);
        }
      }
      assertThat(new String(fx.core.getxattr("/d", MountCore.WRITECAP, ROOT),
          StandardCharsets.US_ASCII)).startsWith("cairn:");
      assertThat(fx.core.getxattr("/theirs", "user.note", other)).containsExactly(9);
      assertThat(fx.core.listxattr("/theirs", other)).containsExactly("user.note");
    }
  }

  @Test
  void nodesMadeByAnotherUserKeepTheirOwnerAndTheMountingUsersCarryNone() throws Exception {
    Caller other = new Caller(2000, 2001);
    try (CoreFixture fx = new CoreFixture(dir.resolve("c"))) {
      long fh = fx.core.create("/theirs", 0644, MountCore.O_WRONLY | MountCore.O_CREAT, other);
      fx.core.release(fh);
      fx.core.mkdir("/their-dir", 0755, other);
      fx.put("/mine", new byte[] {2});
      fx.core.setxattr("/mine", "user.k", new byte[] {3}, 0);
      fx.core.chown("/mine", 1000, 1000, U); // cp -p as the mounting user: changes nothing
      fx.core.sync(Duration.ofSeconds(10));
      fx.closeAndReopen();
      assertThat(fx.core.getattr("/theirs").uid()).isEqualTo(2000);
      assertThat(fx.core.getattr("/theirs").gid()).isEqualTo(2001);
      assertThat(fx.core.getattr("/their-dir").uid()).isEqualTo(2000);
      assertThat(fx.core.getattr("/mine").uid()).isEqualTo(1000);
      // the mounting user's entries stay as they were before owners were kept
      assertThat(entryXattrs(fx, "mine")).containsOnlyKeys("user.k");
      assertThat(fx.core.listxattr("/mine")).contains("user.k");
    }
  }

  /** An owner once set stays on the grid, also when set back to the mounting user. */
  @Test
  void anOwnerSetBackToTheMountingUserIsStillKept() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    try (CoreFixture fx = new CoreFixture(grid, null, dir.resolve("a"), b -> { })) {
      fx.put("/f", new byte[] {1});
      fx.core.chown("/f", 4242, -1, ROOT);
      fx.core.chown("/f", 1000, -1, ROOT);
      fx.core.sync(Duration.ofSeconds(10));
      // another user's mount of the same directory shows the owner the grid keeps
      try (CoreFixture other = new CoreFixture(grid, fx.rootCap, dir.resolve("b"),
          b -> b.owner(3000, 3000))) {
        assertThat(other.core.getattr("/f").uid()).isEqualTo(1000);
        assertThat(other.core.getattr("/f").gid()).isEqualTo(1000);
      }
    }
  }

  /** Another mount's chown shows in a listing refreshed after the directory TTL. */
  @Test
  void anotherMountsChownShowsAfterARefresh() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    try (CoreFixture w = new CoreFixture(grid, null, dir.resolve("w"), b -> { })) {
      w.put("/f", new byte[] {1});
      w.core.sync(Duration.ofSeconds(10));
      try (CoreFixture r = new CoreFixture(grid, w.rootCap, dir.resolve("r"),
          b -> b.directoryTtl(Duration.ZERO))) {
        assertThat(r.core.getattr("/f").uid()).isEqualTo(1000);
        w.core.chown("/f", 4242, 4343, ROOT);
        w.core.sync(Duration.ofSeconds(10));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (r.core.getattr("/f").uid() != 4242 && System.nanoTime() < deadline) {
          r.core.readdir("/");
          Thread.sleep(20);
        }
        assertThat(r.core.getattr("/f").uid()).isEqualTo(4242);
        assertThat(r.core.getattr("/f").gid()).isEqualTo(4343);
        assertThat(r.core.listxattr("/f")).doesNotContain(NodeOwner.XATTR);

        // another client rewrites the entry without an owner: the mounting user's again
        RemoteEntry kept = grid.entries(w.rootCap).get("f");
        NodeMetadata bare = kept.metadata().withXattrs(
            NodeOwner.without(kept.metadata().xattrs()));
        grid.applyChanges(w.rootCap, List.of(new EntryChange.Put("f", kept.cap(), bare)))
            .get(10, TimeUnit.SECONDS);
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (r.core.getattr("/f").uid() != 1000 && System.nanoTime() < deadline) {
          r.core.readdir("/");
          Thread.sleep(20);
        }
        assertThat(r.core.getattr("/f").uid()).isEqualTo(1000);
        assertThat(r.core.getattr("/f").gid()).isEqualTo(1000);
      }
    }
  }

  /** A grid that keeps no xattrs keeps no owners either: they live in memory, as before. */
  @Test
  void aGridWithoutXattrsKeepsOwnersInMemoryOnly() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    grid.keepXattrs(false);
    try (CoreFixture fx = new CoreFixture(grid, null, dir.resolve("c"),
        b -> b.directoryTtl(Duration.ZERO))) {
      fx.put("/f", new byte[] {1});
      fx.core.chown("/f", 4242, -1, ROOT);
      assertThat(fx.core.getattr("/f").uid()).isEqualTo(4242);
      fx.core.sync(Duration.ofSeconds(10));
      assertThat(entryXattrs(fx, "f")).isEmpty();
      // a refreshed listing, whose entry carries no owner, leaves the one in memory
      for (int i = 0; i < 3; i++) {
        fx.core.readdir("/");
        Thread.sleep(20);
      }
      assertThat(fx.core.getattr("/f").uid()).isEqualTo(4242);
      fx.closeAndReopen();
      assertThat(fx.core.getattr("/f").uid()).isEqualTo(1000);
    }
  }
}
