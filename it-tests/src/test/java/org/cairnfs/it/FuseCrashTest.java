package org.cairnfs.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mount process killed with SIGKILL in the middle of a copy: the next mount clears the
 * stale mount point, replays the journal, and shows every file whose close had returned
 * intact; the others are absent, empty or a whole earlier version, never torn. And a read-cap
 * mount of the same grid shows the same tree and refuses every write with EROFS.
 */
class FuseCrashTest {
  @TempDir
  Path work;
  MountProcess mount;
  GridHost grid;

  @AfterEach
  void cleanUp() throws Exception {
    if (mount != null) {
      mount.cleanUp();
    }
    if (grid != null) {
      grid.close();
    }
  }

  static byte[] content(int file, int version) {
    Random r = new Random(file * 31L + version);
    byte[] b = new byte[1 + r.nextInt(version == 1 ? 40_000 : 150_000)];
    r.nextBytes(b);
    return b;
  }

  @Test
  void killDuringACopyLosesNothingWhoseCloseReturned() throws Exception {
    MountProcess.requireFuse();
    Path mp = work.resolve("mnt");
    mount = MountProcess.start(work.resolve("grid"), work.resolve("cache"), mp,
        work.resolve("logs/m1.log"));
    Path dir = Files.createDirectories(mp.resolve("copy"));
    Map<Integer, Integer> closed = new ConcurrentHashMap<>(); // file -> version closed
    Map<Integer, Integer> started = new ConcurrentHashMap<>();
    Thread writer = copy(dir, closed, started);
    awaitClosed(closed, 120, writer);
    mount.kill();
    writer.join(60_000);
    assertThat(closed.size()).isGreaterThanOrEqualTo(100);
    Map<Integer, Integer> closedAtKill = Map.copyOf(closed);

    mount = MountProcess.start(work.resolve("grid"), work.resolve("cache"), mp,
        work.resolve("logs/m2.log")); // clears the stale mount point itself
    check(mp.resolve("copy"), closedAtKill, started);
    assertThat(mount.unmount()).contains("UNMOUNTED clean");

    // a new cache dir: what the grid alone holds
    mount = MountProcess.start(work.resolve("grid"), work.resolve("cache-fresh"), mp,
        work.resolve("logs/m3.log"));
    check(mp.resolve("copy"), closedAtKill, started);
  }

  @Test
  void aRewriteWithOTruncKilledBeforeItsCloseLeavesTheLastClosedVersion() throws Exception {
    MountProcess.requireFuse();
    Path mp = work.resolve("mnt");
    mount = MountProcess.start(work.resolve("grid"), work.resolve("cache"), mp,
        work.resolve("logs/t1.log"));
    Path f = mp.resolve("config");
    Files.write(f, content(7, 1));
    Path g = mp.resolve("never-written");
    Files.write(g, content(8, 1));
    // the O_TRUNC opens return and one of them writes, but neither handle is ever closed
    FileChannel rewrite = FileChannel.open(f, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING);
    rewrite.write(ByteBuffer.wrap(content(7, 2), 0, 1000));
    FileChannel emptied = FileChannel.open(g, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING);
    assertThat(Files.size(f)).isEqualTo(1000);
    assertThat(Files.size(g)).isZero();
    mount.kill();
    closeQuietly(rewrite);
    closeQuietly(emptied);

    mount = MountProcess.start(work.resolve("grid"), work.resolve("cache"), mp,
        work.resolve("logs/t2.log"));
    assertSame(f, 7, 1);
    assertSame(g, 8, 1);
    // a closed O_TRUNC open with nothing written does empty the file
    FileChannel.open(g, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING).close();
    mount.kill();
    mount = MountProcess.start(work.resolve("grid"), work.resolve("cache"), mp,
        work.resolve("logs/t3.log"));
    assertThat(Files.size(g)).isZero();
    assertSame(f, 7, 1);
  }

  private static void assertSame(Path p, int file, int version) throws IOException {
    byte[] got = Files.readAllBytes(p);
    assertThat(java.util.Arrays.equals(got, content(file, version)))
        .as("%s holds version %d: %s", p.getFileName(), version, describe(got, file)).isTrue();
  }

