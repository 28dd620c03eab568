package org.cairnfs.fs.mount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.cairnfs.caps.dirnode.EntryKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tree's node classes on their own, without a mount: what each says its entry records,
 * when a node counts as linked, how a directory counts its subdirectories and passes a
 * journaled change up, and what a file's entry points to in each state of its content.
 */
class NodesTest {
  static final Instant M = Instant.parse("2024-01-02T03:04:05Z");
  static final Instant C = Instant.parse("2024-01-02T03:04:06Z");

  @TempDir Path spool;

  static DirNode dir(long ino, boolean root) {
    return new DirNode(ino, new DirRef.Local(ino), true, root, 0750, 1, 2, M, C);
  }

  FileNode file(long ino, Optional<String> base, long baseSize) {
    FileData data = new FileData(ino, spool, new SpoolBudget(1L << 30),
        (cap, off, len) -> new byte[len], base, baseSize);
    return new FileNode(ino, data, 0640, 1, 2, M, C);
  }

  static void link(DirNode parent, String name, Node child) {
    if (parent.children == null) {
      parent.children = new TreeMap<>();
    }
    parent.children.put(name, child);
    child.parent = parent;
    child.name = name;
  }

  @Test
  void aNodeStartsWithItsTimesAndOwnerAndAccessTimeAsItsModificationTime() {
    SymlinkNode s = new SymlinkNode(7, "t", 0777, 3, 4, M, C);
    assertThat(s.ino).isEqualTo(7);
    assertThat(s.mode).isEqualTo(0777);
    assertThat(s.uid).isEqualTo(3);
    assertThat(s.gid).isEqualTo(4);
    assertThat(s.mtime).isEqualTo(M);
    assertThat(s.ctime).isEqualTo(C);
    assertThat(s.atime).isEqualTo(M);
  }

  @Test
  void onlyANodeWithAParentOrTheRootIsLinked() {
    DirNode root = dir(1, true);
    DirNode d = dir(2, false);
    FileNode f = file(3, Optional.empty(), 0);
    SymlinkNode s = new SymlinkNode(4, "x", 0777, 0, 0, M, C);
    assertThat(root.linked()).isTrue();
    assertThat(d.linked()).isFalse();
    assertThat(f.linked()).isFalse();
    assertThat(s.linked()).isFalse();
    link(root, "d", d);
    link(d, "f", f);
    link(d, "s", s);
    assertThat(d.linked()).isTrue();
    assertThat(f.linked()).isTrue();
    assertThat(s.linked()).isTrue();
  }

  @Test
  void aDirectoryCountsOnlyItsDirectoriesAndNoneBeforeItIsListed() {
    DirNode d = dir(1, false);
    assertThat(d.subdirectories()).isZero();
    link(d, "a", dir(2, false));
    link(d, "f", file(3, Optional.empty(), 0));
    link(d, "b", dir(4, false));
    link(d, "s", new SymlinkNode(5, "x", 0777, 0, 0, M, C));
    assertThat(d.subdirectories()).isEqualTo(2);
  }

  @Test
  void aChangeIsNotedInTheDirectoryAndEveryOneAboveIt() {
    DirNode root = dir(1, true);
    DirNode a = dir(2, false);
    DirNode b = dir(3, false);
    link(root, "a", a);
    link(a, "b", b);
    DirNode.changed(b, 5);
    assertThat(new long[] {root.changedSeq.get(), a.changedSeq.get(), b.changedSeq.get()})
        .containsExactly(5, 5, 5);
    DirNode.changed(a, 3); // older than what a has: nothing lowers
    assertThat(new long[] {root.changedSeq.get(), a.changedSeq.get(), b.changedSeq.get()})
        .containsExactly(5, 5, 5);
    DirNode.changed(a, 9);
    assertThat(new long[] {root.changedSeq.get(), a.changedSeq.get(), b.changedSeq.get()})
        .containsExactly(9, 9, 5);
  }

