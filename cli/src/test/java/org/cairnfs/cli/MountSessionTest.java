package org.cairnfs.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.cairnfs.caps.Cap;
import org.cairnfs.fs.fuse.FuseMount;
import org.cairnfs.fs.mount.MemoryGrid;
import org.cairnfs.fs.mount.MountStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A session's real FUSE mount (in this JVM, over the in-memory grid) driven the way the CLI
 * drives it from outside: {@code cairn sync} as fsync of the mount point, {@code cairn unmount}
 * as that barrier and fusermount, a read cap mounted read-only.
 */
class MountSessionTest {
  @TempDir
  Path dir;
  final StringWriter text = new StringWriter();
  final PrintWriter out = new PrintWriter(text, true);
  final MemoryGrid grid = MemoryGrid.inMemory();
  MountSession session;

  @BeforeEach
  void fuse() {
    requireFuse();
  }

  @AfterEach
  void cleanUp() throws Exception {
    if (session != null) {
      session.stop(Duration.ofSeconds(5), out);
    }
  }

  /** FUSE must work here; under CI=true its absence fails the test, elsewhere skips it. */
  static void requireFuse() {
    String missing = !Files.exists(Path.of("/dev/fuse")) ? "/dev/fuse is missing"
        : !Files.isExecutable(Path.of("/usr/bin/fusermount"))
            && !Files.isExecutable(Path.of("/usr/bin/fusermount3")) ? "fusermount is missing"
        : null;
    if (missing != null) {
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw new AssertionError("FUSE tests must run in CI: " + missing);
      }
      org.junit.jupiter.api.Assumptions.assumeTrue(false, missing);
    }
  }

  MountSession mount(String rootCap, Path mp) throws Exception {
    Files.createDirectories(mp);
    return MountSession.start(grid, rootCap, mp, new MountSession.Options(
        MountSession.defaultCacheDir(dir.resolve("node"), rootCap), 64L << 20, 64L << 20, false,
        Duration.ofSeconds(10), Duration.ofSeconds(20)));
  }

  @Test
  void syncPutsWritesOnTheGridAndUnmountFromOutsideEndsTheSessionClean() throws Exception {
    String root = grid.newRoot();
    Path mp = dir.resolve("mnt");
    session = mount(root, mp);
    assertThat(FuseMount.cairnMounts()).contains(mp.toAbsolutePath().normalize());
    assertThat(session.readOnly()).isFalse();
    Files.writeString(mp.resolve("a.txt"), "hello grid");
    Files.createDirectory(mp.resolve("sub"));

    assertThat(MountControl.sync(mp, Duration.ofSeconds(30), out)).isTrue();
    assertThat(grid.entries(root)).containsKeys("a.txt", "sub");
    Thread.sleep(2500); // the status file is rewritten every 2 s
    assertThat(MountStatusFile.describeRunning(dir.resolve("node"), java.time.Instant.now()))
        .containsExactly(mp.toAbsolutePath().normalize() + " (process "
            + ProcessHandle.current().pid() + "): everything on the grid");
    assertThat(new String(grid.content(grid.entries(root).get("a.txt").cap().orElseThrow()),
        StandardCharsets.UTF_8)).isEqualTo("hello grid");

    MountControl.unmount(mp, false);
    assertThat(FuseMount.isCairnMount(mp)).isFalse();
    session.awaitUnmounted();
    MountStatus end = session.stop(Duration.ofSeconds(10), out);
    assertThat(end.clean()).isTrue();
    assertThat(MountStatusFile.describeRunning(dir.resolve("node"), java.time.Instant.now()))
        .as("a stopped mount is not listed").isEmpty();
    assertThat(text.toString()).contains("unmounted " + mp.toAbsolutePath().normalize()
        + "; everything is on the grid");
    session = null;
  }

  @Test
  void pendingChangesAndFailingUploadsShowInTheNodesStatusUntilTheGridIsBack() throws Exception {
    String root = grid.newRoot();
    Path mp = dir.resolve("mnt");
    session = mount(root, mp);
    grid.failWith(org.cairnfs.fs.mount.GridException.Kind.UNREACHABLE);
    Files.writeString(mp.resolve("waits.txt"), "for the grid");
    assertThatThrownBy(() -> MountControl.sync(mp, Duration.ofSeconds(30), out))
        .as("the barrier reports the failure").isInstanceOf(CliException.class)
        .hasMessageContaining("Input/output error").hasMessageContaining("keeps retrying");
    long deadline = System.nanoTime() + 20_000_000_000L;
    List<String> lines = List.of();
    while (System.nanoTime() < deadline) {
      lines = MountStatusFile.describeRunning(dir.resolve("node"), java.time.Instant.now());
      if (!lines.isEmpty() && lines.get(0).contains("uploads fail")) {
        break;
      }
      Thread.sleep(200);
    }
    assertThat(lines).singleElement().asString().contains("changes pending")
        .contains("uploads fail (").contains("retrying");
    grid.heal();
    assertThat(MountControl.sync(mp, Duration.ofSeconds(60), out)).isTrue();
    assertThat(grid.entries(root)).containsKey("waits.txt");
  }

  @Test
  void aReadCapMountsReadOnlyAndWritesFailWithErofs() throws Exception {
    String root = grid.newRoot();
    try (var rw = new AutoCloseable() {
      final MountSession s = mount(root, dir.resolve("rw"));

      @Override
      public void close() {
        s.stop(Duration.ofSeconds(10), out);
      }
    }) {
      Files.writeString(dir.resolve("rw/kept.txt"), "seen read-only");
      assertThat(MountControl.sync(dir.resolve("rw"), Duration.ofSeconds(30), out)).isTrue();
    }
    String readCap = Cap.parse(root).readOnly().toString();
    Path ro = dir.resolve("ro");
    session = mount(MountSession.checkRoot(readCap), ro);
    assertThat(session.readOnly()).isTrue();
    assertThat(Files.readString(ro.resolve("kept.txt"))).isEqualTo("seen read-only");
    assertThatThrownBy(() -> Files.writeString(ro.resolve("new.txt"), "x"))
        .isInstanceOf(FileSystemException.class).hasMessageContaining("Read-only file system");
    assertThatThrownBy(() -> Files.delete(ro.resolve("kept.txt")))
        .isInstanceOf(FileSystemException.class).hasMessageContaining("Read-only file system");
  }

  @Test
  void aCacheDirServesOneRootOnly() throws Exception {
    Path cache = dir.resolve("cache");
    String a = grid.newRoot();
    String b = grid.newRoot();
    MountSession.claimCacheDir(cache, a);
    MountSession.claimCacheDir(cache, a);
    assertThatThrownBy(() -> MountSession.claimCacheDir(cache, b))
        .isInstanceOf(CliException.class).hasMessageContaining("belongs to a mount of another root");
    assertThat(MountSession.defaultCacheDir(dir, a)).isNotEqualTo(MountSession.defaultCacheDir(dir, b));
    assertThat(Files.readString(cache.resolve(MountSession.ROOT_MARK))).doesNotContain(a);
  }

  @Test
  void onlyADirectoryCapMountsAndSyncNamesWhatIsNotAMount() {
    assertThatThrownBy(() -> MountSession.checkRoot("cairn:nonsense"))
        .isInstanceOf(CliException.class).hasMessageContaining("only a directory can be mounted");
    assertThatThrownBy(() -> MountSession.checkRoot("plain words"))
        .isInstanceOf(CliException.class).hasMessageContaining("not a cap");
    assertThatThrownBy(() -> MountControl.requireMount(dir))
        .isInstanceOf(CliException.class).hasMessageContaining("is not a Cairn mount");
  }
}
