package org.cairnfs.fs.mount;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several workers, each on its own directory (so what it expects is exact), create, rename,
 * unlink, rmdir, truncate, chmod, set xattrs, read caps, list and make symlinks while a walker
 * lists other directories to force drops (bound 1, idle 0): no spurious error, and a second
 * mount reads back everything. {@code -Dcairn.tree.seconds=N}, {@code -Dcairn.tree.workers=N}.
 */
class MountCoreTreeStressTest {
  static final Caller U = CoreFixture.USER;
  static final int WORKERS = Integer.getInteger("cairn.tree.workers", 3);
  static final int FILES = 4;
  static final int SECONDS = Integer.getInteger("cairn.tree.seconds", 3);
  @TempDir
  Path dir;

  static final class Expect {
    final Map<String, Long> size = new TreeMap<>();
    final Map<String, Integer> mode = new TreeMap<>();
    final Map<String, String> xattr = new TreeMap<>();

    /** What a readdir of the worker's directory must list. */
    TreeSet<String> names() {
      TreeSet<String> want = new TreeSet<>(size.keySet());
      want.add(".");
      want.add("..");
      want.add("keep");
      return want;
    }
  }

  private static TreeSet<String> listed(MountCore c, String path) throws FsException {
    TreeSet<String> names = new TreeSet<>();
    for (DirEntryInfo d : c.readdir(path)) {
      names.add(d.name());
    }
    return names;
  }

  @Test
  void workersRacingDropsSeeNoSpuriousErrorAndLoseNothing() throws Exception {
    run(Duration.ZERO);
  }

  void run(Duration idle) throws Exception {
    MemoryGrid mem = MemoryGrid.inMemory();
    String rootCap;
    try (CoreFixture w = new CoreFixture(mem, null, dir.resolve("w"), b -> { })) {
      for (int d = 0; d < 20; d++) {
        w.core.mkdir("/d" + d, 0755, U);
        for (int f = 0; f < 5; f++) {
          w.put("/d" + d + "/f" + f, ("file " + f).getBytes());
        }
      }
      for (int k = 0; k < WORKERS; k++) {
        w.core.mkdir("/w" + k, 0755, U);
        w.core.mkdir("/w" + k + "/keep", 0755, U);
        for (int f = 0; f < FILES; f++) {
          w.put("/w" + k + "/f" + f, new byte[100]);
        }
      }
      w.core.sync(Duration.ofSeconds(30));
      rootCap = w.rootCap;
    }
    List<String> failures = Collections.synchronizedList(new ArrayList<>());
    List<Expect> expects = new ArrayList<>();
    try (CoreFixture r = new CoreFixture(mem, rootCap, dir.resolve("r"),
        b -> b.treeEntries(1, idle))) {
      AtomicBoolean stop = new AtomicBoolean();
      int[] seenDropped = new int[1];
      Thread walker = new Thread(() -> {
        for (int i = 0; !stop.get(); i++) {
          try {
            r.core.tree.lock.readLock().lock();
            try {
              for (int k = 0; k < WORKERS; k++) {
                Node wk = r.core.tree.root.children == null ? null
                    : r.core.tree.root.children.get("w" + k);
                if (wk instanceof DirNode dn && dn.children == null) {
                  seenDropped[0]++;
                }
              }
            } finally {
              r.core.tree.lock.readLock().unlock();
            }
            r.core.readdir("/d" + (i % 20));
            r.core.getattr("/d" + (i % 20) + "/f" + (i % 5));
          } catch (Throwable e) {
            failures.add("walker: " + e);
          }
        }
      });
      List<Thread> workers = new ArrayList<>();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
      int[] ops = new int[WORKERS];
      for (int k = 0; k < WORKERS; k++) {
        Expect e = new Expect();
        expects.add(e);
        for (int f = 0; f < FILES; f++) {
          e.size.put("f" + f, 100L);
          e.mode.put("f" + f, 0644);
        }
        int kk = k;
        workers.add(new Thread(() -> work(r, kk, e, deadline, failures, ops)));
      }
      walker.start();
      workers.forEach(Thread::start);
      long droppedMid = -1;
      for (Thread t : workers) {
        t.join();
      }
      droppedMid = r.core.tree.listed.dropped();
      Thread.sleep(300);
      long droppedLate = r.core.tree.listed.dropped();
      stop.set(true);
      walker.join();
      System.out.println("ops " + java.util.Arrays.toString(ops) + ", dropped "
          + droppedMid + " then " + droppedLate + ", pins left " + r.core.tree.pins.pinned()
          + ", entries " + r.core.tree.listed.entries() + ", worker dirs seen dropped " + seenDropped[0] + ", failures " + failures.size());
      failures.stream().limit(15).forEach(System.out::println);
      r.core.sync(Duration.ofSeconds(60));
      assertThat(r.core.tree.pins.pinned()).as("pins left").isZero();
    }
    List<String> lost = new ArrayList<>();
    try (CoreFixture o = new CoreFixture(mem, rootCap, dir.resolve("o"), b -> { })) {
      for (int k = 0; k < WORKERS; k++) {
        Expect e = expects.get(k);
        TreeSet<String> names = listed(o.core, "/w" + k);
        TreeSet<String> want = e.names();
        if (!names.equals(want)) {
          lost.add("/w" + k + " holds " + names + ", expected " + want);
        }
        for (String f : e.size.keySet()) {
          String p = "/w" + k + "/" + f;
          try {
            StatInfo st = o.core.getattr(p);
            if (st.size() != e.size.get(f) || st.mode() != e.mode.get(f)) {
              lost.add(p + ": size " + st.size() + " mode " + Integer.toOctalString(st.mode())
                  + ", expected " + e.size.get(f) + " " + Integer.toOctalString(e.mode.get(f)));
            }
            String x = e.xattr.get(f);
            if (x != null && !new String(o.core.getxattr(p, "user.k")).equals(x)) {
              lost.add(p + ": xattr " + new String(o.core.getxattr(p, "user.k")) + " != " + x);
            }
          } catch (FsException ex) {
            lost.add(p + ": " + ex);
          }
        }
      }
    }
    lost.stream().limit(15).forEach(System.out::println);
    assertThat(failures).as("spurious errors").isEmpty();
    assertThat(lost).as("changes lost").isEmpty();
  }

