package org.cairnfs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.cairnfs.caps.Cap;
import org.cairnfs.caps.dirnode.EntryKind;
import org.cairnfs.fs.mount.EntryChange;
import org.cairnfs.fs.mount.GridException;
import org.cairnfs.fs.mount.NodeMetadata;
import org.cairnfs.fs.mount.RemoteEntry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** cp and cp -r in every direction, in-process over a grid in memory. */
class CopyCommandTest {
  @TempDir
  Path dir;

  VerbFixture f;
  String home;

  @BeforeEach
  void setUp() throws Exception {
    f = new VerbFixture(dir);
    assertThat(f.run("create-alias", "home")).isZero();
    home = Aliases.load(f.node).get("home").orElseThrow();
  }

  private static byte[] bytes(int n, int seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  private Path local(String name, int size) throws Exception {
    return Files.write(dir.resolve(name), bytes(size, size));
  }

  /** A local tree: 200 files of 4 KiB, a subdirectory with two files, a symlink. */
  private Path tree() throws Exception {
    Path src = Files.createDirectories(dir.resolve("small"));
    for (int i = 1; i <= 200; i++) {
      Files.write(src.resolve("f" + i), bytes(4096, i));
    }
    Path sub = Files.createDirectories(src.resolve("sub"));
    Files.write(sub.resolve("empty"), new byte[0]);
    Files.write(sub.resolve("one"), bytes(1, 7));
    Files.createSymbolicLink(src.resolve("link"), Path.of("f1"));
    return src;
  }

  @Test
  void copyTreeToGridPublishesEachDirectoryOnce() throws Exception {
    Path src = tree();
    int before = f.grid.publishCount();
    assertThat(f.run("cp", "-r", src.toString(), "home:small")).isZero();
    // sub's entries, small's entries, the link of small into home: three publishes in all
    assertThat(f.grid.publishCount() - before).isEqualTo(3);
    Map<String, RemoteEntry> small = f.grid.entries(f.grid.entries(home).get("small").cap()
        .orElseThrow());
    assertThat(small).hasSize(202);
    assertThat(f.grid.content(small.get("f137").cap().orElseThrow()))
        .isEqualTo(bytes(4096, 137));
    assertThat(small.get("link").metadata().symlinkTarget()).contains("f1");
    assertThat(small.get("sub").metadata().kind()).isEqualTo(EntryKind.DIRECTORY);
    assertThat(f.grid.entries(small.get("sub").cap().orElseThrow()).keySet())
        .containsExactly("empty", "one");
    Path out = dir.resolve("f137");
    assertThat(f.run("get", "home:small/f137", out.toString())).isZero();
    assertThat(Files.readAllBytes(out)).isEqualTo(bytes(4096, 137));
  }

  @Test
  void twoThousandEmptyFilesInOneBatch() throws Exception {
    Path big = Files.createDirectories(dir.resolve("big"));
    for (int i = 1; i <= 2_000; i++) {
      Files.createFile(big.resolve("e" + i));
    }
    int before = f.grid.publishCount();
    assertThat(f.run("cp", "-r", big.toString(), "home:big")).isZero();
    assertThat(f.grid.publishCount() - before).isEqualTo(2);
    assertThat(f.run("ls", "home:big")).isZero();
    assertThat(f.out().lines()).hasSize(2_000);
  }

  @Test
  void copyIntoAnExistingDirectoryNestsUnderTheSourceName() throws Exception {
    Path src = tree();
    f.run("mkdir", "home:dest");
    assertThat(f.run("cp", "-r", src.toString(), "home:dest")).isZero();
    assertThat(f.run("ls", "home:dest/small/sub")).isZero();
    assertThat(f.out()).isEqualTo("empty\none\n");
  }

  @Test
  void copyOntoAnExistingTreeMergesRecursivelyLikeCp() throws Exception {
    Path src = tree();
    assertThat(f.run("cp", "-r", src.toString(), "home:small")).isZero();
    assertThat(f.run("put", local("only-on-grid", 5).toString(), "home:small/sub/kept"))
        .isZero();
    String subCap = f.grid.entries(f.grid.entries(home).get("small").cap().orElseThrow())
        .get("sub").cap().orElseThrow();
    Files.write(src.resolve("sub/one"), bytes(3, 99)); // changed
    Files.write(Files.createDirectories(src.resolve("sub/new")).resolve("n"), bytes(2, 3));
    assertThat(f.run("cp", "-r", src.toString(), "home:")).isZero();
    Map<String, RemoteEntry> small = f.grid.entries(f.grid.entries(home).get("small").cap()
        .orElseThrow());
    assertThat(small.get("sub").cap()).contains(subCap); // the same directory, merged into
    Map<String, RemoteEntry> sub = f.grid.entries(subCap);
    assertThat(sub.keySet()).containsExactlyInAnyOrder("empty", "one", "new", "kept");
    assertThat(f.grid.content(sub.get("one").cap().orElseThrow())).isEqualTo(bytes(3, 99));
    assertThat(f.grid.content(sub.get("kept").cap().orElseThrow())).hasSize(5);
    assertThat(f.grid.entries(sub.get("new").cap().orElseThrow()).keySet()).containsExactly("n");
    assertThat(small.keySet()).hasSize(202); // 200 files, link, sub

    // Grid to grid merges the same way.
    assertThat(f.run("mkdir", "-p", "home:other/small/sub")).isZero();
    assertThat(f.run("put", local("mine", 4).toString(), "home:other/small/sub/mine")).isZero();
    assertThat(f.run("cp", "-r", "home:small", "home:other")).isZero();
    assertThat(f.run("ls", "home:other/small/sub")).isZero();
    assertThat(f.out().lines()).containsExactlyInAnyOrder("empty", "one", "new", "kept", "mine");
  }

  @Test
  void copyRefusesToMixDirectoriesAndFilesOfOneName() throws Exception {
    Path src = tree();
    assertThat(f.run("mkdir", "home:small")).isZero();
    assertThat(f.run("put", local("file", 1).toString(), "home:small/sub")).isZero();
    assertThat(f.run("cp", "-r", src.toString(), "home:")).isEqualTo(ExitCode.USAGE.code);
    assertThat(f.err()).contains("onto the existing non-directory 'sub'");
    assertThat(f.run("rm", "home:small/sub")).isZero();
    assertThat(f.run("mkdir", "-p", "home:small/f1")).isZero();
    assertThat(f.run("cp", "-r", src.toString(), "home:")).isEqualTo(ExitCode.USAGE.code);
    assertThat(f.err()).contains("onto the existing directory 'f1'");
    assertThat(f.run("ls", "home:small")).isZero();
    assertThat(f.out()).isEqualTo("f1\n"); // nothing of the failed copies linked
  }

  @Test
  void failedUploadLinksNothing() throws Exception {
    Path src = tree();
    f.grid.failWith(GridException.Kind.NOT_HAPPY);
    assertThat(f.run("cp", "-r", src.toString(), "home:small"))
        .isEqualTo(ExitCode.UNAVAILABLE.code);
    assertThat(f.err().lines()).hasSize(1);
    assertThat(f.err()).startsWith("cairn: cannot ").contains("not enough servers");
    f.grid.heal();
    assertThat(f.grid.entries(home)).isEmpty();
  }

  @Test
  void treeRoundTripsGridToLocalAndGridToGrid() throws Exception {
    Path src = tree();
    f.run("cp", "-r", src.toString(), "home:small");
    long before = f.grid.bytesReceived();
    assertThat(f.run("cp", "-r", "home:small", "home:copy")).isZero();
    assertThat(f.grid.bytesReceived()).isEqualTo(before); // immutable files are linked, not re-sent
    Path back = dir.resolve("back");
    assertThat(f.run("cp", "-r", "home:copy", back.toString())).isZero();
    for (int i = 1; i <= 200; i++) {
      assertThat(Files.readAllBytes(back.resolve("f" + i))).isEqualTo(bytes(4096, i));
    }
    assertThat(Files.size(back.resolve("sub/empty"))).isZero();
    assertThat(Files.readAllBytes(back.resolve("sub/one"))).isEqualTo(bytes(1, 7));
    assertThat(Files.readSymbolicLink(back.resolve("link"))).isEqualTo(Path.of("f1"));
  }

  /**
   * Anyone who may write a directory can link it into itself (by its write cap or its read
   * cap, or from below): cp -r copies everything else once, says what it left out, and fails.
   */
  @Test
  void aDirectoryLinkedIntoItselfIsCopiedOnceAndTheCopyFails() throws Exception {
    assertThat(f.run("mkdir", "home:loop")).isZero();
    assertThat(f.run("mkdir", "home:loop/sub")).isZero();
    f.run("cp", local("file", 100).toString(), "home:loop/f");
    String loop = f.grid.entries(home).get("loop").cap().orElseThrow();
    String sub = f.grid.entries(loop).get("sub").cap().orElseThrow();
    NodeMetadata md = NodeMetadata.of(EntryKind.DIRECTORY, 0, 0755, Instant.EPOCH, Instant.EPOCH);
    f.grid.applyChanges(loop, List.of(new EntryChange.Put("self", Optional.of(loop), md),
        new EntryChange.Put("ro", Optional.of(Cap.parse(loop).readOnly().toString()), md)))
        .get();
    f.grid.applyChanges(sub, List.of(new EntryChange.Put("up", Optional.of(loop), md))).get();

    Path out = dir.resolve("out");
    assertThat(f.run("cp", "-r", "home:loop", out.toString())).isEqualTo(1);
    assertThat(f.err()).contains("not copying home:loop/self: it is home:loop again")
        .contains("not copying home:loop/ro: it is home:loop again")
        .contains("not copying home:loop/sub/up: it is home:loop again")
        .contains("3 entries were not copied (see above)");
    try (var all = Files.walk(out)) {
      assertThat(all.map(p -> out.relativize(p).toString()))
          .containsExactlyInAnyOrder("", "f", "sub");
    }
    assertThat(Files.readAllBytes(out.resolve("f"))).isEqualTo(bytes(100, 100));

    assertThat(f.run("cp", "-r", "home:loop", "home:copy")).isEqualTo(1);
    String copy = f.grid.entries(home).get("copy").cap().orElseThrow();
    assertThat(f.grid.entries(copy).keySet()).containsExactlyInAnyOrder("f", "sub");
    assertThat(f.grid.entries(f.grid.entries(copy).get("sub").cap().orElseThrow())).isEmpty();
  }

  /**
   * Local names that are not UTF-8 reach Java as U+FFFD: two of them would become one grid name
   * (the second replacing the first). They are left out, named, and the copy fails at the end.
   */
  @Test
  void localNamesThatAreNotUtf8AreNotCopied() throws Exception {
    Path src = Files.createDirectories(dir.resolve("odd"));
    Files.write(src.resolve("fine"), bytes(10, 1));
    for (String octal : List.of("377", "376")) { // bytes 0xff and 0xfe: made by the shell
      Process mk = new ProcessBuilder("sh", "-c", "printf data > \"$(printf '%s/x\\" + octal
          + "' \"$1\")\"", "sh", src.toString()).start();
      assertThat(mk.waitFor()).isZero();
    }
    try (var names = Files.list(src)) {
      assertThat(names.count()).isEqualTo(3);
    }
    assertThat(f.run("cp", "-r", src.toString(), "home:odd")).isEqualTo(1);
    assertThat(f.err()).contains("its name is not valid UTF-8")
        .contains("2 entries were not copied");
    String odd = f.grid.entries(home).get("odd").cap().orElseThrow();
    assertThat(f.grid.entries(odd).keySet()).containsExactly("fine");
  }

  /**
   * A copy to this machine that fails (an entry the grid cannot read) stops the downloads still
   * running: none leaves its partial file behind. (In a real command the process exits next;
   * `TreeCopy.close` now waits for them first. This test runs in one JVM, where they finish
   * anyway, so it does not tell the two apart.)
   */
  @Test
  void aFailedCopyToThisMachineLeavesNoPartialFiles() throws Exception {
    Path src = Files.createDirectories(dir.resolve("many"));
    for (int i = 0; i < 10; i++) {
      Files.write(src.resolve("f" + i), bytes(3 << 20, i));
    }
    assertThat(f.run("cp", "-r", src.toString(), "home:many")).isZero();
    String many = f.grid.entries(home).get("many").cap().orElseThrow();
    String real = f.grid.entries(many).get("f0").cap().orElseThrow();
    char last = real.charAt(real.length() - 1);
    String missing = real.substring(0, real.length() - 1) + (last == 'a' ? 'b' : 'a');
    f.grid.applyChanges(many, List.of(new EntryChange.Put("a-gone", Optional.of(missing),
        NodeMetadata.of(EntryKind.FILE, 3 << 20, 0644, Instant.EPOCH, Instant.EPOCH)))).get();
    f.grid.delay(java.time.Duration.ofMillis(100)); // the others are mid-file when it fails
    Path out = dir.resolve("out");
    assertThat(f.run("cp", "-r", "home:many", out.toString())).isNotZero();
    try (var all = Files.walk(out)) {
      assertThat(all.map(p -> p.getFileName().toString()))
          .noneMatch(n -> n.endsWith(".cairn-part"));
    }
  }

  @Test
  void singleFilesInEveryDirection() throws Exception {
    Path a = Files.write(dir.resolve("a"), bytes(5000, 1));
    assertThat(f.run("cp", a.toString(), "home:a")).isZero();
    assertThat(f.run("cp", "home:a", "home:b")).isZero();
    assertThat(f.grid.entries(home).get("b").cap()).isEqualTo(f.grid.entries(home).get("a").cap());
    Path out = dir.resolve("out");
    assertThat(f.run("cp", "home:b", out.toString())).isZero();
    assertThat(Files.readAllBytes(out)).isEqualTo(bytes(5000, 1));
    Path b2 = Files.write(dir.resolve("b2"), bytes(10, 2));
    f.run("mkdir", "home:many");
    assertThat(f.run("cp", a.toString(), b2.toString(), "home:many")).isZero();
    assertThat(f.grid.entries(f.grid.entries(home).get("many").cap().orElseThrow()).keySet())
        .containsExactly("a", "b2");
  }

  @Test
  void usageErrors() throws Exception {
    Path src = tree();
    assertThat(f.run("cp", src.toString(), "home:x")).isEqualTo(ExitCode.USAGE.code);
    assertThat(f.err()).contains("is a directory").contains("-r");
    assertThat(f.run("cp", src.resolve("f1").toString(), dir.resolve("z").toString()))
        .isEqualTo(ExitCode.USAGE.code);
    assertThat(f.err()).contains("both local");
    assertThat(f.run("cp", src.resolve("f1").toString(), src.resolve("f2").toString(),
        "home:nodir")).isEqualTo(ExitCode.USAGE.code);
    assertThat(f.err()).contains("several sources");
  }
}