  private static void closeQuietly(FileChannel ch) {
    try {
      ch.close();
    } catch (IOException expected) {
      // the mount is gone
    }
  }

  /** A copy that also rewrites earlier files in place, until the mount dies under it. */
  static Thread copy(Path dir, Map<Integer, Integer> closed, Map<Integer, Integer> started) {
    Thread writer = new Thread(() -> {
      try {
        for (int i = 0; ; i++) {
          started.put(i, 1);
          Files.write(dir.resolve("f" + i), content(i, 1));
          closed.put(i, 1);
          if (i % 7 == 6) { // rewrite an earlier file in place
            int j = i - 5;
            started.put(j, 2);
            Files.write(dir.resolve("f" + j), content(j, 2));
            closed.put(j, 2);
          }
        }
      } catch (IOException | RuntimeException expected) {
        // the mount died under us
      }
    }, "copy");
    writer.start();
    return writer;
  }

  static void awaitClosed(Map<Integer, Integer> closed, int count, Thread writer)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (closed.size() < count && System.nanoTime() < deadline && writer.isAlive()) {
      Thread.sleep(10);
    }
  }

  @Test
  void serversKilledDownToKDuringTheBacklogThenTheMountKilledLoseNothing() throws Exception {
    MountProcess.requireFuse();
    grid = GridHost.start(work.resolve("servers"), 5);
    String[] flags = grid.mountFlags(2, 4, 5);
    Path mp = work.resolve("mnt");
    mount = MountProcess.start(work.resolve("grid"), work.resolve("cache"), mp,
        work.resolve("logs/k1.log"), flags);
    Path dir = Files.createDirectories(mp.resolve("copy"));
    Map<Integer, Integer> closed = new ConcurrentHashMap<>();
    Map<Integer, Integer> started = new ConcurrentHashMap<>();
    Thread writer = copy(dir, closed, started);
    awaitClosed(closed, 30, writer);
    for (int s = 2; s < 5; s++) { // down to k = 2: nothing can reach happiness (4) now
      grid.kill(s);
    }
    int atKill = closed.size();
    awaitClosed(closed, atKill + 40, writer); // closes still return: the backlog grows
    mount.kill();
    writer.join(60_000);
    assertThat(closed.size()).isGreaterThanOrEqualTo(atKill + 30);
    Map<Integer, Integer> closedAtKill = Map.copyOf(closed);

    // still only k servers: the journal replays, files read from the spool or from k shares
    mount = MountProcess.start(work.resolve("grid"), work.resolve("cache"), mp,
        work.resolve("logs/k2.log"), flags);
    check(mp.resolve("copy"), closedAtKill, started);
    for (int s = 2; s < 5; s++) {
      grid.restart(s);
    }
    String out = mount.unmount();
    for (int i = 3; i <= 6 && !out.contains("UNMOUNTED clean"); i++) { // the backlog drains
      mount = MountProcess.start(work.resolve("grid"), work.resolve("cache"), mp,
          work.resolve("logs/k" + i + ".log"), flags);
      out = mount.unmount();
    }
    assertThat(out).contains("UNMOUNTED clean");
    mount = MountProcess.start(work.resolve("grid"), work.resolve("cache-fresh"), mp,
        work.resolve("logs/k-fresh.log"), flags);
    check(mp.resolve("copy"), closedAtKill, started);
  }

  private static void check(Path dir, Map<Integer, Integer> closed,
      Map<Integer, Integer> started) throws IOException {
    for (Map.Entry<Integer, Integer> e : closed.entrySet()) {
      int i = e.getKey();
      byte[] got = Files.readAllBytes(dir.resolve("f" + i));
      int v = e.getValue();
      boolean newerStarted = started.getOrDefault(i, 1) > v;
      boolean ok = java.util.Arrays.equals(got, content(i, v))
          || newerStarted && java.util.Arrays.equals(got, content(i, v + 1));
      assertThat(ok).as("f%d (closed at version %d, version %d started) is intact: %s", i, v,
          started.getOrDefault(i, 1), describe(got, i)).isTrue();
    }
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        int i = Integer.parseInt(p.getFileName().toString().substring(1));
        if (closed.containsKey(i)) {
          continue;
        }
        byte[] got = Files.readAllBytes(p);
        assertThat(got.length == 0 || java.util.Arrays.equals(got, content(i, 1)))
            .as("f%d, never closed, is empty or whole: %s", i, describe(got, i)).isTrue();
      }
    }
  }

  /** What a wrong read holds: its length and how much of each version it matches. */
  static String describe(byte[] got, int file) {
    StringBuilder b = new StringBuilder("read " + got.length + " bytes");
    for (int v = 1; v <= 2; v++) {
      byte[] want = content(file, v);
      int same = 0;
      while (same < Math.min(got.length, want.length) && got[same] == want[same]) {
        same++;
      }
      b.append("; version ").append(v).append(" has ").append(want.length)
          .append(" bytes, the first ").append(same).append(" match");
    }
    return b.toString();
  }

  @Test
  void aReadCapMountShowsTheSameTreeAndRefusesEveryWrite() throws Exception {
    MountProcess.requireFuse();
    Path mp = work.resolve("rw");
    mount = MountProcess.start(work.resolve("grid"), work.resolve("cache"), mp,
        work.resolve("logs/rw.log"));
    Files.createDirectories(mp.resolve("docs/deep"));
    Files.writeString(mp.resolve("docs/a.txt"), "alpha");
    Files.write(mp.resolve("docs/deep/b.bin"), content(1, 1));
    Files.createSymbolicLink(mp.resolve("docs/link"), Path.of("a.txt"));
    String fileCap = xattr(mp.resolve("docs/a.txt"), "cairn.readcap");
    assertThat(mount.unmount()).contains("UNMOUNTED clean");

    Path ro = work.resolve("ro");
    mount = MountProcess.start(work.resolve("grid"), work.resolve("cache-ro"), ro,
        work.resolve("logs/ro.log"), "--read-only");
    assertThat(Files.readString(ro.resolve("docs/a.txt"))).isEqualTo("alpha");
    assertThat(Files.readAllBytes(ro.resolve("docs/deep/b.bin"))).isEqualTo(content(1, 1));
    assertThat(Files.readSymbolicLink(ro.resolve("docs/link"))).isEqualTo(Path.of("a.txt"));
    assertThat(xattr(ro.resolve("docs/a.txt"), "cairn.readcap")).isEqualTo(fileCap);
    assertThat(Files.getFileAttributeView(ro.resolve("docs"),
        UserDefinedFileAttributeView.class).list()).doesNotContain("cairn.writecap");
    Path f = ro.resolve("docs/a.txt");
    assertThat(FusePosixTest.errno(() -> Files.writeString(f, "x"))).isEqualTo("EROFS");
    assertThat(FusePosixTest.errno(() -> Files.writeString(ro.resolve("docs/new"), "x")))
        .isEqualTo("EROFS");
    assertThat(FusePosixTest.errno(() -> Files.createDirectory(ro.resolve("docs/d"))))
        .isEqualTo("EROFS");
    assertThat(FusePosixTest.errno(() -> Files.delete(f))).isEqualTo("EROFS");
    assertThat(FusePosixTest.errno(() -> Files.move(f, ro.resolve("docs/b.txt"),
        StandardCopyOption.ATOMIC_MOVE))).isEqualTo("EROFS");
    assertThat(FusePosixTest.errno(() -> Files.setPosixFilePermissions(f,
        PosixFilePermissions.fromString("rwxrwxrwx")))).isEqualTo("EROFS");
    assertThat(FusePosixTest.errno(() -> Files.createSymbolicLink(ro.resolve("docs/l2"),
        Path.of("x")))).isEqualTo("EROFS");
    assertThat(FusePosixTest.errno(() -> Files.getFileAttributeView(f,
        UserDefinedFileAttributeView.class).write("k", ByteBuffer.wrap(new byte[1]))))
        .isEqualTo("EROFS");
    assertThat(Files.readString(f)).isEqualTo("alpha");
  }

  static String xattr(Path p, String name) throws IOException {
    UserDefinedFileAttributeView v = Files.getFileAttributeView(p,
        UserDefinedFileAttributeView.class);
    ByteBuffer b = ByteBuffer.allocate(v.size(name));
    v.read(name, b);
    return new String(b.array(), StandardCharsets.US_ASCII);
  }
}
