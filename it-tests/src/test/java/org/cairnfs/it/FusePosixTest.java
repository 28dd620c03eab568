package org.cairnfs.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.time.Instant;
import java.util.Random;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * POSIX behaviour through a real FUSE mount (the mount runs in its own JVM over the in-memory
 * grid): each operation and its errno, mode bits, times, renames over files and directories,
 * unlink of an open file, sparse writes and truncates, cap and user xattrs.
 */
class FusePosixTest {
  @TempDir
  static Path work;
  static MountProcess mount;
  Path d;

  @BeforeAll
  static void mountIt() throws Exception {
    MountProcess.requireFuse();
    mount = MountProcess.start(work.resolve("grid"), work.resolve("cache"), work.resolve("mnt"),
        work.resolve("logs/mount.log"));
  }

  @AfterAll
  static void unmountIt() throws Exception {
    if (mount != null) {
      String out = mount.unmount();
      assertThat(out).contains("UNMOUNTED clean");
      mount.cleanUp();
    }
  }

  @BeforeEach
  void dir(TestInfo info) throws IOException {
    d = Files.createDirectory(mount.mountpoint.resolve(info.getTestMethod().orElseThrow()
        .getName()));
  }

  /** The strerror text of the failure, as the kernel returned it. */
  static String errno(ThrowingCallable call) {
    try {
      call.call();
    } catch (NoSuchFileException e) {
      return "ENOENT";
    } catch (FileAlreadyExistsException e) {
      return "EEXIST";
    } catch (DirectoryNotEmptyException e) {
      return "ENOTEMPTY";
    } catch (AccessDeniedException e) {
      return "EACCES";
    } catch (NotDirectoryException e) {
      return "ENOTDIR";
    } catch (FileSystemException e) {
      String r = String.valueOf(e.getReason());
      String[][] known = {{"Not a directory", "ENOTDIR"}, {"Is a directory", "EISDIR"},
          {"Read-only file system", "EROFS"}, {"Operation not permitted", "EPERM"},
          {"File name too long", "ENAMETOOLONG"}, {"Invalid argument", "EINVAL"},
          {"Directory not empty", "ENOTEMPTY"}, {"No data available", "ENODATA"},
          {"Operation not supported", "ENOTSUP"}, {"No such file", "ENOENT"},
          {"File exists", "EEXIST"}, {"Permission denied", "EACCES"}};
      for (String[] k : known) {
        if (r.contains(k[0])) {
          return k[1];
        }
      }
      return r;
    } catch (Throwable t) {
      return t.toString();
    }
    return "OK";
  }

  @Test
  void filesRoundTripWithModeBits() throws Exception {
    byte[] data = new byte[700_000];
    new Random(1).nextBytes(data);
    Path f = d.resolve("f");
    Files.write(f, data);
    assertThat(Files.readAllBytes(f)).isEqualTo(data);
    assertThat(Files.size(f)).isEqualTo(700_000);
    for (String mode : new String[] {"rwx------", "r--r--r--", "rw-r-x--x"}) {
      Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo(mode);
    }
    Files.setAttribute(f, "unix:mode", 04755);
    assertThat((int) Files.getAttribute(f, "unix:mode") & 07777).isEqualTo(04755);
    assertThat((int) Files.getAttribute(f, "unix:nlink")).isEqualTo(1);
    assertThat((long) Files.getAttribute(f, "unix:ino"))
        .isEqualTo((long) Files.getAttribute(f, "unix:ino"));
    Files.write(f, "more".getBytes(StandardCharsets.UTF_8), StandardOpenOption.APPEND);
    assertThat(Files.size(f)).isEqualTo(700_004);
    assertThat(errno(() -> Files.createFile(f))).isEqualTo("EEXIST");
    Files.write(f, new byte[] {1}, StandardOpenOption.TRUNCATE_EXISTING);
    assertThat(Files.readAllBytes(f)).containsExactly(1);
  }

