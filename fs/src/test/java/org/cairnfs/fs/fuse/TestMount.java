package org.cairnfs.fs.fuse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.cairnfs.caps.Cap;
import org.cairnfs.fs.mount.MemoryGrid;
import org.cairnfs.fs.mount.MountConfig;
import org.cairnfs.fs.mount.MountCore;
import org.cairnfs.fs.mount.MountStatus;
import org.junit.jupiter.api.Assumptions;

/**
 * A {@link MountCore} over a {@link MemoryGrid}, mounted through {@link FuseMount} in this JVM on
 * a fresh temp dir, so PIT sees the FUSE edge. {@link #close} always takes the mount down (a
 * lazy fusermount if the unmount fails) and removes the dir.
 */
final class TestMount implements AutoCloseable {
  /** The temp dirs' prefix; a mount left by a killed run is cleared by the next. */
  static final String PREFIX = "cairn-fusetest-";
  final Path dir;
  final MemoryGrid grid;
  final String rootCap;
  final MountCore core;
  final FuseMount mount;
  final Path mp;

  /**
   * A JVM stopped with the mount up (a PIT minion at its time-out) would hang exiting: its
   * files' last flush goes to its own mount. Aborting the connection first lets it go.
   */
  private final Thread abortAtExit;

  private TestMount(Path dir, MemoryGrid grid, String rootCap, MountCore core, FuseMount mount) {
    this.dir = dir;
    this.grid = grid;
    this.rootCap = rootCap;
    this.core = core;
    this.mount = mount;
    this.mp = mount.mountpoint();
    Path at = this.mp;
    this.abortAtExit = new Thread(() -> abortMount(at));
  }

