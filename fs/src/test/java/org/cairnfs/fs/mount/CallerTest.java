package org.cairnfs.fs.mount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Supplementary groups, read from the caller's process as FUSE names it: a process made with
 * setpriv (root only) in groups 50 and 51, primary group 1000.
 */
class CallerTest {
  @TempDir
  Path dir;
  private Process member;

  @BeforeEach
  void start() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "setpriv needs root");
    // named (prctl PR_SET_NAME) with a UTF-8 character cut at 15 bytes: the Name: line of its
    // status is not UTF-8
    member = new ProcessBuilder("setpriv", "--groups", "50,51", "--regid", "1000", "--reuid",
        "1000", "/usr/bin/python3", "-c", "import ctypes, time; ctypes.CDLL(None).prctl(15, "
        + "b'aaaaaaaaaaaaaa\\xc3\\xa9', 0, 0, 0); time.sleep(60)").start();
    // setpriv execs python in the same process: wait until its groups and name show
    Caller c = new Caller(1000, 1000, member.pid());
    Path status = Path.of("/proc", Long.toString(member.pid()), "status");
    for (int i = 0; i < 1000 && !(c.inGroup(51) && java.nio.file.Files.readString(status,
        java.nio.charset.StandardCharsets.ISO_8859_1).contains("aaaaaaaaaaaaaa\u00c3")); i++) {
      Thread.sleep(10);
    }
    assertThat(c.inGroup(51)).as("setpriv's process shows groups 50 and 51").isTrue();
  }

  @AfterEach
  void stop() {
    if (member != null) {
      member.destroyForcibly();
    }
  }

  @Test
  void aCallerIsInItsPrimaryGroupAndItsProcessSupplementaryGroups() throws Exception {
    Caller c = new Caller(1000, 1000, member.pid());
    assertThat(c.inGroup(1000)).isTrue();
    assertThat(c.inGroup(50)).isTrue();
    assertThat(c.inGroup(51)).isTrue();
    assertThat(c.inGroup(52)).isFalse();
    assertThat(c.inGroup(5)).isFalse(); // not a prefix match of "50"
    assertThat(new Caller(1000, 1000).inGroup(51)).isFalse(); // no pid: primary only
    // another uid or gid than the process's: a reused thread id lends nothing
    assertThat(new Caller(1001, 1000, member.pid()).inGroup(51)).isFalse();
    assertThat(new Caller(1000, 1001, member.pid()).inGroup(51)).isFalse();
    member.destroyForcibly().waitFor();
    assertThat(c.inGroup(51)).isFalse(); // the process gone: the safe side
    assertThat(c.inGroup(1000)).isTrue();
  }

  /** Linux keeps a setgid bit (without group execute) on a truncate by a member of the group. */
  @Test
  void anOTruncOpenBySupplementaryMemberOfTheFilesGroupKeepsSetgid() throws Exception {
    try (CoreFixture fx = new CoreFixture(dir)) {
      MountCore core = fx.core;
      Caller member51 = new Caller(1000, 1000, member.pid());
      for (String f : new String[] {"/in", "/out"}) {
        fx.put(f, new byte[] {1, 2});
        core.chmod(f, 02766);
      }
      core.chown("/in", -1, 51, new Caller(0, 0));
      core.chown("/out", -1, 52, new Caller(0, 0));
      core.release(core.open("/in", MountCore.O_RDWR | MountCore.O_TRUNC, member51));
      core.release(core.open("/out", MountCore.O_RDWR | MountCore.O_TRUNC, member51));
      assertThat(core.getattr("/in").mode()).isEqualTo(02766);
      assertThat(core.getattr("/out").mode()).isEqualTo(0766);
      assertThat(core.getattr("/in").size()).isZero();
    }
  }
}