  @Test
  void directoryErrors() throws Exception {
    Path sub = Files.createDirectory(d.resolve("sub"));
    assertThat((int) Files.getAttribute(sub, "unix:nlink")).isEqualTo(2);
    assertThat((int) Files.getAttribute(d, "unix:nlink")).isEqualTo(3);
    assertThat(errno(() -> Files.createDirectory(sub))).isEqualTo("EEXIST");
    assertThat(errno(() -> Files.createDirectory(d.resolve("no/such")))).isEqualTo("ENOENT");
    Files.write(sub.resolve("x"), new byte[1]);
    assertThat(errno(() -> Files.delete(sub))).isEqualTo("ENOTEMPTY");
    Path file = Files.write(d.resolve("file"), new byte[1]);
    assertThat(errno(() -> Files.createDirectory(file.resolve("y")))).isEqualTo("ENOTDIR");
    assertThat(errno(() -> Files.createDirectory(d.resolve("n".repeat(256)))))
        .isEqualTo("ENAMETOOLONG");
    Files.createDirectory(d.resolve("n".repeat(255)));
    assertThat(errno(() -> Files.createLink(d.resolve("hard"), file))).isEqualTo("EPERM");
    assertThat(errno(() -> Files.delete(d.resolve("missing")))).isEqualTo("ENOENT");
    Files.delete(sub.resolve("x"));
    Files.delete(sub);
    try (Stream<Path> s = Files.list(d)) {
      assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("file",
          "n".repeat(255));
    }
  }

