package org.cairnfs.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded random operations applied to the mount and to a local reference directory, compared
 * after every step (the touched file's bytes and the whole tree's listing: names, kinds,
 * sizes); the same error must come from both. A remount in the middle (clean unmount, new
 * process over the same grid and cache) must change nothing. Reproduce a failure with the seed
 * it prints: {@code -Dcairn.seed=N}.
 */
class FuseDifferentialTest {
  private static final int OPS = Integer.getInteger("cairn.ops", 2000);
  @TempDir
  Path work;
  MountProcess mount;
  final StringBuilder trace = new StringBuilder();

  @AfterEach
  void cleanUp() throws Exception {
    if (mount != null) {
      mount.cleanUp();
    }
  }

  @Test
  void randomOperationsMatchALocalDirectory() throws Exception {
    MountProcess.requireFuse();
    long seed = Long.getLong("cairn.seed", System.nanoTime());
    Random rnd = new Random(seed);
    Path ref = Files.createDirectories(work.resolve("ref"));
    Path mp = work.resolve("mnt");
    mount = MountProcess.start(work.resolve("grid"), work.resolve("cache"), mp,
        work.resolve("logs/mount1.log"));
    try {
      for (int step = 0; step < OPS; step++) {
        if (step == OPS / 2) {
          assertThat(mount.unmount()).contains("UNMOUNTED clean");
          mount = MountProcess.start(work.resolve("grid"), work.resolve("cache"), mp,
              work.resolve("logs/mount2.log"));
          trace.append("-- remount\n");
          compareTrees(ref, mp, true);
        }
        String op = step(rnd, ref, mp);
        trace.append(step).append(": ").append(op).append('\n');
        compareTrees(ref, mp, step % 200 == 199);
      }
      compareTrees(ref, mp, true);
      assertThat(mount.unmount()).contains("UNMOUNTED clean");
      mount = MountProcess.start(work.resolve("grid"), work.resolve("cache2"), mp,
          work.resolve("logs/mount3.log"));
      compareTrees(ref, mp, true); // a fresh cache: everything came from the grid
    } catch (AssertionError | Exception e) {
      String tail = trace.length() > 4000 ? trace.substring(trace.length() - 4000)
          : trace.toString();
      throw new AssertionError("seed " + seed + " failed; last steps:\n" + tail + "\n"
          + e.getMessage(), e);
    }
  }

  private static final String[] NAMES = {"a", "b", "c", "d", "e", "f"};

  private static String randomPath(Random rnd) {
    int depth = rnd.nextInt(3);
    StringBuilder b = new StringBuilder();
    for (int i = 0; i <= depth; i++) {
      if (i > 0) {
        b.append('/');
      }
      b.append(NAMES[rnd.nextInt(NAMES.length)]);
    }
    return b.toString();
  }