  /**
   * FUSE (/dev/fuse, libfuse2, fusermount) and python3 must be here. Under CI (CI=true) a
   * missing one fails the test; elsewhere the test is skipped with the reason.
   */
  static void requireFuse() {
    String missing = null;
    try {
      FuseMount.checkFuseAvailable();
    } catch (IOException e) {
      missing = e.getMessage();
    }
    if (missing == null && !Files.isExecutable(Path.of("/usr/bin/fusermount"))
        && !Files.isExecutable(Path.of("/usr/bin/fusermount3"))) {
      missing = "fusermount is missing (apt-get install fuse3)";
    }
    if (missing == null && !onPath(Probe.PYTHON)) {
      missing = "python3 is missing";
    }
    if (missing != null) {
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw new AssertionError("FUSE tests must run in CI: " + missing);
      }
      Assumptions.assumeTrue(false, missing);
    }
    clearLeftovers();
  }

  private static boolean onPath(String exe) {
    if (exe.startsWith("/")) {
      return Files.isExecutable(Path.of(exe));
    }
    return Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
        .anyMatch(d -> !d.isEmpty() && Files.isExecutable(Path.of(d, exe)));
  }

  /**
   * Mounts a killed run left under our temp dirs. A PIT minion killed at its time-out cannot
   * even exit while a thread of it waits on its own mount (closing a file at exit sends a flush
   * nobody answers): such a mount hangs rather than fails. One whose root does not answer a
   * stat within seconds is aborted through the fuse control filesystem, then detached.
   */
  private static void clearLeftovers() {
    List<String> lines;
    try {
      lines = Files.readAllLines(Path.of("/proc/self/mountinfo"));
    } catch (IOException e) {
      return;
    }
    for (String line : lines) {
      String[] f = line.split(" ");
      int dash = java.util.Arrays.asList(f).indexOf("-");
      if (f.length < 5 || dash < 0 || dash + 1 >= f.length
          || !f[dash + 1].equals(FuseMount.FS_TYPE) || !f[4].contains(PREFIX)) {
        continue;
      }
      Path mp = Path.of(MountTable.unescape(f[4]));
      if (answers(mp)) {
        continue; // a live mount of another run: not ours to touch
      }
      abort(f[2]);
      lazyUnmount(mp);
    }
  }

  /** Aborts the FUSE connection of the mount at {@code mp}, if any, and detaches it. */
  static void abortMount(Path mp) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
        String[] f = line.split(" ");
        if (f.length > 4 && Path.of(MountTable.unescape(f[4])).equals(mp)) {
          abort(f[2]);
        }
      }
    } catch (IOException e) {
      // no mountinfo: nothing to abort
    }
    lazyUnmount(mp);
  }

  /** Whether a stat of {@code mp} answers within seconds (run apart: it may hang). */
  private static boolean answers(Path mp) {
    try {
      Process p = new ProcessBuilder("timeout", "-s", "KILL", "5", "stat", "-c", "%i",
          mp.toString()).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Aborts the FUSE connection of device {@code dev} ("0:40"), mounting fusectl if needed. */
  private static void abort(String dev) {
    Path connections = Path.of("/sys/fs/fuse/connections");
    try {
      if (MountTable.typeAt(connections).isEmpty()) {
        new ProcessBuilder("mount", "-t", "fusectl", "none", connections.toString())
            .redirectErrorStream(true).start().waitFor();
      }
      Path abort = connections.resolve(dev.substring(dev.indexOf(':') + 1)).resolve("abort");
      if (Files.exists(abort)) {
        Files.writeString(abort, "1");
      }
    } catch (IOException e) {
      // not root, or no fusectl: the lazy unmount still detaches it
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static TestMount start(Consumer<MountConfig.Builder> tweak) throws IOException {
    return start(tweak, false);
  }

  /** A new grid and root, mounted (read-only through the root's read cap if asked). */
  static TestMount start(Consumer<MountConfig.Builder> tweak, boolean readOnly)
      throws IOException {
    return start(tweak, readOnly, (grid, root, mp) -> { });
  }

  /** What a test does before the mount: fill the grid, prepare the mount point. */
  interface Before {
    void run(MemoryGrid grid, String rootCap, Path mountpoint) throws IOException;
  }

  static TestMount start(Consumer<MountConfig.Builder> tweak, boolean readOnly, Before before)
      throws IOException {
    Path dir = Files.createTempDirectory(PREFIX);
    MemoryGrid grid = MemoryGrid.inMemory();
    String root = grid.newRoot();
    Path mp = Files.createDirectories(dir.resolve("mnt point"));
    before.run(grid, root, mp);
    MountConfig.Builder b = MountConfig.builder(readOnly ? Cap.parse(root).readOnly().toString()
        : root, dir.resolve("cache"))
        .coalesceDelay(Duration.ofMillis(20))
        .retry(Duration.ofMillis(20), Duration.ofMillis(200));
    tweak.accept(b);
    MountCore core = MountCore.open(b.build(), grid);
    try {
      TestMount m = new TestMount(dir, grid, root, core,
          FuseMount.mount(core, mp, true, Duration.ofSeconds(20)));
      Runtime.getRuntime().addShutdownHook(m.abortAtExit);
      return m;
    } catch (IOException | RuntimeException e) {
      core.close(Duration.ZERO, s -> { });
      lazyUnmount(mp);
      throw e;
    }
  }

  /** Writes {@code data} as {@code name} in the root through a core of its own, drained. */
  static void seed(MemoryGrid grid, String rootCap, Path cache, String name, byte[] data)
      throws IOException {
    MountCore c = MountCore.open(MountConfig.builder(rootCap, cache)
        .coalesceDelay(Duration.ofMillis(1)).build(), grid);
    try {
      long fh = c.create("/" + name, 0644, MountCore.O_WRONLY, new org.cairnfs.fs.mount.Caller(
          0, 0));
      c.write(fh, java.nio.ByteBuffer.wrap(data), 0);
      c.flush(fh);
      c.release(fh);
    } catch (org.cairnfs.fs.mount.FsException e) {
      throw new IOException(e);
    } finally {
      if (!c.close(Duration.ofSeconds(10), s -> { }).clean()) {
        throw new IOException("the seed did not reach the grid");
      }
    }
  }

  /**
   * Links the read cap of a new directory holding file {@code f} into the root as {@code name}:
   * a read-only directory inside a writable mount, where the kernel lets every change through
   * and the core refuses it.
   */
  static void seedReadOnlyDir(MemoryGrid grid, String rootCap, Path cache, String name)
      throws IOException {
    String dirCap = grid.createDirectory().join();
    seed(grid, dirCap, cache, "f", "inside".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    java.time.Instant t = java.time.Instant.parse("2020-01-01T00:00:00Z");
    grid.applyChanges(rootCap, List.of(new org.cairnfs.fs.mount.EntryChange.Put(name,
        java.util.Optional.of(Cap.parse(dirCap).readOnly().toString()),
        org.cairnfs.fs.mount.NodeMetadata.of(org.cairnfs.caps.dirnode.EntryKind.DIRECTORY, 0,
            0755, t, t)))).join();
  }

  Path path(String rel) {
    return mp.resolve(rel);
  }

  /** Unmounts; on any failure detaches lazily. Removes the temp dir once nothing is mounted. */
  MountStatus unmount() throws IOException {
    try {
      return mount.unmount(Duration.ofSeconds(10), s -> { });
    } catch (IOException | RuntimeException e) {
      lazyUnmount(mp);
      throw e;
    }
  }

  @Override
  public void close() throws IOException {
    try {
      Runtime.getRuntime().removeShutdownHook(abortAtExit);
    } catch (IllegalStateException exiting) {
      // the hook runs
    }
    try {
      if (mount.mounted()) {
        unmount();
      }
    } finally {
      lazyUnmount(mp);
      delete(dir);
    }
  }

  /** fusermount -u -z, if the kernel still shows a mount there. */
  static void lazyUnmount(Path mp) {
    if (MountTable.typeAt(mp).isEmpty()) {
      return;
    }
    try {
      new ProcessBuilder("fusermount", "-u", "-z", mp.toString()).redirectErrorStream(true)
          .start().waitFor();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static void delete(Path dir) throws IOException {
    if (!Files.exists(dir) || MountTable.mountsOfType(FuseMount.FS_TYPE).stream()
        .anyMatch(p -> p.startsWith(dir))) {
      return;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }
}