  @Test
  void renames() throws Exception {
    Path a = Files.writeString(d.resolve("a"), "A");
    Path b = Files.writeString(d.resolve("b"), "B");
    long ino = (long) Files.getAttribute(a, "unix:ino");
    Files.move(a, b, StandardCopyOption.ATOMIC_MOVE); // replaces b
    assertThat(Files.readString(b)).isEqualTo("A");
    assertThat((long) Files.getAttribute(b, "unix:ino")).isEqualTo(ino);
    assertThat(Files.exists(a)).isFalse();
    Path d1 = Files.createDirectory(d.resolve("d1"));
    Files.writeString(d1.resolve("in"), "in");
    Path d2 = Files.createDirectory(d.resolve("d2"));
    Files.move(d1, d2, StandardCopyOption.ATOMIC_MOVE); // over an empty directory
    assertThat(Files.readString(d2.resolve("in"))).isEqualTo("in");
    Path d3 = Files.createDirectory(d.resolve("d3"));
    Files.writeString(d3.resolve("z"), "z");
    assertThat(errno(() -> Files.move(d2, d3, StandardCopyOption.ATOMIC_MOVE)))
        .isEqualTo("ENOTEMPTY");
    assertThat(errno(() -> Files.move(d2, d2.resolve("inside"), StandardCopyOption.ATOMIC_MOVE)))
        .isEqualTo("EINVAL");
    assertThat(errno(() -> Files.move(d2, b, StandardCopyOption.ATOMIC_MOVE)))
        .isEqualTo("ENOTDIR");
    assertThat(errno(() -> Files.move(b, d3, StandardCopyOption.ATOMIC_MOVE)))
        .isEqualTo("EISDIR");
    Files.move(b, d3.resolve("b2"), StandardCopyOption.ATOMIC_MOVE); // across directories
    assertThat(Files.readString(d3.resolve("b2"))).isEqualTo("A");
    // an editor's save: write a temp file, fsync it, rename it over the original
    Path orig = Files.writeString(d.resolve("doc.txt"), "old");
    Path tmp = d.resolve(".doc.txt.swp");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap("new".getBytes(StandardCharsets.UTF_8)));
      ch.force(true);
    }
    Files.move(tmp, orig, StandardCopyOption.ATOMIC_MOVE);
    assertThat(Files.readString(orig)).isEqualTo("new");
  }

  /**
   * renameat2 with RENAME_NOREPLACE: the VFS itself answers EEXIST when the target exists in
   * its dentry cache; otherwise it passes the flag to FUSE, and libfuse2 (whose rename callback
   * has no flags) has no FUSE_RENAME2, so the kernel answers EINVAL without calling the mount.
   * Either way nothing is renamed or replaced, and tools fall back (coreutils' mv -n does).
   */
  @Test
  void renameNoReplaceIsRefusedWithEinvalAndChangesNothing() throws Exception {
    Path a = Files.writeString(d.resolve("na"), "A");
    Path b = Files.writeString(d.resolve("nb"), "B");
    assertThat(renameat2NoReplace(a, b)).isEqualTo("EEXIST");
    assertThat(renameat2NoReplace(a, d.resolve("absent"))).isEqualTo("EINVAL");
    assertThat(Files.readString(a)).isEqualTo("A");
    assertThat(Files.readString(b)).isEqualTo("B");
    assertThat(Files.exists(d.resolve("absent"))).isFalse();
    // on a local directory the same call works: the EINVAL is the mount's
    Path local = Files.createDirectories(work.resolve("local-noreplace"));
    Path la = Files.writeString(local.resolve("a"), "A");
    Files.writeString(local.resolve("b"), "B");
    assertThat(renameat2NoReplace(la, local.resolve("b"))).isEqualTo("EEXIST");
    assertThat(renameat2NoReplace(la, local.resolve("c"))).isEqualTo("ok");
  }

  /** renameat2(from, to, RENAME_NOREPLACE) through python3's ctypes: "ok" or the errno name. */
  static String renameat2NoReplace(Path from, Path to) throws Exception {
    String py = "import ctypes, errno, sys\n"
        + "libc = ctypes.CDLL(None, use_errno=True)\n"
        + "r = libc.renameat2(-100, sys.argv[1].encode(), -100, sys.argv[2].encode(), 1)\n"
        + "print('ok' if r == 0 else errno.errorcode[ctypes.get_errno()])\n";
    Process p = new ProcessBuilder("python3", "-c", py, from.toString(), to.toString())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertThat(p.waitFor()).as(out).isZero();
    return out;
  }

  @Test
  void symlinks() throws Exception {
    Path t = Files.writeString(d.resolve("target"), "T");
    Path l = Files.createSymbolicLink(d.resolve("link"), Path.of("target"));
    assertThat(Files.readSymbolicLink(l)).isEqualTo(Path.of("target"));
    assertThat(Files.readString(l)).isEqualTo("T");
    assertThat(Files.isSymbolicLink(l)).isTrue();
    assertThat(Files.size(t)).isEqualTo(1);
    assertThat((long) Files.readAttributes(l, "unix:size", LinkOption.NOFOLLOW_LINKS)
        .get("size")).isEqualTo(6);
    assertThat(errno(() -> Files.createSymbolicLink(l, Path.of("x")))).isEqualTo("EEXIST");
    Files.delete(t);
    assertThat(errno(() -> Files.readString(l))).isEqualTo("ENOENT");
  }

  @Test
  void timesFollowPosix() throws Exception {
    Path f = Files.writeString(d.resolve("f"), "x");
    FileTime m0 = Files.getLastModifiedTime(f);
    FileTime c0 = (FileTime) Files.getAttribute(f, "unix:ctime");
    FileTime dirM0 = Files.getLastModifiedTime(d);
    Thread.sleep(20);
    Files.writeString(f, "y", StandardOpenOption.APPEND);
    assertThat(Files.getLastModifiedTime(f)).isGreaterThan(m0);
    assertThat((FileTime) Files.getAttribute(f, "unix:ctime")).isGreaterThan(c0);
    FileTime c1 = (FileTime) Files.getAttribute(f, "unix:ctime");
    FileTime m1 = Files.getLastModifiedTime(f);
    Thread.sleep(20);
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
    assertThat((FileTime) Files.getAttribute(f, "unix:ctime")).isGreaterThan(c1);
    assertThat(Files.getLastModifiedTime(f)).isEqualTo(m1);
    Thread.sleep(20);
    Files.writeString(d.resolve("g"), "");
    assertThat(Files.getLastModifiedTime(d)).isGreaterThan(dirM0);
    FileTime set = FileTime.from(Instant.parse("2003-04-05T06:07:08.123456789Z"));
    Files.setLastModifiedTime(f, set);
    assertThat(Files.getLastModifiedTime(f)).isEqualTo(set);
    Files.setAttribute(f, "basic:lastAccessTime", set);
    assertThat(Files.getLastModifiedTime(f)).isEqualTo(set); // UTIME_OMIT kept mtime
  }

  @Test
  void unlinkedOpenFileStaysUsable() throws Exception {
    Path f = Files.writeString(d.resolve("open"), "abc");
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ,
        StandardOpenOption.WRITE)) {
      Files.delete(f);
      assertThat(Files.exists(f)).isFalse();
      try (Stream<Path> s = Files.list(d)) {
        assertThat(s).isEmpty();
      }
      ch.write(ByteBuffer.wrap(new byte[] {'d'}), 3);
      ByteBuffer b = ByteBuffer.allocate(10);
      assertThat(ch.read(b, 0)).isEqualTo(4);
      assertThat(new String(b.array(), 0, 4, StandardCharsets.UTF_8)).isEqualTo("abcd");
      assertThat(ch.size()).isEqualTo(4);
    }
    try (Stream<Path> s = Files.list(d)) {
      assertThat(s).isEmpty();
    }
  }

  @Test
  void sparseWritesAndTruncates() throws Exception {
    Path f = d.resolve("sparse");
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), 10_000_000);
      assertThat(ch.size()).isEqualTo(10_000_003);
      ByteBuffer hole = ByteBuffer.allocate(100_000);
      ch.read(hole, 5_000_000);
      assertThat(hole.array()).containsOnly(0);
      ch.truncate(10_000_001);
      assertThat(ch.size()).isEqualTo(10_000_001);
    }
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
      ch.truncate(5); // shrink, then grow by writing past the end: the gap reads as zeros
      ch.write(ByteBuffer.wrap(new byte[] {9}), 20);
    }
    byte[] all = Files.readAllBytes(f);
    assertThat(all).hasSize(21);
    assertThat(all[20]).isEqualTo((byte) 9);
    for (int i = 0; i < 20; i++) {
      assertThat(all[i]).isZero();
    }
    Files.write(d.resolve("t"), new byte[100]);
    try (FileChannel ch = FileChannel.open(d.resolve("t"), StandardOpenOption.WRITE)) {
      ch.truncate(200); // FileChannel.truncate never grows: size stays
    }
    assertThat(Files.size(d.resolve("t"))).isEqualTo(100);
  }

  @Test
  void capAndUserXattrs() throws Exception {
    Path f = Files.writeString(d.resolve("f"), "hello");
    UserDefinedFileAttributeView v = Files.getFileAttributeView(f,
        UserDefinedFileAttributeView.class);
    ByteBuffer b = ByteBuffer.allocate(v.size("cairn.readcap"));
    v.read("cairn.readcap", b);
    assertThat(new String(b.array(), StandardCharsets.US_ASCII)).startsWith("cairn:");
    assertThat(v.list()).contains("cairn.readcap", "cairn.verifycap");
    UserDefinedFileAttributeView dv = Files.getFileAttributeView(d,
        UserDefinedFileAttributeView.class);
    // the write cap is answered by name, never listed: cp -a and rsync -X copy what is listed
    assertThat(dv.list()).contains("cairn.readcap", "cairn.verifycap")
        .doesNotContain("cairn.writecap");
    ByteBuffer w = ByteBuffer.allocate(dv.size("cairn.writecap"));
    dv.read("cairn.writecap", w);
    assertThat(new String(w.array(), StandardCharsets.US_ASCII)).startsWith("cairn:dir:");
    v.write("color", ByteBuffer.wrap("blue".getBytes(StandardCharsets.UTF_8)));
    ByteBuffer c = ByteBuffer.allocate(v.size("color"));
    v.read("color", c);
    assertThat(new String(c.array(), StandardCharsets.UTF_8)).isEqualTo("blue");
    assertThat(errno(() -> v.write("cairn.readcap", ByteBuffer.wrap(new byte[1]))))
        .isEqualTo("EPERM");
    v.delete("color");
    assertThat(errno(() -> v.size("color"))).isEqualTo("ENODATA");
  }

  @Test
  void statfsShowsTheGrid() throws Exception {
    assertThat(Files.getFileStore(d).getTotalSpace()).isPositive();
    assertThat(Files.getFileStore(d).type()).isEqualTo("fuse.cairn");
  }

  @Test
  void concurrentWritersOfDistinctFiles() throws Exception {
    Thread[] ts = new Thread[6];
    IOException[] err = new IOException[1];
    for (int t = 0; t < ts.length; t++) {
      int id = t;
      ts[t] = new Thread(() -> {
        try {
          for (int i = 0; i < 20; i++) {
            Files.writeString(d.resolve("t" + id + "-" + i), "thread " + id + " file " + i);
          }
        } catch (IOException e) {
          err[0] = e;
        }
      });
      ts[t].start();
    }
    for (Thread t : ts) {
      t.join();
    }
    assertThat(err[0]).isNull();
    for (int t = 0; t < ts.length; t++) {
      for (int i = 0; i < 20; i++) {
        assertThat(Files.readString(d.resolve("t" + t + "-" + i)))
            .isEqualTo("thread " + t + " file " + i);
      }
    }
  }
}
