package org.cairnfs.fs.mount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A namespace change whose journal append fails (a real full cache disk) has not happened: the
 * tree is as before, later changes work once there is room, and a remount agrees with what
 * each call answered ({@link NamespaceChange}).
 */
class NamespaceRollbackTest {
  static final Caller U = CoreFixture.USER;
  @TempDir Path dir;
  private final TmpfsMounts tmpfs = new TmpfsMounts();

  @AfterEach
  void unmount() throws Exception {
    tmpfs.close();
  }

  @Test
  void aChangeThatCannotBeJournaledLeavesTheTreeAsItWas() throws Exception {
    Path cache = tmpfs.mount(dir.resolve("cache"), "1m");
    MemoryGrid grid = MemoryGrid.inMemory();
    try (CoreFixture fx = new CoreFixture(grid, null, cache, b -> { })) {
      MountCore core = fx.core;
      core.mkdir("/d", 0755, U);
      core.mkdir("/d/e", 0755, U);
      fx.put("/d/f", new byte[] {1});
      fx.put("/d/g", new byte[] {2, 2});
      core.symlink("x", "/s", U);
      fx.put("/d/z", new byte[0]);
      core.chmod("/d/z", 04755);
      core.setxattr("/d/f", "user.k", new byte[] {'v'}, 0);
      core.sync(Duration.ofSeconds(30));
      grid.failWith(GridException.Kind.UNREACHABLE); // the uploader appends nothing meanwhile

      Path filler = cache.resolve("filler");
      TmpfsMounts.fill(filler);
      // the journal's last page too: its smallest entry record no longer fits
      Instant t = Instant.parse("2026-01-01T00:00:00Z");
      for (int i = 0; ; i++) {
        try {
          core.utimens("/s", new TimeSpec.At(t), new TimeSpec.At(t.plusSeconds(i)));
        } catch (FsException full) {
          break;
        }
      }
      long journal = Files.size(cache.resolve("journal"));
      Snapshot before = new Snapshot(core);

      refused(core, () -> core.mkdir("/d/new", 0755, U), before);
      refused(core, () -> core.rmdir("/d/e"), before);
      refused(core, () -> core.unlink("/d/f"), before);
      refused(core, () -> core.rename("/d/f", "/d/h", 0), before);
      refused(core, () -> core.rename("/d/f", "/d/g", 0), before); // over an existing target
      refused(core, () -> core.rename("/d/f", "/h", MountCore.RENAME_NOREPLACE), before);
      refused(core, () -> core.rename("/d/f", "/d/g", MountCore.RENAME_EXCHANGE), before);
      refused(core, () -> core.rename("/d/e", "/e2", 0), before); // a directory, across
      refused(core, () -> core.symlink("y", "/d/l", U), before);
      refused(core, () -> core.create("/d/c", 0644, MountCore.O_CREAT | MountCore.O_WRONLY, U),
          before);
      refused(core, () -> core.chmod("/d/f", 0600), before);
      refused(core, () -> core.chown("/d/f", -1, 1000, U), before);
      refused(core, () -> core.utimens("/d", new TimeSpec.At(t), new TimeSpec.At(t)), before);
      refused(core, () -> core.setxattr("/d/f", "user.k", new byte[] {'w'}, 0), before);
      refused(core, () -> core.setxattr("/d/f", "user.n", new byte[] {'n'}, 0), before);
      refused(core, () -> core.removexattr("/d/f", "user.k"), before);
      // libfuse's unlink of an open file: a rename to a hidden name
      refused(core, () -> core.rename("/d/f", "/d/.fuse_hidden0001", 0), before);
      assertThatThrownBy(() -> core.getattr("/d/.fuse_hidden0001"))
          .isInstanceOf(FsException.class);
      // a truncating open or create by a non-root caller drops the set-id bits of an empty file
      refused(core, () -> core.open("/d/z", MountCore.O_WRONLY | MountCore.O_TRUNC, U), before);
      refused(core, () -> core.create("/d/z", 0644, MountCore.O_CREAT | MountCore.O_WRONLY
          | MountCore.O_TRUNC, U), before);
      assertThat(Files.size(cache.resolve("journal"))).as("no part journaled").isEqualTo(journal);

      Files.delete(filler);
      core.mkdir("/d/new", 0755, U);
      core.rename("/d/f", "/d/g", 0);
      core.symlink("y", "/d/l", U);
      List<String> told = names(core, "/d");
      assertThat(told).containsExactly("e", "g", "l", "new", "z");
      byte[] g = fx.get("/d/g");
      assertThat(g).containsExactly(1);

      grid.heal();
      fx.crashAndReopen(); // replays the journal: what the calls answered, nothing else
      assertThat(names(fx.core, "/d")).isEqualTo(told);
      assertThat(fx.get("/d/g")).containsExactly(1);
      assertThatThrownBy(() -> fx.core.getattr("/d/f")).isInstanceOf(FsException.class);
    }
  }

  private static void refused(MountCore core, ThrowingCallable call, Snapshot before)
      throws FsException {
    assertThatThrownBy(call).isInstanceOf(FsException.class)
        .extracting(e -> ((FsException) e).error()).isEqualTo(FsError.IO);
    assertThat(new Snapshot(core)).isEqualTo(before);
  }

  private static List<String> names(MountCore core, String path) throws FsException {
    return core.readdir(path).stream().map(DirEntryInfo::name)
        .filter(n -> !n.equals(".") && !n.equals("..")).toList();
  }

  /** What getattr and readdir show of the test's tree. */
  private record Snapshot(List<DirEntryInfo> root, List<DirEntryInfo> d, List<DirEntryInfo> e,
      StatInfo f, StatInfo g, List<String> fAttrs, String fk) {
    Snapshot(MountCore core) throws FsException {
      this(core.readdir("/"), core.readdir("/d"), core.readdir("/d/e"), core.getattr("/d/f"),
          core.getattr("/d/g"), core.listxattr("/d/f"),
          new String(core.getxattr("/d/f", "user.k"), java.nio.charset.StandardCharsets.UTF_8));
    }
  }
}
