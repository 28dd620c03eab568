package org.cairnfs.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real tools in a real FUSE mount (its own JVM over the in-memory grid of the fs test jar): cp
 * -a of a 1 000-file tree, rsync -a both ways and an incremental rsync, tar c | tar x both ways,
 * git init/add/commit with a clean status and a clean fsck, editor-style saves, and sqlite3
 * inserting 10 000 rows in transactions. Each result is compared with its source (kinds,
 * bytes, mode bits, symlink targets and, where the tool keeps them, mtimes); the last test
 * mounts again with a fresh cache dir and compares everything again, from the grid alone.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FuseToolsTest {
  @TempDir
  static Path work;
  static MountProcess mount;
  static Path src;
  static Path mnt;

  @BeforeAll
  static void mountIt() throws Exception {
    MountProcess.requireFuse();
    src = makeTree(work.resolve("src"), 1000, 7);
    mnt = work.resolve("mnt");
    mount = MountProcess.start(work.resolve("grid"), work.resolve("cache"), mnt,
        work.resolve("logs/tools.log"));
  }

  @AfterAll
  static void unmountIt() throws Exception {
    if (mount != null) {
      mount.cleanUp();
    }
  }

  /**
   * {@code files} files of 0 to 40 000 bytes (a few of 300 KB) in ten directories of ten
   * subdirectories, varied mode bits and mtimes in the past, symlinks and an empty directory.
   */
  static Path makeTree(Path root, int files, long seed) throws IOException {
    Random r = new Random(seed);
    String[] modes = {"rw-r--r--", "rw-------", "rwxr-xr-x", "r--r--r--", "rw-rw-r--"};
    for (int i = 0; i < files; i++) {
      Path dir = Files.createDirectories(root.resolve("d" + i % 10).resolve("s" + i / 10 % 10));
      byte[] b = new byte[i % 97 == 0 ? 300_000 : r.nextInt(40_000)];
      r.nextBytes(b);
      Path f = Files.write(dir.resolve("f" + i + ".bin"), b);
      Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString(
          modes[i % modes.length]));
      Files.setLastModifiedTime(f, FileTime.from(Instant.ofEpochSecond(1_500_000_000L
          + r.nextInt(100_000_000), r.nextInt(1_000_000_000))));
    }
    Files.createSymbolicLink(root.resolve("d0/link"), Path.of("s0/f0.bin"));
    Files.createSymbolicLink(root.resolve("d1/dangling"), Path.of("../nowhere"));
    Files.createDirectories(root.resolve("d2/empty"));
    return root;
  }

  /** What a tree holds, path by path: kind, mode bits, size, target, content hash, mtime. */
  static TreeMap<String, String> describe(Path root, Keep keep) throws IOException {
    TreeMap<String, String> out = new TreeMap<>();
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        String rel = root.relativize(p).toString();
        if (rel.isEmpty() || rel.startsWith(".git")) {
          continue;
        }
        StringBuilder d = new StringBuilder();
        if (Files.isSymbolicLink(p)) {
          d.append("link -> ").append(Files.readSymbolicLink(p));
        } else {
          int mode = (int) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
          d.append(Files.isDirectory(p) ? "dir " : "file ");
          d.append(Integer.toOctalString(keep == Keep.EXEC_BIT ? mode & 0100 : mode));
          if (Files.isRegularFile(p)) {
            d.append(' ').append(Files.size(p)).append(' ').append(hash(p));
            Instant t = Files.getLastModifiedTime(p).toInstant();
            if (keep == Keep.MTIME_NANOS) {
              d.append(' ').append(t);
            } else if (keep == Keep.MTIME_MICROS) {
              d.append(' ').append(t.truncatedTo(java.time.temporal.ChronoUnit.MICROS));
            } else if (keep == Keep.MTIME_SECONDS) {
              d.append(' ').append(t.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
            }
          }
        }
        out.put(rel, d.toString());
      }
    }
    return out;
  }

  static String hash(Path p) throws IOException {
    try {
      java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
      try (var in = Files.newInputStream(p)) {
        byte[] buf = new byte[1 << 16];
        for (int n; (n = in.read(buf)) > 0; ) {
          md.update(buf, 0, n);
        }
      }
      return java.util.HexFormat.of().formatHex(md.digest(), 0, 8);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Runs a shell command line in {@code dir}; fails with its output unless it exits 0. */
  static String sh(Path dir, String line) throws IOException, InterruptedException {
    Path out = Files.createTempFile(work, "sh", ".out");
    Process p = new ProcessBuilder("bash", "-o", "pipefail", "-c", line)
        .directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(out.toFile()).start();
    if (!p.waitFor(300, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(line + " did not finish in 300 s:\n" + Files.readString(out));
    }
    String text = Files.readString(out, StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as("%s:%n%s", line, text).isZero();
    return text;
  }

  /** Checks to repeat from the grid alone, by what they check (the last check of each). */
  static final java.util.Map<Object, Runnable> AGAIN = new java.util.LinkedHashMap<>();

  /** What a tool keeps besides names, kinds, sizes and bytes. */
  enum Keep { MTIME_NANOS, MTIME_MICROS, MTIME_SECONDS, MODE_BITS, EXEC_BIT }

  static void same(Path expected, Path actual, Keep keep) throws IOException {
    TreeMap<String, String> want = describe(expected, keep);
    TreeMap<String, String> got = describe(actual, keep);
    if (!got.equals(want)) { // name only the differences: the whole trees are long
      TreeMap<String, String> missing = new TreeMap<>(want);
      missing.entrySet().removeAll(got.entrySet());
      TreeMap<String, String> extra = new TreeMap<>(got);
      extra.entrySet().removeAll(want.entrySet());
      throw new AssertionError(actual + " differs from " + expected + ": expected "
          + missing + " but found " + extra);
    }
    AGAIN.put(actual, () -> {
      try {
        TreeMap<String, String> again = describe(actual, keep);
        again.entrySet().removeAll(want.entrySet());
        assertThat(again).as("%s from the grid", actual).isEmpty();
        assertThat(describe(actual, keep)).hasSameSizeAs(want);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
  }

  @Test
  @Order(1)
  void cpArchiveOfAThousandFiles() throws Exception {
    sh(work, "cp -a src mnt/cp");
    same(src, mnt.resolve("cp"), Keep.MTIME_NANOS);
    assertThat(sh(work, "diff -r --no-dereference src mnt/cp")).isEmpty();
  }

  @Test
  @Order(2)
  void rsyncInAndOutAndAnIncrementalRun() throws Exception {
    Path copy = work.resolve("rsync-src");
    sh(work, "cp -a src rsync-src");
    sh(work, "rsync -a rsync-src/ mnt/rs/");
    same(copy, mnt.resolve("rs"), Keep.MTIME_NANOS);
    // change some files (content, size, mode), delete some, add some: rsync's delta transfer
    // writes a temp file beside each and renames it over; --inplace rewrites in place
    Random r = new Random(3);
    for (int i = 0; i < 1000; i += 37) {
      Path f = copy.resolve("d" + i % 10).resolve("s" + i / 10 % 10).resolve("f" + i + ".bin");
      byte[] b = Files.readAllBytes(f);
      if (b.length > 10) {
        b[r.nextInt(b.length)] ^= 1;
      }
      Files.write(f, b, StandardOpenOption.APPEND);
    }
    Files.delete(copy.resolve("d0/s0/f300.bin"));
    Files.write(copy.resolve("d3/new.txt"), "new\n".getBytes(StandardCharsets.UTF_8));
    sh(work, "rsync -a --delete rsync-src/ mnt/rs/");
    same(copy, mnt.resolve("rs"), Keep.MTIME_NANOS);
    Files.write(copy.resolve("d4/s4/f444.bin"), new byte[] {1, 2, 3},
        StandardOpenOption.APPEND);
    sh(work, "rsync -a --inplace --no-whole-file rsync-src/ mnt/rs/");
    same(copy, mnt.resolve("rs"), Keep.MTIME_NANOS);
    sh(work, "rsync -a mnt/rs/ rsync-back/");
    same(copy, work.resolve("rsync-back"), Keep.MTIME_NANOS);
  }

  @Test
  @Order(3)
  void tarIntoAndOutOfTheMount() throws Exception {
    Files.createDirectories(mnt.resolve("tar"));
    sh(work, "tar -C src -cf - . | tar -C mnt/tar -xf -");
    same(src, mnt.resolve("tar"), Keep.MTIME_SECONDS); // tar keeps whole seconds
    Files.createDirectories(work.resolve("tar-back"));
    sh(work, "tar -C mnt/tar -cf - . | tar -C tar-back -xf -");
    same(src, work.resolve("tar-back"), Keep.MTIME_SECONDS);
  }

  @Test
  @Order(4)
  void gitCommitsAndStatusIsClean() throws Exception {
    Path repo = mnt.resolve("repo");
    Files.createDirectories(repo);
    sh(work, "cp -r src/d5 src/d6 mnt/repo/");
    String git = "git -c user.name=t -c user.email=t@example.org -c init.defaultBranch=main ";
    sh(repo, git + "init -q && " + git + "add -A && " + git + "commit -q -m first");
    assertThat(sh(repo, git + "status --porcelain")).isEmpty();
    Files.write(repo.resolve("d5/s0/f5.bin"), "edited\n".getBytes(StandardCharsets.UTF_8));
    sh(repo, "mv d6/s1 d6/moved && rm d5/s2/f25.bin");
    sh(repo, git + "add -A && " + git + "commit -q -m second && " + git + "gc -q");
    assertThat(sh(repo, git + "status --porcelain")).isEmpty();
    assertThat(sh(repo, git + "rev-list --count HEAD").trim()).isEqualTo("2");
    sh(repo, git + "fsck --full --strict");
    sh(work, "git clone -q mnt/repo clone");
    same(repo, work.resolve("clone"), Keep.EXEC_BIT);
  }

  @Test
  @Order(5)
  void editorStyleSaves() throws Exception {
    Path dir = Files.createDirectories(mnt.resolve("edit"));
    Path doc = dir.resolve("doc.txt");
    Files.writeString(doc, "line one\nline two\n");
    Files.setPosixFilePermissions(doc, java.nio.file.attribute.PosixFilePermissions
        .fromString("rw-r-----"));
    for (int i = 0; i < 20; i++) { // an editor: temp file, fsync, rename over, fsync the dir
      Path tmp = dir.resolve(".doc.txt.swp");
      String text = "version " + i + "\n" + "x".repeat(i * 1000) + "\n";
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW,
          StandardOpenOption.WRITE)) {
        ch.write(StandardCharsets.UTF_8.encode(text));
        ch.force(true);
      }
      Files.setPosixFilePermissions(tmp, Files.getPosixFilePermissions(doc));
      Files.move(tmp, doc, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
        d.force(true);
      }
      assertThat(Files.readString(doc)).isEqualTo(text);
    }
    // sed -i: a temp file in the same directory renamed over, mode kept
    sh(dir, "sed -i 's/version 19/version twenty/' doc.txt");
    assertThat(Files.readString(doc)).startsWith("version twenty\n");
    assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
        Files.getPosixFilePermissions(doc))).isEqualTo("rw-r-----");
    try (Stream<Path> s = Files.list(dir)) {
      assertThat(s.map(p -> p.getFileName().toString())).containsExactly("doc.txt");
    }
    Path local = work.resolve("edit-local");
    Files.createDirectories(local);
    Files.copy(doc, local.resolve("doc.txt"), StandardCopyOption.COPY_ATTRIBUTES);
    same(local, dir, Keep.MTIME_MICROS); // Java copies times to the microsecond
  }

  @Test
  @Order(6)
  void sqliteInsertsTenThousandRowsInTransactions() throws Exception {
    StringBuilder sql = new StringBuilder(
        "create table t(id integer primary key, v text, n integer);\n"
            + "create index t_n on t(n);\n");
    Random r = new Random(5);
    for (int tx = 0; tx < 20; tx++) {
      sql.append("begin;\n");
      for (int i = 0; i < 500; i++) {
        sql.append("insert into t(v, n) values('row ").append(tx).append('-').append(i)
            .append(' ').append(Long.toHexString(r.nextLong())).append("', ")
            .append(r.nextInt(1_000_000)).append(");\n");
      }
      if (tx % 5 == 4) {
        sql.append("delete from t where n % 7 = 0;\n");
      }
      sql.append("commit;\n");
    }
    Path script = Files.writeString(work.resolve("rows.sql"), sql);
    Files.createDirectories(mnt.resolve("db"));
    Files.createDirectories(work.resolve("db-local"));
    sh(work, "sqlite3 mnt/db/t.db < rows.sql");
    sh(work, "sqlite3 db-local/t.db < rows.sql");
    String query = "pragma integrity_check; select count(*), sum(n), max(id) from t;";
    String want = sh(work, "sqlite3 db-local/t.db '" + query + "' && sqlite3 db-local/t.db .dump");
    assertThat(want).startsWith("ok\n");
    assertThat(sh(work, "sqlite3 mnt/db/t.db '" + query + "' && sqlite3 mnt/db/t.db .dump"))
        .isEqualTo(want);
    try (Stream<Path> s = Files.list(mnt.resolve("db"))) {
      assertThat(s.map(p -> p.getFileName().toString())).containsExactly("t.db");
    }
    assertThat(script).exists();
    AGAIN.put("sqlite", () -> {
      try {
        assertThat(sh(work, "sqlite3 mnt/db/t.db '" + query + "' && sqlite3 mnt/db/t.db .dump"))
            .isEqualTo(want);
      } catch (IOException | InterruptedException e) {
        throw new AssertionError(e);
      }
    });
  }

  @Test
  @Order(7)
  void everythingAgainFromTheGridWithAFreshCache() throws Exception {
    assertThat(AGAIN).hasSizeGreaterThanOrEqualTo(7);
    assertThat(mount.unmount()).contains("UNMOUNTED clean");
    mount = MountProcess.start(work.resolve("grid"), work.resolve("cache-fresh"), mnt,
        work.resolve("logs/tools-2.log"));
    for (Runnable check : AGAIN.values()) {
      check.run();
    }
    assertThat(mount.unmount()).contains("UNMOUNTED clean");
  }
}