  private String step(Random rnd, Path ref, Path mp) throws IOException {
    String p = randomPath(rnd);
    String q = randomPath(rnd);
    int kind = rnd.nextInt(100);
    String op;
    Outcome a;
    Outcome b;
    if (kind < 30) {
      long off = rnd.nextInt(4) == 0 ? rnd.nextInt(300_000) : rnd.nextInt(5000);
      byte[] data = new byte[rnd.nextInt(4) == 0 ? rnd.nextInt(150_000) : rnd.nextInt(3000)];
      rnd.nextBytes(data);
      boolean append = rnd.nextInt(6) == 0;
      boolean sync = rnd.nextInt(10) == 0;
      op = "write " + p + " @" + off + " +" + data.length + (append ? " append" : "")
          + (sync ? " fsync" : "");
      a = run(() -> { write(ref.resolve(p), off, data, append, sync); return null; });
      b = run(() -> { write(mp.resolve(p), off, data, append, sync); return null; });
    } else if (kind < 40) {
      long size = rnd.nextInt(3) == 0 ? rnd.nextInt(200_000) : rnd.nextInt(6000);
      op = "truncate " + p + " " + size;
      a = run(() -> { truncate(ref.resolve(p), size); return null; });
      b = run(() -> { truncate(mp.resolve(p), size); return null; });
    } else if (kind < 55) {
      op = "mkdir " + p;
      a = run(() -> Files.createDirectory(ref.resolve(p)));
      b = run(() -> Files.createDirectory(mp.resolve(p)));
    } else if (kind < 65) {
      op = "rename " + p + " " + q;
      a = run(() -> Files.move(ref.resolve(p), ref.resolve(q), StandardCopyOption.ATOMIC_MOVE));
      b = run(() -> Files.move(mp.resolve(p), mp.resolve(q), StandardCopyOption.ATOMIC_MOVE));
    } else if (kind < 78) {
      op = "delete " + p;
      a = run(() -> { Files.delete(ref.resolve(p)); return null; });
      b = run(() -> { Files.delete(mp.resolve(p)); return null; });
    } else {
      op = "read " + p;
      a = run(() -> readAll(ref.resolve(p)));
      b = run(() -> readAll(mp.resolve(p)));
    }
    assertThat(b.error).as("error of %s", op).isEqualTo(a.error);
    if (a.value != null || b.value != null) {
      assertThat(b.value).as("bytes read by %s", op).isEqualTo(a.value);
    }
    if (a.error == null && Files.isRegularFile(ref.resolve(p))) {
      assertThat(Files.readAllBytes(mp.resolve(p))).as("content of %s after %s", p, op)
          .isEqualTo(Files.readAllBytes(ref.resolve(p)));
    }
    return op + (a.error != null ? " -> " + a.error : "");
  }

  private static void write(Path f, long off, byte[] data, boolean append, boolean sync)
      throws IOException {
    StandardOpenOption mode = append ? StandardOpenOption.APPEND : StandardOpenOption.WRITE;
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE, mode)) {
      ByteBuffer buf = ByteBuffer.wrap(data);
      if (append) {
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
      } else {
        long at = off;
        while (buf.hasRemaining()) {
          at += ch.write(buf, at);
        }
      }
      if (sync) {
        ch.force(true);
      }
    }
  }

  private static void truncate(Path f, long size) throws IOException {
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
      if (size >= ch.size()) {
        ch.write(ByteBuffer.allocate(1), size); // grow with a zero byte at the new end
      } else {
        ch.truncate(size);
      }
    }
  }

  private static byte[] readAll(Path f) throws IOException {
    return Files.readAllBytes(f);
  }

  private record Outcome(String error, byte[] value) {}

  private interface Call {
    Object call() throws IOException;
  }

  private static Outcome run(Call c) {
    try {
      Object v = c.call();
      return new Outcome(null, v instanceof byte[] b ? b : null);
    } catch (IOException e) {
      String name = e.getClass().getSimpleName();
      if (e instanceof java.nio.file.FileSystemException fse && fse.getReason() != null) {
        name = name + ":" + fse.getReason();
      }
      return new Outcome(name, null);
    }
  }

  /** Names, kinds and sizes of both trees (and every file's bytes when {@code bytes}). */
  private static void compareTrees(Path ref, Path mp, boolean bytes) throws IOException {
    assertThat(describe(mp, bytes)).isEqualTo(describe(ref, bytes));
  }

  private static TreeMap<String, String> describe(Path root, boolean bytes) throws IOException {
    TreeMap<String, String> out = new TreeMap<>();
    List<Path> all = new ArrayList<>();
    try (Stream<Path> s = Files.walk(root)) {
      s.forEach(all::add);
    }
    for (Path p : all) {
      String rel = root.relativize(p).toString();
      if (Files.isDirectory(p)) {
        out.put(rel, "dir");
      } else {
        String v = "file " + Files.size(p);
        if (bytes) {
          v += " " + java.util.Arrays.hashCode(Files.readAllBytes(p));
        }
        out.put(rel, v);
      }
    }
    return out;
  }
}
