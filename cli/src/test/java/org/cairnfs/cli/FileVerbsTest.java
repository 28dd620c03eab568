package org.cairnfs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.cairnfs.caps.Cap;
import org.cairnfs.caps.dirnode.EntryKind;
import org.cairnfs.fs.mount.GridException;
import org.cairnfs.fs.mount.RemoteEntry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** put, get, ls, mkdir, rm, mv, ln and share in-process over a grid in memory. */
class FileVerbsTest {
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

  private Path local(String name, int size) throws Exception {
    byte[] b = new byte[size];
    new Random(size).nextBytes(b);
    return Files.write(dir.resolve(name), b);
  }

  @Test
  void putPrintsTheCapLastAndLinksItAtTarget() throws Exception {
    Path big = local("big", 300_000);
    assertThat(f.run("put", big.toString(), "home:big")).isZero();
    String cap = f.lastLine();
    assertThat(cap).startsWith("cairn:");
    assertThat(f.grid.content(cap)).isEqualTo(Files.readAllBytes(big));
    RemoteEntry e = f.grid.entries(home).get("big");
    assertThat(e.cap()).contains(cap);
    assertThat(e.metadata().kind()).isEqualTo(EntryKind.FILE);
    assertThat(e.metadata().size()).isEqualTo(300_000);
    assertThat(f.grid.entries(home)).hasSize(1);
  }

  @Test
  void putWithoutTargetLinksNothing() throws Exception {
    assertThat(f.run("put", local("a", 10).toString())).isZero();
    assertThat(f.grid.content(f.lastLine())).hasSize(10);
    assertThat(f.grid.entries(home)).isEmpty();
  }

  @Test
  void putFromStdinAndGetToStdout() throws Exception {
    f.stdin("hello grid".getBytes(StandardCharsets.UTF_8));
    assertThat(f.run("put", "-", "home:h.txt")).isZero();
    assertThat(f.run("get", "home:h.txt", "-")).isZero();
    assertThat(new String(f.stdoutBytes(), StandardCharsets.UTF_8)).isEqualTo("hello grid");
    assertThat(f.run("get", "home:h.txt")).isZero();
    assertThat(f.stdoutBytes()).hasSize(10);
  }

  @Test
  void putIntoAnExistingDirectoryUsesTheFileName() throws Exception {
    assertThat(f.run("mkdir", "home:docs")).isZero();
    assertThat(f.run("put", local("report.txt", 5).toString(), "home:docs")).isZero();
    assertThat(f.run("ls", "home:docs")).isZero();
    assertThat(f.out()).isEqualTo("report.txt\n");
  }

  @Test
  void putCreatesNothingElse() throws Exception {
    int publishes = f.grid.publishCount();
    assertThat(f.run("put", local("a", 10).toString(), "home:no/such/a"))
        .isEqualTo(ExitCode.NOT_FOUND.code);
    assertThat(f.err()).contains("no such file or directory: home:no");
    assertThat(f.grid.entries(home)).isEmpty();
    assertThat(f.grid.publishCount()).isEqualTo(publishes);
  }

  @Test
  void getByPathAndByCapIntoFilesAndDirectories() throws Exception {
    Path big = local("big", 2_500_000);
    f.run("put", big.toString(), "home:big");
    String cap = f.lastLine();
    Path out = dir.resolve("out");
    assertThat(f.run("get", "home:big", out.toString())).isZero();
    assertThat(Files.readAllBytes(out)).isEqualTo(Files.readAllBytes(big));
    Path bycap = dir.resolve("bycap");
    assertThat(f.run("get", cap, bycap.toString())).isZero();
    assertThat(Files.readAllBytes(bycap)).isEqualTo(Files.readAllBytes(big));
    Path into = Files.createDirectory(dir.resolve("into"));
    assertThat(f.run("get", "home:big", into.toString())).isZero();
    assertThat(Files.readAllBytes(into.resolve("big"))).isEqualTo(Files.readAllBytes(big));
    assertThat(f.run("get", home + "/big", dir.resolve("viaroot").toString())).isZero();
    assertThat(Files.size(dir.resolve("viaroot"))).isEqualTo(2_500_000);
  }

