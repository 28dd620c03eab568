package org.cairnfs.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Debian package as built by {@code mvn package}: its control file and contents, its
 * systemd unit through {@code systemd-analyze verify}, and an install into a scratch root with
 * dpkg itself, after which the installed {@code /usr/bin/cairn --version} runs. Needs dpkg and
 * systemd-analyze (Debian's systemd package; {@code .ci/run} installs it where missing) and
 * fails, never skips, without them.
 */
class DebPackageIT {
  private static Path deb;

  @TempDir
  Path tmp;

  @BeforeAll
  static void findPackage() throws IOException {
    Path dir = Path.of(System.getProperty("cairn.deb.dir", "target"));
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> debs = files.filter(p -> p.getFileName().toString().matches("cairn_.*_all\\.deb"))
          .toList();
      assertThat(debs).as("exactly one cairn_*_all.deb in %s", dir).hasSize(1);
      deb = debs.get(0);
    }
  }

  @Test
  void controlFileDeclaresNameArchitectureAndOnlyTheRuntimeDependencies() throws Exception {
    String control = run("dpkg-deb", "--field", deb.toString()).out();
    assertThat(control).contains("Package: cairn\n").contains("Architecture: all\n")
        .containsPattern("Version: \\d+\\.\\d+\\.\\d+")
        .contains("Depends: default-jre-headless (>= 2:1.17) | java17-runtime-headless, libfuse2,"
            + " fuse3, adduser\n")
        .contains("Maintainer: ").contains("Description: ");
    assertThat(run("dpkg-deb", "--info", deb.toString(), "conffiles").out().strip())
        .isEqualTo("/etc/cairn/jvm.options");
    assertThat(run("dpkg-deb", "--info", deb.toString(), "postinst").out())
        .contains("adduser --system").contains("DPKG_ROOT");
  }

  @Test
  void contentsAreTheLauncherJarsUnitAndJvmOptionsOwnedByRoot() throws Exception {
    List<String> lines = run("dpkg-deb", "--contents", deb.toString()).out().lines().toList();
    assertThat(lines).allMatch(l -> l.contains(" root/root "), "every file owned by root");
    assertThat(lines).anyMatch(l -> l.startsWith("-rwxr-xr-x") && l.endsWith(" ./usr/bin/cairn"));
    assertThat(lines).anyMatch(l -> l.startsWith("-rw-r--r--")
        && l.endsWith(" ./lib/systemd/system/cairn@.service"));
    assertThat(lines).anyMatch(l -> l.endsWith(" ./etc/cairn/jvm.options"));
    assertThat(lines).anyMatch(l -> l.startsWith("-rw-r--r--")
        && l.endsWith(" ./usr/share/cairn/launcher-jit.sh"));
    assertThat(lines).anyMatch(l -> l.matches(".* \\./usr/share/cairn/lib/cairn-cli-.*\\.jar"));
    assertThat(lines).anyMatch(l -> l.matches(".* \\./usr/share/cairn/lib/picocli-.*\\.jar"));
    assertThat(lines).noneMatch(l -> l.matches(".*/(junit|assertj|jqwik)[^/]*\\.jar"));
  }

  @Test
  void unitIsSandboxedRestartsOnFailureAndLimitsMemory() throws IOException {
    String unit = Files.readString(Path.of(System.getProperty("cairn.unit")));
    assertThat(unit.lines()).contains("User=cairn", "Restart=on-failure", "NoNewPrivileges=yes",
        "ProtectSystem=strict", "ReadWritePaths=%f", "ExecStart=/usr/bin/cairn run %f",
        "StandardOutput=journal", "PrivateTmp=yes");
    assertThat(unit.lines().filter(l -> l.startsWith("ReadWritePaths="))).as("only the node dir")
        .containsExactly("ReadWritePaths=%f");
    assertThat(unit).containsPattern("(?m)^MemoryMax=\\d+[MG]$")
        .containsPattern("(?m)^MemoryHigh=\\d+[MG]$");
  }

  /** Installs the package with dpkg into a new scratch root under tmp. */
  private Path installed() throws Exception {
    Path root = tmp.resolve("root");
    for (String d : List.of("var/lib/dpkg/info", "var/lib/dpkg/updates", "var/lib/dpkg/triggers")) {
      Files.createDirectories(root.resolve(d));
    }
    Files.createFile(root.resolve("var/lib/dpkg/status"));
    Result install = run("dpkg", "--root=" + root, "--force-script-chrootless", "--force-depends",
        "--force-not-root", "--install", deb.toString());
    assertThat(install.out()).contains("Setting up cairn");
    return root;
  }

  @Test
  void aNodeStartedInTheBackgroundOfAScriptStopsOnSigint() throws Exception {
    Path root = installed();
    String cairn = root.resolve("usr/bin/cairn").toString();
    Path intro = tmp.resolve("intro");
    run(cairn, "create-introducer", intro.toString(), "--hostname", "127.0.0.1", "--port", "0");
    Path log = tmp.resolve("run.log");
    // a non-interactive shell starts an asynchronous command with SIGINT ignored
    String pid = run("sh", "-c", "\"$0\" run \"$1\" >\"$2\" 2>&1 </dev/null & echo $!", cairn,
        intro.toString(), log.toString()).out().strip();
    ProcessHandle node = ProcessHandle.of(Long.parseLong(pid)).orElseThrow();
    try {
      // the background shell may not have opened its redirect yet when echo's pid comes back
      for (int i = 0; i < 600
          && !(Files.exists(log) && Files.readString(log).contains("Introducer running")); i++) {
        Thread.sleep(100);
      }
      assertThat(Files.readString(log)).contains("Introducer running");
      assertThat(Files.readString(Path.of("/proc", pid, "cmdline")).split("\0"))
          .as("an introducer serves no client verb: C1 alone").contains("-XX:TieredStopAtLevel=1");
      run("kill", "-INT", pid);
      assertThat(node.onExit().completeOnTimeout(null, 30, TimeUnit.SECONDS).get())
          .as("the node exits after SIGINT").isNotNull();
    } finally {
      node.destroyForcibly();
    }
  }

  @Test
  void installsIntoAScratchRootRunsVersionVerifiesTheUnitAndPurges() throws Exception {
    Path root = installed();

    Result version = run(root.resolve("usr/bin/cairn").toString(), "--version");
    assertThat(version.out().strip()).startsWith("cairn 0.");
    Path options = root.resolve("etc/cairn/jvm.options");
    assertThat(Files.readString(options))
        .isEqualTo(Files.readString(Path.of(System.getProperty("cairn.unit"))
            .resolve("../../../../../cli/jvm.options").normalize()));

    // systemd-analyze resolves the unit's dependencies (sysinit.target, ...) inside --root:
    // give the scratch root the host's targets and slices, as a real system has.
    Path units = root.resolve("lib/systemd/system");
    try (Stream<Path> host = Files.list(Path.of("/lib/systemd/system"))) {
      for (Path p : host.filter(p -> p.toString().matches(".*\\.(target|slice)$")).toList()) {
        Files.copy(p, units.resolve(p.getFileName()));
      }
    }
    String instance = "cairn@srv-cairn-node1.service";
    Result verify = run("systemd-analyze", "verify", "--root=" + root, instance);
    assertThat(verify.out()).as("systemd-analyze verify says nothing about a good unit").isEmpty();
    Result security = run("systemd-analyze", "security", "--offline=true", "--threshold=25",
        "--root=" + root, instance);
    assertThat(security.out()).contains("Overall exposure level");

    run("dpkg", "--root=" + root, "--force-script-chrootless", "--force-not-root", "--purge",
        "cairn");
    assertThat(root.resolve("usr/bin/cairn")).doesNotExist();
    assertThat(root.resolve("lib/systemd/system/cairn@.service")).doesNotExist();
  }

  private record Result(int exit, String out) {}

  /** Runs a command to completion; fails the test naming the command unless it exits 0. */
  private Result run(String... command) throws IOException, InterruptedException {
    Path log = Files.createTempFile(tmp, "cmd", ".out");
    Process p;
    try {
      p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    } catch (IOException e) {
      throw new AssertionError(command[0] + " is needed to check the Debian package and is not"
          + " installed (on Debian: apt-get install dpkg systemd): " + e.getMessage(), e);
    }
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(String.join(" ", command) + " did not finish in 120 s");
    }
    String out = Files.readString(log, StandardCharsets.UTF_8);
    if (p.exitValue() != 0) {
      throw new AssertionError(String.join(" ", command) + " exited " + p.exitValue() + ":\n" + out);
    }
    return new Result(p.exitValue(), out);
  }
}
