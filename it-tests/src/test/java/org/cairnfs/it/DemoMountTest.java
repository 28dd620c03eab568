package org.cairnfs.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.cairnfs.fs.fuse.FuseMount;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cairn demo} as a user runs it, in its own JVM over its real in-process grid (an
 * introducer and ten storage servers on loopback, a client node, the FUSE mount): real tools
 * write through the mount, {@code cairn sync} waits for the grid, a directory's read cap from
 * its xattr mounts read-only elsewhere with {@code cairn mount} (EROFS on writes), Ctrl-C
 * unmounts, and a second run on the same state shows the same files.
 */
class DemoMountTest {
  private static final Pattern NODE = Pattern.compile("--node (\\S+)");
  private static final Pattern PID = Pattern.compile("runs in process (\\d+)");
  private static final List<String> HEAP = List.of("-Xmx512m");

  @TempDir
  Path tmp;
  ChildJvms jvms;
  final List<Path> mounts = new ArrayList<>();
  final List<Long> detached = new ArrayList<>();

  @BeforeEach
  void setUp() {
    MountProcess.requireFuse();
    jvms = new ChildJvms(tmp.resolve("logs"));
  }

  @AfterEach
  void tearDown() throws Exception {
    for (Path m : mounts) {
      MountProcess.fusermount("-uz", m);
    }
    for (long pid : detached) {
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }
    jvms.close();
  }

  CairnProcess demo(Path state, Path mp, String name) throws Exception {
    CairnProcess p = jvms.startWithOptions(List.of(), Map.of(), HEAP, name, "demo", "--dir",
        state.toString(), mp.toString());
    p.awaitOutput("mounted " + mp, Duration.ofSeconds(120));
    assertThat(FuseMount.isCairnMount(mp)).isTrue();
    // the node directory and the gateway are printed after the mount line (ci169 read too soon)
    p.awaitOutput("Ctrl-C uploads what is pending", Duration.ofSeconds(60));
    return p;
  }