  /**
   * The walk stops at the first directory that has the sequence number already, without looking
   * further up: a directory that had it while detached, now linked under a parent that has less,
   * leaves the parent as it is (its own link is journaled there at a newer number).
   */
  @Test
  void theWalkStopsAtTheFirstDirectoryThatHasTheNumberAlready() {
    DirNode root = dir(1, true);
    DirNode a = dir(2, false);
    a.changedSeq.set(5);
    link(root, "a", a);
    DirNode.changed(a, 5);
    assertThat(root.changedSeq.get()).isZero();
    DirNode.changed(a, 6);
    assertThat(root.changedSeq.get()).isEqualTo(6);
  }

  @Test
  void aDirectoryRecordsItsKindModeAndTimesAndXattrs() {
    DirNode d = dir(1, false);
    d.xattrs = new java.util.TreeMap<>(d.xattrs); // nodes replace their maps
    d.xattrs.put("user.k", new byte[] {1});
    NodeMetadata m = d.metadata();
    assertThat(d.kind()).isEqualTo(EntryKind.DIRECTORY);
    assertThat(m.kind()).isEqualTo(EntryKind.DIRECTORY);
    assertThat(m.size()).isZero();
    assertThat(m.mode()).isEqualTo(0750);
    assertThat(m.mtime()).isEqualTo(M);
    assertThat(m.ctime()).isEqualTo(C);
    assertThat(m.symlinkTarget()).isEmpty();
    assertThat(m.xattrs()).containsOnlyKeys("user.k");
  }

  @Test
  void aSymlinkRecordsItsTargetAndItsLengthInUtf8Bytes() {
    SymlinkNode s = new SymlinkNode(1, "d\u00e9j\u00e0/\u20ac", 0777, 0, 0, M, C);
    s.xattrs = new java.util.TreeMap<>(s.xattrs); // nodes replace their maps
    s.xattrs.put("user.k", new byte[] {1});
    NodeMetadata m = s.metadata();
    assertThat(s.kind()).isEqualTo(EntryKind.SYMLINK);
    assertThat(m.kind()).isEqualTo(EntryKind.SYMLINK);
    assertThat(m.symlinkTarget()).contains("d\u00e9j\u00e0/\u20ac");
    assertThat(m.size()).isEqualTo(10); // 5 characters of 1, 2 of 2 and 1 of 3 bytes
    assertThat(m.mode()).isEqualTo(0777);
    assertThat(m.mtime()).isEqualTo(M);
    assertThat(m.ctime()).isEqualTo(C);
    assertThat(m.xattrs()).containsOnlyKeys("user.k");
  }

  @Test
  void aDeviceKeepsItsNumberAndAFifoOrSocketHasNone() {
    SpecialNode dev = new SpecialNode(1, EntryKind.CHAR_DEVICE, 0x0103, 0660, 0, 0, M, C);
    SpecialNode blk = new SpecialNode(2, EntryKind.BLOCK_DEVICE, 0x0801, 0660, 0, 0, M, C);
    SpecialNode fifo = new SpecialNode(3, EntryKind.FIFO, 0x0103, 0644, 0, 0, M, C);
    SpecialNode sock = new SpecialNode(4, EntryKind.SOCKET, 7, 0755, 0, 0, M, C);
    assertThat(dev.rdev).isEqualTo(0x0103);
    assertThat(dev.kind()).isEqualTo(EntryKind.CHAR_DEVICE);
    assertThat(dev.metadata().rdev()).isEqualTo(0x0103);
    assertThat(dev.metadata().kind()).isEqualTo(EntryKind.CHAR_DEVICE);
    assertThat(blk.metadata().rdev()).isEqualTo(0x0801);
    assertThat(fifo.rdev).isZero();
    assertThat(fifo.kind()).isEqualTo(EntryKind.FIFO);
    assertThat(fifo.metadata().rdev()).isZero();
    assertThat(sock.metadata().kind()).isEqualTo(EntryKind.SOCKET);
    NodeMetadata m = fifo.metadata();
    assertThat(m.size()).isZero();
    assertThat(m.mode()).isEqualTo(0644);
    assertThat(m.mtime()).isEqualTo(M);
    assertThat(m.ctime()).isEqualTo(C);
    assertThat(m.symlinkTarget()).isEmpty();
  }

