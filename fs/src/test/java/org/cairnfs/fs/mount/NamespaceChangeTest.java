package org.cairnfs.fs.mount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link NamespaceChange} on its own: a change whose body fails after it began to change the
 * tree (a refusal found late, or a bug) is undone before anything is journaled; one whose
 * append fails keeps the times the data path set meanwhile; the tree's write lock is released
 * on every path. {@link NamespaceRollbackTest} covers the operations on a real full disk.
 */
class NamespaceChangeTest {
  @TempDir Path dir;

  /**
   * The uploader's pruneClean runs without the tree lock, so it can forget a clean file between
   * a change's entry record and its journaling (seen as an intermittent "journaled entry for
   * untracked file" from a setxattr on a file just uploaded). The change must track the file
   * again when it journals it, and hold after a crash. The test forgets the file as pruneClean
   * does ({@code files} loses its entry) at the point the race lets the uploader in.
   */
  @Test
  void aFileForgottenWhileAChangeRunsIsTrackedAgainWhenItIsJournaled() throws Exception {
    try (CoreFixture fx = new CoreFixture(dir.resolve("cache"))) {
      fx.put("/f", new byte[] {1});
      Tree tree = fx.core.tree;
      DirNode root = tree.root;
      FileNode f = (FileNode) root.children.get("f");
      WriteBack wb = fx.core.writeBack();
      NamespaceChange.run(tree, wb, c -> {
        c.keep(f);
        f.mode = 0600;
        c.journalEntry(root, f);
        assertThat(f.childRef()).isInstanceOf(ChildRef.LocalFile.class);
        wb.lock.lock();
        try {
          wb.files.remove(f.data.id()); // what pruneClean does to a clean file
        } finally {
          wb.lock.unlock();
        }
        return null;
      });
      assertThat(wb.files).containsKey(f.data.id());
      fx.crashAndReopen();
      assertThat(fx.core.getattr("/f").mode() & 0777).isEqualTo(0600);
      assertThat(fx.get("/f")).containsExactly(1);
    }
  }

  @Test
  void aBodyThatFailsAfterChangingTheTreeIsUndone() throws Exception {
    try (CoreFixture fx = new CoreFixture(dir.resolve("cache"))) {
      fx.put("/f", new byte[] {1});
      fx.put("/g", new byte[] {2});
      fx.core.mkdir("/d", 0755, CoreFixture.USER);
      fx.core.setxattr("/f", "user.k", new byte[] {'v'}, 0);
      Tree tree = fx.core.tree;
      DirNode root = tree.root;
      Node f = root.children.get("f");
      Node g = root.children.get("g");
      DirNode d = (DirNode) root.children.get("d");
      StatInfo before = fx.core.getattr("/f");
      Instant t = Instant.parse("2020-01-01T00:00:00Z");
      for (RuntimeException bug : new RuntimeException[] {null, new IllegalStateException()}) {
        FsException refusal = new FsException(FsError.NOT_PERMITTED, "refused late");
        boolean[] undone = {false};
        Throwable thrown = catchThrowable(() -> NamespaceChange.run(tree, fx.core.writeBack(),
            c -> {
              c.keep(f);
              f.mode = 0600;
              f.uid = 7;
              f.gid = 7;
              f.atime = t;
              f.mtime = t;
              f.ctime = t;
              f.xattrs = new java.util.TreeMap<>(f.xattrs); // nodes replace their maps
              f.xattrs.put("user.k", new byte[] {'w'});
              f.xattrs.put("user.new", new byte[] {'n'});
              assertThat(c.remove(root.children, "f")).isSameAs(f);
              c.link(d, "moved", f);
              c.remove(root.children, "g");
              c.link(d, "linked", g); // kept by the link alone
              c.put(root.children, "d", f); // over an existing entry
              c.onUndo(() -> undone[0] = true);
              c.journalEntry(d, f);
              if (bug != null) {
                throw bug;
              }
              throw refusal;
            }));
        assertThat(thrown).isSameAs(bug != null ? bug : refusal);
        assertThat(tree.lock.isWriteLocked()).isFalse();
        assertThat(undone[0]).isTrue();
        assertThat(root.children).containsEntry("f", f).containsEntry("d", d);
        assertThat(root.children).containsEntry("g", g);
        assertThat(d.children).doesNotContainKeys("moved", "linked");
        assertThat(f.parent).isSameAs(root);
        assertThat(f.name).isEqualTo("f");
        assertThat(g.parent).isSameAs(root);
        assertThat(g.name).isEqualTo("g");
        assertThat(fx.core.getattr("/f")).isEqualTo(before);
        assertThat(fx.core.listxattr("/f")).contains("user.k").doesNotContain("user.new");
        assertThat(fx.core.getxattr("/f", "user.k")).containsExactly('v');
      }
      fx.crashAndReopen(); // nothing of it was journaled
      assertThat(fx.core.getattr("/f").mode()).isEqualTo(before.mode());
      assertThat(fx.core.readdir("/d")).extracting(DirEntryInfo::name).doesNotContain("moved");
    }
  }