  /** Truncates {@code p} through an open handle to {@code size}, and expects that size. */
  private static void ftruncate(CoreFixture r, String p, long size, Expect e, String f)
      throws FsException {
    long fh = r.core.open(p, MountCore.O_RDWR);
    try {
      r.core.ftruncate(fh, size);
      r.core.flush(fh);
      e.size.put(f, size);
    } finally {
      r.core.release(fh);
    }
  }

  private static void work(CoreFixture r, int k, Expect e, long deadline, List<String> failures,
      int[] ops) {
    Random rnd = new Random(k);
    String base = "/w" + k;
    int n = 0;
    while (System.nanoTime() < deadline) {
      n++;
      String f = "f" + rnd.nextInt(FILES);
      String p = base + "/" + f;
      int op = rnd.nextInt(15);
      try {
        switch (op) {
          case 0 -> {
            long s = rnd.nextInt(300);
            r.core.truncate(p, s);
            e.size.put(f, s);
          }
          case 1 -> {
            int m = 0600 | rnd.nextInt(0100);
            r.core.chmod(p, m);
            e.mode.put(f, m);
          }
          case 2 -> {
            String v = "v" + n;
            r.core.setxattr(p, "user.k", v.getBytes(), 0);
            e.xattr.put(f, v);
          }
          case 3 -> {
            StatInfo st = r.core.getattr(p);
            if (st.size() != e.size.get(f) || st.mode() != e.mode.get(f)) {
              failures.add(p + " getattr size " + st.size() + " mode "
                  + Integer.toOctalString(st.mode()) + " expected " + e.size.get(f) + " "
                  + Integer.toOctalString(e.mode.get(f)));
            }
          }
          case 4 -> {
            String x = e.xattr.get(f);
            if (x != null) {
              String got = new String(r.core.getxattr(p, "user.k"));
              if (!got.equals(x)) {
                failures.add(p + " getxattr " + got + " expected " + x);
              }
            }
          }
          case 5 -> {
            TreeSet<String> names = listed(r.core, base);
            TreeSet<String> want = e.names();
            if (!names.equals(want)) {
              failures.add(base + " readdir " + names + " expected " + want);
            }
          }
          case 6 -> {
            r.core.rename(p, base + "/tmp", 0);
            r.core.rename(base + "/tmp", p, 0);
          }
          case 7 -> {
            r.core.mkdir(base + "/sub", 0755, U);
            r.core.rmdir(base + "/sub");
          }
          case 8 -> {
            try {
              r.core.rmdir(base);
              failures.add(base + " rmdir of a non-empty directory succeeded");
            } catch (FsException ex) {
              if (ex.error() != FsError.NOT_EMPTY) {
                throw ex;
              }
            }
            try {
              r.core.rename(base + "/keep", p, 0);
              failures.add("rename dir over file succeeded");
            } catch (FsException ex) {
              if (ex.error() != FsError.NOT_DIRECTORY) {
                throw ex;
              }
            }
          }
          case 9 -> {
            r.core.symlink("target" + n, base + "/l", U);
            String t = r.core.readlink(base + "/l");
            if (!t.equals("target" + n)) {
              failures.add("readlink " + t);
            }
            r.core.unlink(base + "/l");
          }
          case 10 -> {
            long fh = r.core.open(p, 0);
            try {
              ByteBuffer b = ByteBuffer.allocate(400);
              int got = r.core.read(fh, b, 0);
              if (got != e.size.get(f)) {
                failures.add(p + " read " + got + " expected " + e.size.get(f));
              }
            } finally {
              r.core.release(fh);
            }
          }
          case 11 -> {
            String q = base + "/n" + n;
            long fh = r.core.create(q, 0644, MountCore.O_RDWR | MountCore.O_CREAT, U);
            r.core.write(fh, ByteBuffer.wrap(new byte[10]), 0);
            r.core.flush(fh);
            r.core.release(fh);
            r.core.unlink(q);
          }
          case 14 -> {
            ftruncate(r, p, rnd.nextInt(300), e, f);
            r.core.getxattr(p, MountCore.READCAP); // waits for the grid
          }
          case 12 -> {
            r.core.utimens(p, new TimeSpec.Now(), new TimeSpec.Now());
          }
          default -> {
            ftruncate(r, p, rnd.nextInt(300), e, f);
          }
        }
        if (rnd.nextInt(3) == 0) {
          r.core.sync(Duration.ofSeconds(30)); // its directory clean: droppable again
        }
      } catch (Throwable ex) {
        failures.add("op " + op + " on " + p + ": " + ex);
      }
    }
    ops[k] = n;
  }
}