  static int run(Path dir, String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    if (!p.waitFor(180, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(String.join(" ", cmd) + " did not finish in 180 s");
    }
    return p.exitValue();
  }

  /** Runs a command, returning its exit code and what it printed. */
  static String[] runOut(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(60, TimeUnit.SECONDS);
    return new String[] {Integer.toString(p.exitValue()), out};
  }

  static String xattr(Path file, String name) throws IOException {
    UserDefinedFileAttributeView v = Files.getFileAttributeView(file,
        UserDefinedFileAttributeView.class);
    String key = name.substring("user.".length());
    ByteBuffer b = ByteBuffer.allocate(v.size(key));
    v.read(key, b);
    return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
  }

  @Test
  void realToolsThroughTheDemoMountAReadOnlyCapMountAndARestart() throws Exception {
    Path state = tmp.resolve("demo");
    Path mp = tmp.resolve("mnt");
    mounts.add(mp);
    Path src = Path.of("..", "caps", "src", "main").toAbsolutePath().normalize(); // ~120 files
    assertThat(src).isDirectory();
    CairnProcess first = demo(state, mp, "demo-1");
    Matcher node = NODE.matcher(first.output());
    assertThat(node.find()).as(first.output()).isTrue();
    Path client = Path.of(node.group(1));
    assertThat(client).isEqualTo(state.resolve("client").toAbsolutePath());

    // real tools: a tree, a large file written by dd, a rename across directories
    assertThat(run(tmp, "cp", "-a", src.toString(), mp.resolve("tree").toString())).isZero();
    byte[] big = new byte[6 << 20];
    new Random(7).nextBytes(big);
    Path local = Files.write(tmp.resolve("big"), big);
    assertThat(run(tmp, "dd", "if=" + local, "of=" + mp.resolve("tree/big"), "bs=1M",
        "conv=fsync", "status=none")).isZero();
    assertThat(run(tmp, "mv", mp.resolve("tree/big").toString(), mp.resolve("big").toString()))
        .isZero();
    assertThat(mp.resolve("tree/big")).doesNotExist();
    assertThat(run(tmp, "diff", "-r", src.toString(), mp.resolve("tree").toString())).isZero();
    assertThat(run(tmp, "cmp", local.toString(), mp.resolve("big").toString())).isZero();

    // a FIFO, a device node (the test runs as root) and a user xattr, kept on the grid
    assertThat(run(tmp, "mkfifo", "-m", "640", mp.resolve("fifo").toString())).isZero();
    assertThat(run(tmp, "mknod", "-m", "600", mp.resolve("null").toString(), "c", "1", "3"))
        .isZero();
    Files.getFileAttributeView(mp.resolve("big"), UserDefinedFileAttributeView.class)
        .write("color", ByteBuffer.wrap("blue".getBytes(StandardCharsets.UTF_8)));
    String specials = runOut("stat", "-c", "%n %F %a %t:%T", mp.resolve("fifo").toString(),
        mp.resolve("null").toString())[1];
    assertThat(specials).isEqualTo(mp.resolve("fifo") + " fifo 640 0:0\n"
        + mp.resolve("null") + " character special file 600 1:3\n");

    CairnProcess sync = jvms.exec(Duration.ofSeconds(180), "sync", "sync", mp.toString());
    assertThat(sync.process().exitValue()).as(sync.output()).isZero();
    assertThat(sync.output()).contains("synced " + mp);

    // a file's read cap from its xattr opens with `cairn get` and gives the same bytes
    String fileCap = xattr(mp.resolve("big"), "user.cairn.readcap");
    Path got = tmp.resolve("got");
    CairnProcess get = jvms.exec(Duration.ofSeconds(180), "get", "get", "--node",
        client.toString(), fileCap, got.toString());
    assertThat(get.process().exitValue()).as(get.output()).isZero();
    assertThat(run(tmp, "cmp", local.toString(), got.toString())).isZero();

    // a directory's read cap mounts read-only at a second mount point, in the background
    String readCap = xattr(mp.resolve("tree"), "user.cairn.readcap");
    assertThat(readCap).startsWith("cairn:");
    Path ro = tmp.resolve("ro");
    mounts.add(ro);
    CairnProcess mount = jvms.exec(Duration.ofSeconds(180), "mount-ro", "mount", "--node",
        client.toString(), "--root", readCap, ro.toString());
    assertThat(mount.process().exitValue()).as(mount.output()).isZero();
    Matcher pid = PID.matcher(mount.output());
    assertThat(pid.find()).as(mount.output()).isTrue();
    detached.add(Long.parseLong(pid.group(1)));
    assertThat(FuseMount.isCairnMount(ro)).isTrue();
    assertThat(run(tmp, "diff", "-r", src.toString(), ro.toString())).isZero();
    String[] touch = runOut("touch", ro.resolve("newfile").toString());
    assertThat(touch[0]).isNotEqualTo("0");
    assertThat(touch[1]).contains("Read-only file system");
    CairnProcess unmount = jvms.exec(Duration.ofSeconds(120), "unmount-ro", "unmount",
        ro.toString());
    assertThat(unmount.process().exitValue()).as(unmount.output()).isZero();
    assertThat(FuseMount.isCairnMount(ro)).isFalse();
    assertThat(ProcessHandle.of(detached.get(0)).map(h -> h.onExit().orTimeout(60,
        TimeUnit.SECONDS).join().isAlive()).orElse(false)).as("background mount exited").isFalse();

    // Ctrl-C: the demo unmounts and exits as a program stopped by SIGINT does (128 + 2)
    assertThat(run(tmp, "kill", "-INT", Long.toString(first.pid()))).isZero();
    assertThat(first.awaitExit(Duration.ofSeconds(90))).as(first.output()).isEqualTo(130);
    assertThat(FuseMount.isCairnMount(mp)).isFalse();
    assertThat(first.output()).contains("unmounted " + mp);

    // the same state again: the same files
    CairnProcess second = demo(state, mp, "demo-2");
    assertThat(run(tmp, "cmp", local.toString(), mp.resolve("big").toString())).isZero();
    assertThat(runOut("stat", "-c", "%n %F %a %t:%T", mp.resolve("fifo").toString(),
        mp.resolve("null").toString())[1]).isEqualTo(specials);
    assertThat(xattr(mp.resolve("big"), "user.color")).isEqualTo("blue");
    assertThat(run(tmp, "diff", "-r", src.toString(), mp.resolve("tree").toString())).isZero();

    // kill -9: the dead mount is cleared by the next demo at that place, with the same files
    second.process().destroyForcibly();
    second.process().waitFor(30, TimeUnit.SECONDS);
    Thread.sleep(2000); // past the kernel's cached attributes (attr_timeout=1)
    assertThat(Files.exists(mp)).as("a dead mount answers ENOTCONN").isFalse();
    CairnProcess third = demo(state, mp, "demo-3");
    assertThat(run(tmp, "cmp", local.toString(), mp.resolve("big").toString())).isZero();
    CairnProcess unmountDemo = jvms.exec(Duration.ofSeconds(120), "unmount", "unmount",
        mp.toString());
    assertThat(unmountDemo.process().exitValue()).as(unmountDemo.output()).isZero();
    assertThat(third.awaitExit(Duration.ofSeconds(90))).as(third.output()).isZero();
  }

  /**
   * The demo's collector, run every two seconds without its day of grace: a file rewritten and
   * another removed leave the servers' disks, while every live file, and a removed file still
   * open, read back whole, after a restart too.
   */
  @Test
  void theCollectorDeletesOldVersionsAndKeepsEveryLiveOrOpenFile() throws Exception {
    Path state = tmp.resolve("demo");
    Path mp = tmp.resolve("mnt");
    mounts.add(mp);
    // Servers whose leases move at every renewal: by default a lease given in the last hour
    // counts as renewed (the granularity), and this test cannot wait an hour.
    CairnProcess create = jvms.exec(Duration.ofSeconds(120), "demo-create", "demo", "--dir",
        state.toString(), "--exit-when-ready");
    assertThat(create.process().exitValue()).as(create.output()).isZero();
    try (var servers = Files.newDirectoryStream(state, "storage-*")) {
      for (Path server : servers) {
        NodeDirs.renewingEveryTime(server);
      }
    }
    CairnProcess demo = jvms.startWithOptions(List.of(), Map.of(), HEAP, "demo-gc", "demo",
        "--dir", state.toString(), mp.toString(), "--collect-after-seconds", "1",
        "--collect-every-seconds", "2", "--keep-unlinked-seconds", "0");
    demo.awaitOutput("mounted " + mp, Duration.ofSeconds(120));
    byte[] v1 = random(3 << 20, 1);
    byte[] v2 = random(3 << 20, 2);
    byte[] removed = random(600_000, 3);
    byte[] open = random(2 << 20, 4);
    Files.createDirectories(mp.resolve("d"));
    Files.write(mp.resolve("a"), v1);
    Files.write(mp.resolve("d/b"), removed);
    Files.write(mp.resolve("c"), open);
    sync(mp);
    long before = shareFiles(state);
    Files.write(mp.resolve("a"), v2); // a new version: the old one is linked from nowhere
    Files.delete(mp.resolve("d/b"));
    try (FileChannel c = FileChannel.open(mp.resolve("c"))) {
      Files.delete(mp.resolve("c"));
      sync(mp);
      Path log = state.resolve("logs").resolve("cairn.log");
      long rounds = collected(log);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      while (shareFiles(state) >= before || collected(log) < rounds + 2) {
        assertThat(System.nanoTime()).as(() -> "old shares deleted; log: " + tail(log))
            .isLessThan(deadline);
        Thread.sleep(200);
      }
      assertThat(run(tmp, "sh", "-c", "echo 3 > /proc/sys/vm/drop_caches")).isZero();
      ByteBuffer back = ByteBuffer.allocate(open.length);
      while (back.hasRemaining() && c.read(back, back.position()) > 0) {
        // read to the end
      }
      assertThat(back.array()).as("a removed file still open reads whole").isEqualTo(open);
    }
    assertThat(Files.readAllBytes(mp.resolve("a"))).isEqualTo(v2);
    assertThat(mp.resolve("d")).isDirectory();
    assertThat(mp.resolve("d/b")).doesNotExist();
    CairnProcess status = jvms.exec(Duration.ofSeconds(120), "status-gc", "status", "--node",
        state.resolve("client").toString());
    assertThat(status.output()).as("cairn status tells what the last round did")
        .containsPattern("Demo collector, last round .* ago: collected");

    assertThat(run(tmp, "kill", "-INT", Long.toString(demo.pid()))).isZero();
    assertThat(demo.awaitExit(Duration.ofSeconds(90))).as(demo.output()).isEqualTo(130);
    CairnProcess again = demo(state, mp, "demo-gc-2");
    assertThat(Files.readAllBytes(mp.resolve("a"))).isEqualTo(v2);
    assertThat(mp.resolve("c")).doesNotExist();
    CairnProcess unmount = jvms.exec(Duration.ofSeconds(120), "unmount-gc", "unmount",
        mp.toString());
    assertThat(unmount.process().exitValue()).as(unmount.output()).isZero();
    assertThat(again.awaitExit(Duration.ofSeconds(90))).as(again.output()).isZero();
  }

  void sync(Path mp) throws Exception {
    CairnProcess sync = jvms.exec(Duration.ofSeconds(180), "sync", "sync", mp.toString());
    assertThat(sync.process().exitValue()).as(sync.output()).isZero();
  }

  /** Share files on the demo's servers (uploads in progress not counted). */
  static long shareFiles(Path state) throws IOException {
    long n = 0;
    try (var servers = Files.newDirectoryStream(state, "storage-*")) {
      for (Path server : servers) {
        Path shares = server.resolve("storage").resolve("shares");
        try (var files = Files.walk(shares)) {
          n += files.filter(Files::isRegularFile)
              .filter(f -> !f.getParent().getFileName().toString().equals("incoming")).count();
        }
      }
    }
    return n;
  }

  /** Rounds of the collector that swept, by its log. */
  static long collected(Path log) throws IOException {
    if (!Files.exists(log)) {
      return 0;
    }
    return Files.readAllLines(log).stream().filter(l -> l.contains(" shares no alias reaches"))
        .count();
  }

  static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return e.toString();
    }
  }

  static byte[] random(int length, int seed) {
    byte[] b = new byte[length];
    new Random(seed).nextBytes(b);
    return b;
  }
}