  @Test
  void aChangeThatWorksReturnsItsResultJournaledAndUnlocked() throws Exception {
    try (CoreFixture fx = new CoreFixture(dir.resolve("cache"))) {
      fx.put("/f", new byte[] {1});
      Tree tree = fx.core.tree;
      Node f = tree.root.children.get("f");
      String result = NamespaceChange.run(tree, fx.core.writeBack(), c -> {
        c.keep(f);
        f.mode = 0640;
        c.journalEntry(f.parent, f);
        return "done";
      });
      assertThat(result).isEqualTo("done");
      assertThat(tree.lock.isWriteLocked()).isFalse();
      fx.crashAndReopen();
      assertThat(fx.core.getattr("/f").mode() & 07777).isEqualTo(0640);
    }
  }

  /**
   * A change whose append fails (a full disk) is undone, its times with it. The data path sets
   * a file's times without the tree lock, though: a read or a write that lands while the change
   * is being journaled keeps its times. The failing append runs them where that thread would.
   */
  @Test
  void aFailedAppendUndoesTheChangesTimesButNotTheDataPaths() throws Exception {
    FaultyChannels disk = new FaultyChannels();
    MemoryGrid grid = MemoryGrid.inMemory();
    grid.failWith(GridException.Kind.UNREACHABLE); // nothing is uploaded, nothing else appended
    MountConfig config = MountConfig.builder(grid.newRoot(), dir.resolve("cache"))
        .journalForceInterval(Duration.ZERO) // no forcer thread
        .owner(1000, 1000).build();
    MountCore core = MountCore.open(config, grid, disk);
    try {
      long fh = core.create("/f", 0644, MountCore.O_RDWR | MountCore.O_CREAT, CoreFixture.USER);
      core.write(fh, ByteBuffer.wrap(new byte[] {1}), 0);
      core.flush(fh);
      FileNode n = core.handle(fh).node();
      StatInfo before = core.getattr("/f");
      disk.failNextWriteAfter = 0;
      Instant t = Instant.parse("2020-01-01T00:00:00Z");
      assertThatThrownBy(() -> core.utimens("/f", new TimeSpec.At(t), new TimeSpec.At(t)))
          .isInstanceOf(FsException.class);
      assertThat(core.getattr("/f")).isEqualTo(before);
      Instant w = Instant.parse("2030-01-01T00:00:00Z");
      Map<String, Instant> meanwhile = Map.of("atime", w, "mtime", w.plusSeconds(1),
          "ctime", w.plusSeconds(2));
      disk.failNextWriteAfter = 0;
      disk.duringFailedWrite = () -> {
        n.atime = meanwhile.get("atime");
        n.mtime = meanwhile.get("mtime");
        n.ctime = meanwhile.get("ctime");
      };
      assertThatThrownBy(() -> core.chmod("/f", 0600)).isInstanceOf(FsException.class)
          .extracting(e -> ((FsException) e).error()).isEqualTo(FsError.IO);
      assertThat(disk.duringFailedWrite).as("the chmod's append failed").isNull();
      StatInfo st = core.getattr("/f");
      assertThat(st.mode() & 07777).isEqualTo(0644);
      assertThat(Map.of("atime", st.atime(), "mtime", st.mtime(), "ctime", st.ctime()))
          .isEqualTo(meanwhile);
      core.release(fh);
    } finally {
      core.crash();
    }
  }
}