  @Test
  void getIntoAFifoOrDeviceWritesIntoItAndLeavesItInPlace() throws Exception {
    Path big = local("big", 300);
    f.run("put", big.toString(), "home:big");
    Path fifo = dir.resolve("fifo");
    assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
    java.util.concurrent.CompletableFuture<byte[]> read =
        java.util.concurrent.CompletableFuture.supplyAsync(() -> {
          try {
            return Files.readAllBytes(fifo);
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        });
    assertThat(f.run("get", "home:big", fifo.toString())).isZero();
    assertThat(read.get(30, java.util.concurrent.TimeUnit.SECONDS))
        .isEqualTo(Files.readAllBytes(big));
    assertThat(Files.isRegularFile(fifo)).as("still a FIFO, not replaced by a file").isFalse();
    assertThat(Files.exists(fifo)).isTrue();
  }

  @Test
  void failedGetLeavesTheTargetUntouched() throws Exception {
    f.run("put", local("big", 100).toString(), "home:big");
    Path out = Files.writeString(dir.resolve("keep"), "old");
    f.grid.failReadsWith(GridException.Kind.UNREACHABLE);
    assertThat(f.run("get", "home:big", out.toString())).isEqualTo(ExitCode.UNAVAILABLE.code);
    assertThat(f.err()).startsWith("cairn: cannot ").contains("home:big")
        .contains("grid unreachable").doesNotContain("\tat ");
    assertThat(f.err().lines()).hasSize(1);
    assertThat(Files.readString(out)).isEqualTo("old");
    try (var s = Files.list(dir)) {
      assertThat(s.filter(p -> p.toString().endsWith(".cairn-part"))).isEmpty();
    }
  }

  @Test
  void notHappyUploadSaysSoAndLinksNothing() throws Exception {
    f.grid.failWith(GridException.Kind.NOT_HAPPY);
    assertThat(f.run("put", local("a", 10).toString(), "home:a"))
        .isEqualTo(ExitCode.UNAVAILABLE.code);
    assertThat(f.err()).contains("cannot upload").contains("not enough servers took shares")
        .contains("injected failure");
    f.grid.heal();
    assertThat(f.grid.entries(home)).isEmpty();
  }

  @Test
  void missingThingsAreNotFound() throws Exception {
    assertThat(f.run("get", "home:nope", "-")).isEqualTo(ExitCode.NOT_FOUND.code);
    assertThat(f.err()).isEqualTo("cairn: no such file or directory: home:nope\n");
    assertThat(f.run("put", dir.resolve("absent").toString())).isEqualTo(ExitCode.NOT_FOUND.code);
    assertThat(f.err()).contains("no such file: ").contains("absent");
    assertThat(f.run("ls", "nosuch:")).isEqualTo(ExitCode.USAGE.code);
    assertThat(f.err()).contains("unknown alias 'nosuch'");
  }

  @Test
  void lsShortLongAndJson() throws Exception {
    f.run("put", local("b", 1234).toString(), "home:b");
    String fileCap = f.lastLine();
    f.run("mkdir", "home:a");
    assertThat(f.run("ls", "home:")).isZero();
    assertThat(f.out()).isEqualTo("a\nb\n");
    assertThat(f.run("ls", "-l", "home:")).isZero();
    assertThat(f.out().lines().toList()).satisfiesExactly(
        l -> assertThat(l).startsWith("drwxr-xr-x").endsWith(" a"),
        l -> assertThat(l).matches("-rw-r--r-- +1234 .* b"));
    assertThat(f.run("ls", "--json", "home:")).isZero();
    assertThat(f.out()).contains("\"name\": \"b\", \"kind\": \"file\", \"size\": 1234")
        .contains("\"readCap\": \"" + fileCap + "\"")
        .contains("\"kind\": \"directory\"").contains("\"writeCap\": \"cairn:dir:");
    assertThat(f.run("ls", "home:b")).isZero();
    assertThat(f.out()).isEqualTo("b\n");
  }

  @Test
  void mkdirRefusesExistingAndReadOnlyParents() throws Exception {
    assertThat(f.run("mkdir", "home:d")).isZero();
    assertThat(f.grid.entries(home).get("d").metadata().kind()).isEqualTo(EntryKind.DIRECTORY);
    assertThat(f.run("mkdir", "home:d")).isEqualTo(ExitCode.USAGE.code);
    assertThat(f.err()).contains("already exists: home:d");
    String ro = Cap.parse(home).readOnly().toString();
    assertThat(f.run("mkdir", ro + "/e")).isEqualTo(ExitCode.USAGE.code);
    assertThat(f.err()).contains("read-only").doesNotContain(ro.substring(12));
    assertThat(f.run("mkdir", "home:d/e/f")).isEqualTo(ExitCode.NOT_FOUND.code);
  }

  @Test
  void mkdirPMakesTheMissingChainAndLinksItLast() throws Exception {
    assertThat(f.run("mkdir", "home:d")).isZero();
    int before = f.grid.publishCount();
    assertThat(f.run("mkdir", "-p", "home:d/e/f/g")).isZero();
    // e and f are filled before their parents link them, and d gains one entry: 3 publishes.
    assertThat(f.grid.publishCount() - before).isEqualTo(3);
    String e = f.grid.entries(f.grid.entries(home).get("d").cap().orElseThrow()).get("e").cap()
        .orElseThrow();
    String ff = f.grid.entries(e).get("f").cap().orElseThrow();
    assertThat(f.grid.entries(ff).get("g").metadata().kind()).isEqualTo(EntryKind.DIRECTORY);
    assertThat(f.grid.entries(f.grid.entries(ff).get("g").cap().orElseThrow())).isEmpty();
    // An existing directory is fine with -p and changes nothing.
    before = f.grid.publishCount();
    assertThat(f.run("mkdir", "-p", "home:d/e")).isZero();
    assertThat(f.run("mkdir", "--parents", "home:")).isZero();
    assertThat(f.grid.publishCount()).isEqualTo(before);
    assertThat(f.grid.entries(e).keySet()).containsExactly("f");
    // A file in the way, and a read-only parent, are refused.
    f.run("put", local("x", 3).toString(), "home:x");
    assertThat(f.run("mkdir", "-p", "home:x/y")).isEqualTo(ExitCode.USAGE.code);
    assertThat(f.err()).contains("not a directory: home:x");
    String ro = Cap.parse(home).readOnly().toString();
    assertThat(f.run("mkdir", "-p", ro + "/new/deeper")).isEqualTo(ExitCode.USAGE.code);
    assertThat(f.err()).contains("read-only");
    assertThat(f.grid.entries(home).keySet()).containsExactlyInAnyOrder("d", "x");
  }

  @Test
  void rmNeedsRForDirectories() throws Exception {
    f.run("put", local("x", 3).toString(), "home:x");
    f.run("mkdir", "home:d");
    assertThat(f.run("rm", "home:d")).isEqualTo(ExitCode.USAGE.code);
    assertThat(f.err()).contains("is a directory: home:d");
    assertThat(f.run("rm", "-r", "home:d")).isZero();
    assertThat(f.run("rm", "home:x")).isZero();
    assertThat(f.grid.entries(home)).isEmpty();
    assertThat(f.run("rm", "home:x")).isEqualTo(ExitCode.NOT_FOUND.code);
    assertThat(f.run("rm", "home:")).isEqualTo(ExitCode.USAGE.code);
  }

  @Test
  void mvWithinAndAcrossDirectories() throws Exception {
    f.run("put", local("x", 3).toString(), "home:x");
    String cap = f.lastLine();
    int before = f.grid.publishCount();
    assertThat(f.run("mv", "home:x", "home:y")).isZero();
    assertThat(f.grid.publishCount()).isEqualTo(before + 1); // one batch: put and remove
    assertThat(f.grid.entries(home).keySet()).containsExactly("y");
    f.run("mkdir", "home:d");
    assertThat(f.run("mv", "home:y", "home:d")).isZero();
    assertThat(f.grid.entries(home).keySet()).containsExactly("d");
    String d = f.grid.entries(home).get("d").cap().orElseThrow();
    assertThat(f.grid.entries(d).get("y").cap()).contains(cap);
    assertThat(f.run("mv", "home:d/y", "home:z")).isZero();
    assertThat(f.grid.entries(d)).isEmpty();
    assertThat(f.grid.entries(home).get("z").cap()).contains(cap);
    assertThat(f.run("mv", "home:d", "home:d/inner")).isEqualTo(ExitCode.USAGE.code);
    assertThat(f.err()).contains("into itself");
  }

  @Test
  void lnLinksPathsAndCaps() throws Exception {
    f.run("put", local("x", 3).toString());
    String cap = f.lastLine();
    assertThat(f.run("ln", cap, "home:fromcap")).isZero();
    RemoteEntry e = f.grid.entries(home).get("fromcap");
    assertThat(e.cap()).contains(cap);
    assertThat(e.metadata().size()).isEqualTo(3);
    assertThat(f.run("ln", "home:fromcap", "home:again")).isZero();
    assertThat(f.grid.entries(home).get("again").cap()).contains(cap);
    assertThat(f.run("ln", "home:fromcap", "home:again")).isEqualTo(ExitCode.USAGE.code);
    String other = f.grid.newRoot();
    assertThat(f.run("ln", other, "home:sub")).isZero();
    assertThat(f.grid.entries(home).get("sub").metadata().kind()).isEqualTo(EntryKind.DIRECTORY);
  }

  @Test
  void shareGivesReadAndVerifyCaps() throws Exception {
    assertThat(f.run("share", "home:")).isZero();
    assertThat(f.lastLine()).isEqualTo(Cap.parse(home).readOnly().toString());
    assertThat(f.run("share", "--verify", "home:")).isZero();
    assertThat(f.lastLine()).isEqualTo(Cap.parse(home).verifyCap().orElseThrow().toString());
    assertThat(f.out()).doesNotContain("link:");
    // with the node's gateway running (its address in web.url), also the link to open
    WebAddress.write(f.node, "http://127.0.0.1:3456");
    try {
      assertThat(f.run("share", "home:")).isZero();
      String read = Cap.parse(home).readOnly().toString();
      assertThat(f.lastLine()).isEqualTo("link: http://127.0.0.1:3456/uri/" + read);
      assertThat(f.out()).doesNotContain(home);
    } finally {
      WebAddress.remove(f.node);
    }
  }

  @Test
  void nodeComesFromEnvironmentOrFlag() {
    // the flag is what the fixture passes; a missing node via the flag is a usage error
    assertThat(f.runIn(dir.resolve("nowhere"), "ls", "home:")).isEqualTo(ExitCode.USAGE.code);
    assertThat(f.err()).contains("no node in").contains("nowhere");
  }
}