  @Test
  void aSpecialNodeIsNeverAFileDirectoryOrSymlink() {
    for (EntryKind k : new EntryKind[] {EntryKind.FILE, EntryKind.DIRECTORY, EntryKind.SYMLINK}) {
      assertThatThrownBy(() -> new SpecialNode(1, k, 0, 0644, 0, 0, M, C))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(k + " is not a special file");
    }
  }

  @Test
  void aFileRecordsItsCurrentSize() throws Exception {
    FileNode f = file(1, Optional.of("URI:base"), 100);
    f.xattrs = new java.util.TreeMap<>(f.xattrs); // nodes replace their maps
    f.xattrs.put("user.k", new byte[] {1});
    assertThat(f.kind()).isEqualTo(EntryKind.FILE);
    assertThat(f.metadata().size()).isEqualTo(100);
    f.data.write(150, ByteBuffer.wrap(new byte[] {1, 2}));
    NodeMetadata m = f.metadata();
    assertThat(m.kind()).isEqualTo(EntryKind.FILE);
    assertThat(m.size()).isEqualTo(152);
    assertThat(m.mode()).isEqualTo(0640);
    assertThat(m.mtime()).isEqualTo(M);
    assertThat(m.ctime()).isEqualTo(C);
    assertThat(m.symlinkTarget()).isEmpty();
    assertThat(m.xattrs()).containsOnlyKeys("user.k");
  }

  /**
   * A file's entry points to its grid cap only while the file has a base and no local change,
   * open or sealed; else to the local file at its newest sealed generation (0: none sealed).
   */
  @Test
  void aFilePointsToItsCapOnlyWhileCleanElseToItsLocalGeneration() throws Exception {
    FileNode clean = file(11, Optional.of("URI:base"), 100);
    assertThat(clean.childRef()).isEqualTo(new ChildRef.Cap("URI:base"));

    FileNode fresh = file(12, Optional.empty(), 0);
    assertThat(fresh.childRef()).isEqualTo(new ChildRef.LocalFile(12, 0));

    FileNode open = file(13, Optional.of("URI:base"), 100);
    open.data.write(0, ByteBuffer.wrap(new byte[] {1}));
    assertThat(open.childRef()).isEqualTo(new ChildRef.LocalFile(13, 0));

    FileNode sealed = file(14, Optional.of("URI:base"), 100);
    sealed.data.write(0, ByteBuffer.wrap(new byte[] {1}));
    long gen = sealed.data.commit(false).orElseThrow().gen;
    assertThat(gen).isPositive();
    assertThat(sealed.childRef()).isEqualTo(new ChildRef.LocalFile(14, gen));

    sealed.data.uploaded(gen, "URI:next", 100);
    assertThat(sealed.childRef()).isEqualTo(new ChildRef.Cap("URI:next"));
  }

  /**
   * A node starts with, and returns to, the one shared empty map (most nodes have no xattrs:
   * no map of their own each); a node's own copy keeps names sorted.
   */
  @Test
  void xattrsStartEmptySharedAndSorted() {
    DirNode d = dir(1, false);
    assertThat(d.xattrs).isEmpty();
    assertThat(d.xattrs).isSameAs(dir(2, false).xattrs);
    assertThat(Node.xattrsOf(new java.util.HashMap<>())).isSameAs(d.xattrs);
    java.util.Map<String, byte[]> unsorted = new java.util.HashMap<>();
    unsorted.put("user.b", new byte[0]);
    unsorted.put("user.a", new byte[0]);
    d.xattrs = Node.xattrsOf(unsorted);
    unsorted.clear();
    assertThat(d.xattrs.keySet()).as("a copy").containsExactly("user.a", "user.b");
    assertThat(Map.copyOf(d.metadata().xattrs())).containsOnlyKeys("user.a", "user.b");
  }
}
