package org.cairnfs.fs.fuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.cairnfs.fs.fuse.Probe.q;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.cairnfs.fs.mount.GridException;
import org.cairnfs.fs.mount.MemoryGrid;
import org.cairnfs.fs.mount.MountConfig;
import org.cairnfs.fs.mount.MountCore;
import org.cairnfs.fs.mount.MountStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * {@link FuseMount} with real mounts in this JVM: that mount returns once the kernel shows the
 * mount and fails with the reason when it cannot, clears a dead mount, refuses a live one;
 * that unmount waits until the mount is gone; read-only and write-through mounts.
 */
class FuseMountTest {
  static Probe p;

  @BeforeAll
  static void probe() throws IOException {
    TestMount.requireFuse();
    p = Probe.start();
  }

  @AfterAll
  static void stop() {
    if (p != null) {
      p.close();
    }
  }

  static void fusermountU(Path mp) throws Exception {
    Process u = new ProcessBuilder("fusermount", "-u", mp.toString()).redirectErrorStream(true)
        .start();
    String out = new String(u.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(u.waitFor()).as(out).isZero();
  }

  @Test
  void mountReturnsOnceShownAndUnmountWaitsUntilGone() throws Exception {
    Path dir = Files.createTempDirectory(TestMount.PREFIX);
    MemoryGrid grid = MemoryGrid.inMemory();
    String root = grid.newRoot();
    MountCore core = MountCore.open(MountConfig.builder(root, dir.resolve("cache"))
        .coalesceDelay(Duration.ofMillis(20)).build(), grid);
    Path mp = Files.createDirectories(dir.resolve("mnt point"));
    FuseMount mount = FuseMount.mount(core, dir.resolve("elsewhere/../mnt point"), true,
        Duration.ofSeconds(20));
    try {
      assertThat(mount.mountpoint()).isEqualTo(mp);
      assertThat(mount.mounted()).isTrue();
      assertDaemonThreads("cairn-fuse-loop");
      assertThat(FuseMount.isCairnMount(mp)).isTrue();
      assertThat(FuseMount.isCairnMount(dir)).isFalse();
      assertThat(MountTable.typeAt(mp)).contains(FuseMount.FS_TYPE);
      assertThat(FuseMount.cairnMounts()).contains(mp);
      assertThat(FuseMount.isCairnMount(Path.of("/"))).isFalse();
      // allow_other: another user gets in, but not to the caps (EACCES, and not listed)
      Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions
          .fromString("rwxr-xr-x"));
      assertThat(new String(core.getxattr("/", MountCore.READCAP),
          StandardCharsets.US_ASCII)).startsWith("cairn:");
      Process other = new ProcessBuilder("setpriv", "--reuid", "1000", "--regid", "1000",
          "--clear-groups", Probe.PYTHON, "-c", "import os, sys\n"
          + "p = sys.argv[1]\nos.listdir(p)\n"
          + "assert 'user.cairn.readcap' not in os.listxattr(p), os.listxattr(p)\n"
          + "try:\n  os.getxattr(p, 'user.cairn.readcap')\n  sys.exit('got the cap')\n"
          + "except PermissionError:\n  pass\n",
          mp.toString()).redirectErrorStream(true).start();
      String said = new String(other.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(other.waitFor()).as(said).isZero();
      // the first statfs with the grid unreachable has no figures to fall back on
      grid.failReadsWith(GridException.Kind.UNREACHABLE);
      assertThat(p.errno("os.statvfs(" + q(mp) + ")")).isEqualTo("EIO");
      grid.heal();
      Files.writeString(mp.resolve("f"), "kept");
      MountStatus s = mount.unmount(Duration.ofSeconds(10), st -> { });
      assertThat(s.clean()).isTrue();
      assertThat(mount.mounted()).isFalse();
      assertThat(FuseMount.isCairnMount(mp)).isFalse();
      assertThat(FuseMount.cairnMounts()).doesNotContain(mp);
      assertThat(grid.entries(root)).containsKey("f");
      mount.awaitUnmounted(); // returns at once
    } finally {
      TestMount.lazyUnmount(mp);
      TestMount.delete(dir);
    }
  }

  @Test
  void aMountpointThatIsNoDirectoryOrNotEmptyIsRefused() throws Exception {
    Path dir = Files.createTempDirectory(TestMount.PREFIX);
    MemoryGrid grid = MemoryGrid.inMemory();
    MountCore core = MountCore.open(MountConfig.builder(grid.newRoot(), dir.resolve("cache"))
        .build(), grid);
    try {
      Path file = Files.writeString(dir.resolve("file"), "x");
      assertThatThrownBy(() -> FuseMount.mount(core, file, true, Duration.ofSeconds(20)))
          .isInstanceOf(IOException.class).hasMessageContaining("is not a directory");
      assertThatThrownBy(() -> FuseMount.mount(core, dir.resolve("missing"), true,
          Duration.ofSeconds(20))).hasMessageContaining("is not a directory");
      // libfuse2 refuses a mount point with something in it: the FUSE loop ends at once
      Path full = Files.createDirectories(dir.resolve("full"));
      Files.writeString(full.resolve("inside"), "x");
      assertThatThrownBy(() -> FuseMount.mount(core, full, true, Duration.ofSeconds(20)))
          .hasMessageContaining("mounting " + full + " failed: ")
          .hasMessageContaining("Unable to mount FS");
      assertThat(MountTable.typeAt(full)).isEmpty();
    } finally {
      core.close(Duration.ZERO, s -> { });
      TestMount.delete(dir);
    }
  }

  @Test
  void aMountNotShownInTimeFails() throws Exception {
    Path dir = Files.createTempDirectory(TestMount.PREFIX);
    MemoryGrid grid = MemoryGrid.inMemory();
    MountCore core = MountCore.open(MountConfig.builder(grid.newRoot(), dir.resolve("cache"))
        .build(), grid);
    int timedOut = 0;
    long abandonThreads = 0;
    try {
      // with no time at all the mount is usually not shown at the first look, but five looks
      // in a row once all found it (ci83): tries up to the first that times out, many allowed
      for (int i = 0; i < 100 && timedOut == 0; i++) {
        Path mp = Files.createDirectories(dir.resolve("mnt" + i));
        try {
          FuseMount.mount(core, mp, true, Duration.ZERO);
          fusermountU(mp); // shown at the first look
        } catch (IOException e) {
          // the thread that takes the late mount down was started before the throw and lives
          // at least until it has run fusermount: it must not keep the JVM from exiting
          abandonThreads += Thread.getAllStackTraces().keySet().stream()
              .filter(t -> t.getName().equals("cairn-fuse-abandon"))
              .peek(t -> assertThat(t.isDaemon()).as("daemon").isTrue()).count();
          assertThat(e).hasMessageContaining("the kernel did not show the mount within PT0S");
          timedOut++;
          // the mount call goes on and the mount comes, later: mount takes it down itself, and
          // the mount's loop then ends (a mount left up keeps its loop thread)
          long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
          while (System.nanoTime() < deadline && Thread.getAllStackTraces().keySet().stream()
              .anyMatch(t -> t.getName().equals("cairn-fuse-abandon")
                  || t.getName().equals("cairn-fuse-loop"))) {
            Thread.sleep(5);
          }
          assertThat(MountTable.typeAt(mp)).as("the late mount taken down").isEmpty();
        } finally {
          TestMount.lazyUnmount(mp);
        }
      }
      assertThat(timedOut).isPositive();
      assertThat(abandonThreads).isPositive();
    } finally {
      core.close(Duration.ZERO, s -> { });
      TestMount.delete(dir);
    }
  }

  @Test
  void aMountpointBehindASymlinkIsMountedWhereTheKernelShowsIt() throws Exception {
    Path dir = Files.createTempDirectory(TestMount.PREFIX);
    MemoryGrid grid = MemoryGrid.inMemory();
    MountCore core = MountCore.open(MountConfig.builder(grid.newRoot(), dir.resolve("cache"))
        .build(), grid);
    Path real = Files.createDirectories(dir.resolve("real"));
    Path link = Files.createSymbolicLink(dir.resolve("link"), real);
    FuseMount mount = null;
    try {
      mount = FuseMount.mount(core, link, true, Duration.ofSeconds(3));
      assertThat(mount.mountpoint()).isEqualTo(real);
      assertThat(mount.mounted()).isTrue();
      assertThat(FuseMount.isCairnMount(link)).isTrue();
      Files.writeString(link.resolve("f"), "x");
      assertThat(mount.unmount(Duration.ofSeconds(10), s -> { }).clean()).isTrue();
      assertThat(MountTable.typeAt(real)).isEmpty();
    } finally {
      TestMount.lazyUnmount(real);
      if (mount == null) {
        core.close(Duration.ZERO, s -> { });
      }
      TestMount.delete(dir);
    }
  }

  @Test
  void aLiveMountIsRefusedAndADeadOneCleared() throws Exception {
    try (TestMount m = TestMount.start(b -> { }, false, (grid, root, mp) -> {
      mountDead(mp);
      assertThat(MountTable.typeAt(mp)).contains(FuseMount.FS_TYPE);
      assertThat(p.errno("os.listdir(" + q(mp) + ")")).isEqualTo("ENOTCONN");
    })) {
      Files.writeString(m.path("f"), "works");
      assertThat(Files.readString(m.path("f"))).isEqualTo("works");
      assertThat(FuseMount.cairnMounts().stream().filter(m.mp::equals).count()).isEqualTo(1);
      assertThatThrownBy(() -> FuseMount.mount(m.core, m.mp, true, Duration.ofSeconds(5)))
          .hasMessageContaining("is already mounted (fuse.cairn)");
      assertThat(m.mount.mounted()).isTrue();
    }
  }

  /** A `fuse.cairn` mount at {@code mp} whose process died: every call answers ENOTCONN. */
  static void mountDead(Path mp) {
    p.ok("fd = os.open('/dev/fuse', os.O_RDWR); chk(libc.mount(b'cairn', " + q(mp)
        + ".encode(), b'fuse.cairn', 0, ('fd=%d,rootmode=40000,user_id=0,group_id=0' % fd)"
        + ".encode())); os.close(fd)");
  }

  @Test
  void aDeadMountOnAnotherIsClearedOneAtATime() throws Exception {
    Path dir = Files.createTempDirectory(TestMount.PREFIX);
    Path mp = Files.createDirectories(dir.resolve("dead"));
    try {
      mountDead(mp);
      mountDead(mp);
      // the lazy unmount detaches the top one; what shows after it is still in the way
      assertThatThrownBy(() -> FuseMount.clearStale(mp)).isInstanceOf(IOException.class)
          .hasMessage("could not clear the stale mount at " + mp);
      assertThat(MountTable.typeAt(mp)).contains(FuseMount.FS_TYPE);
      FuseMount.clearStale(mp);
      assertThat(MountTable.typeAt(mp)).isEmpty();
    } finally {
      for (int i = 0; i < 3; i++) {
        TestMount.lazyUnmount(mp);
      }
      TestMount.delete(dir);
    }
  }

  @Test
  void aDeadMountSomeoneStillHoldsIsDetached() throws Exception {
    Path dir = Files.createTempDirectory(TestMount.PREFIX);
    Path mp = Files.createDirectories(dir.resolve("dead"));
    try {
      mountDead(mp);
      // a descriptor on it keeps it busy: a plain unmount fails, a lazy one detaches it
      p.ok("held = os.open(" + q(mp) + ", os.O_PATH)");
      FuseMount.clearStale(mp);
      assertThat(MountTable.typeAt(mp)).isEmpty();
    } finally {
      p.ok("os.close(held)");
      TestMount.lazyUnmount(mp);
      TestMount.delete(dir);
    }
  }

  /** The live threads of this name: at least one, and none keeps the JVM from exiting. */
  static void assertDaemonThreads(String name) {
    assertThat(Thread.getAllStackTraces().keySet()).filteredOn(t -> t.getName().equals(name))
        .as(name).isNotEmpty().allMatch(Thread::isDaemon);
  }

  /**
   * A `fuse.cairn` mount at {@code mp} whose daemon never answers: the probe holds the device
   * and reads nothing; {@code os.close(hfd)} aborts it, failing whatever waits with ENOTCONN.
   */
  static void mountHung(Path mp) {
    p.ok("hfd = os.open('/dev/fuse', os.O_RDWR); chk(libc.mount(b'cairn', " + q(mp)
        + ".encode(), b'fuse.cairn', 0, ('fd=%d,rootmode=40000,user_id=0,group_id=0' % hfd)"
        + ".encode()))");
  }

  @Test
  void aHungMountIsToldWithoutAskingIt() throws Exception {
    Path dir = Files.createTempDirectory(TestMount.PREFIX);
    Path mp = Files.createDirectories(dir.resolve("hung"));
    try {
      mountHung(mp); // a stat of the mount point would wait for ever
      CompletableFuture<Boolean> told = CompletableFuture.supplyAsync(
          () -> FuseMount.isCairnMount(mp));
      assertThat(told.get(5, TimeUnit.SECONDS)).isTrue();
    } finally {
      p.ok("os.close(hfd)"); // the connection is aborted: anything waiting gets ENOTCONN
      TestMount.lazyUnmount(mp);
      TestMount.delete(dir);
    }
  }

  @Test
  void aHungMountIsRefusedWithinTheCheckNotWaitedForEver() throws Exception {
    Path dir = Files.createTempDirectory(TestMount.PREFIX);
    Path mp = Files.createDirectories(dir.resolve("hung"));
    try {
      mountHung(mp);
      CompletableFuture<Void> cleared = CompletableFuture.runAsync(() -> {
        try {
          FuseMount.clearStale(mp);
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      assertThatThrownBy(() -> cleared.get(FuseMount.STALE_CHECK.toSeconds() + 20,
          TimeUnit.SECONDS))
          .hasRootCauseInstanceOf(IOException.class)
          .hasMessageContaining("did not answer within 5 s")
          .hasMessageContaining("fusermount -u -z " + mp);
      assertThat(MountTable.typeAt(mp)).as("left as it was").contains(FuseMount.FS_TYPE);
      assertDaemonThreads("cairn-fuse-stale-check"); // still waiting for its answer
    } finally {
      p.ok("os.close(hfd)"); // the connection is aborted: the waiting opendir gets ENOTCONN
      TestMount.lazyUnmount(mp);
      TestMount.delete(dir);
    }
  }

  @Test
  void unmountWaitsWhileTheMountIsBusy() throws Exception {
    Logger log = (Logger) LoggerFactory.getLogger(FuseMount.class);
    ListAppender<ILoggingEvent> seen = new ListAppender<>();
    seen.start();
    try (TestMount m = TestMount.start(b -> { })) {
      log.addAppender(seen);
      Files.writeString(m.path("f"), "x");
      p.ok("os.chdir(" + q(m.mp) + ")");
      CompletableFuture<MountStatus> unmounted = CompletableFuture.supplyAsync(() -> {
        try {
          return m.mount.unmount(Duration.ofSeconds(10), s -> { });
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      try {
        Thread.sleep(500);
        assertThat(unmounted).isNotDone(); // fusermount -u failed: busy
        assertThat(m.mount.mounted()).isTrue();
        assertThat(seen.list).extracting(ILoggingEvent::getFormattedMessage)
            .anyMatch(msg -> msg.contains("fusermount -u " + m.mp + " said: ")
                && msg.contains("busy"));
      } finally {
        p.ok("os.chdir('/')"); // else the mount's close waits 30 s on it
      }
      fusermountU(m.mp);
      assertThat(unmounted.get(20, TimeUnit.SECONDS).clean()).isTrue();
      assertThat(m.mount.mounted()).isFalse();
      assertThat(m.grid.entries(m.rootCap)).containsKey("f");
    } finally {
      log.detachAppender(seen);
      p.ok("os.chdir('/')");
    }
  }

  @Test
  void awaitUnmountedReturnsWhenSomeoneElseUnmounts() throws Exception {
    try (TestMount m = TestMount.start(b -> { })) {
      CompletableFuture<Void> gone = CompletableFuture.runAsync(m.mount::awaitUnmounted);
      Thread.sleep(300);
      assertThat(gone).isNotDone();
      fusermountU(m.mp);
      gone.get(10, TimeUnit.SECONDS);
      assertThat(m.mount.mounted()).isFalse();
      assertThat(m.unmount().clean()).isTrue();
    }
  }

  @Test
  void aReadOnlyMountReadsAndRefusesEveryChange() throws Exception {
    byte[] data = "on the grid".getBytes(StandardCharsets.UTF_8);
    try (TestMount m = TestMount.start(b -> { }, true, (grid, root, mp) ->
        TestMount.seed(grid, root, mp.resolveSibling("seed-cache"), "f", data))) {
      assertThat(m.core.readOnly()).isTrue();
      assertThat(Files.readAllBytes(m.path("f"))).isEqualTo(data);
      String f = q(m.path("f"));
      assertThat(p.num("os.statvfs(" + q(m.mp) + ").f_flag & os.ST_RDONLY")).isNotZero();
      assertThat(p.errno("os.open(" + q(m.path("g")) + ", os.O_CREAT | os.O_WRONLY)"))
          .isEqualTo("EROFS");
      assertThat(p.errno("os.open(" + f + ", os.O_WRONLY)")).isEqualTo("EROFS");
      assertThat(p.errno("os.mkdir(" + q(m.path("d")) + ")")).isEqualTo("EROFS");
      assertThat(p.errno("os.unlink(" + f + ")")).isEqualTo("EROFS");
      assertThat(p.errno("os.truncate(" + f + ", 0)")).isEqualTo("EROFS");
      assertThat(p.errno("os.setxattr(" + f + ", 'user.k', b'v')")).isEqualTo("EROFS");
      assertThat(p.errno("os.chmod(" + f + ", 0o600)")).isEqualTo("EROFS");
      assertThat(p.ok("os.getxattr(" + f + ", " + q(MountCore.READCAP) + ").decode()"))
          .startsWith("cairn:chk:");
    }
  }

  @Test
  void aWriteThroughMountHasTheFileOnTheGridWhenCloseReturns() throws Exception {
    // the uploader would wait a minute after the release: only the flush at close uploads
    try (TestMount m = TestMount.start(b -> b.writeThrough(true)
        .coalesceDelay(Duration.ofMinutes(1)))) {
      Files.writeString(m.path("f"), "through");
      assertThat(m.grid.entries(m.rootCap)).containsKey("f");
      assertThat(m.core.status().clean()).isTrue();
      // and a close that cannot reach the grid says so
      p.ok("fd = os.open(" + q(m.path("g")) + ", os.O_CREAT | os.O_WRONLY, 0o644)");
      p.ok("os.write(fd, b'full')");
      m.grid.failWith(GridException.Kind.FULL);
      try {
        assertThat(p.errno("os.close(fd)")).isEqualTo("ENOSPC");
      } finally {
        m.grid.heal();
      }
      m.core.sync(Duration.ofSeconds(10));
      assertThat(m.grid.entries(m.rootCap)).containsKey("g");
    }
  }

  @Test
  void aMountStackedOnTopHidesTheCairnMount() throws Exception {
    try (TestMount m = TestMount.start(b -> { })) {
      p.ok("chk(libc.mount(b'none', " + q(m.mp) + ".encode(), b'tmpfs', 0, None))");
      try {
        assertThat(MountTable.typeAt(m.mp)).contains("tmpfs");
        assertThat(m.mount.mounted()).isFalse();
        assertThat(FuseMount.isCairnMount(m.mp)).isFalse();
        assertThat(FuseMount.cairnMounts()).doesNotContain(m.mp);
      } finally {
        p.ok("chk(libc.umount2(" + q(m.mp) + ".encode(), 0))");
      }
      assertThat(m.mount.mounted()).isTrue();
      assertThat(FuseMount.cairnMounts()).contains(m.mp);
    }
  }
}
