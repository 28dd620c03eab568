package org.cairnfs.caps.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.cairnfs.caps.Cap;
import org.cairnfs.caps.ChunkedReadCap;
import org.cairnfs.caps.ImmutableReadCap;
import org.cairnfs.caps.ImmutableVerifyCap;
import org.cairnfs.caps.LiteralCap;
import org.junit.jupiter.api.Test;

/** Building, walking and editing manifest trees (fanout 4 for depth, 1024 for real costs). */
class ManifestTreeTest {
  private static final int C = 4096;
  private static final NodeKeyPolicy POLICY = NodeKeyPolicy.convergent(Chunks.SECRET);
  private final MemoryNodeStore store = new MemoryNodeStore();

  /** Chunks 0..count-1: every fifth a hole, the rest stored; the last {@code tail} bytes. */
  static List<ChunkRef> chunks(int count, long tail) {
    List<ChunkRef> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      long length = i == count - 1 ? tail : C;
      out.add(Chunks.holeOrData(i % 5 == 2, i, length));
    }
    return out;
  }

  Cap build(int fanout, List<ChunkRef> chunks) throws IOException {
    ManifestBuilder b = new ManifestBuilder(fanout, C, store, POLICY);
    for (ChunkRef c : chunks) {
      b.add(c);
    }
    return b.finish();
  }

  List<ChunkRef> walk(Cap file, long first, long end) throws IOException {
    List<ChunkRef> out = new ArrayList<>();
    List<Long> indexes = new ArrayList<>();
    ManifestWalk.chunks(file, store, first, end, (i, c) -> {
      indexes.add(i);
      out.add(c);
    });
    for (int i = 0; i < indexes.size(); i++) {
      assertThat(indexes.get(i)).isEqualTo(first + i);
    }
    return out;
  }

  /** A cap with fanout 4 needs a fanout-4 walk: re-derive the chunks through an edit reader. */
  List<ChunkRef> walk4(Cap file) throws IOException {
    if (!(file instanceof ChunkedReadCap c)) {
      return walk(file, 0, file instanceof LiteralCap l && l.size() == 0 ? 0 : 1);
    }
    ManifestGeometry g = new ManifestGeometry(4, c.chunkSize(), c.size());
    List<ChunkRef> out = new ArrayList<>();
    collect(new SubtreeRef.Node(c.readKey(), ManifestCodec.rootFile(c.manifestKey(),
        c.extensionHash(), c.k(), c.n(), g), c.size()), g.root(), out);
    return out;
  }

  private void collect(SubtreeRef ref, NodePosition at, List<ChunkRef> out) throws IOException {
    if (ref instanceof SubtreeRef.Hole) {
      for (long i = 0; i < at.chunksCovered(); i++) {
        out.add(new ChunkRef.Hole(Math.min(C, at.coveredLength() - i * C)));
      }
      return;
    }
    SubtreeRef.Node node = (SubtreeRef.Node) ref;
    ManifestNode parsed = ManifestCodec.decode(store.get(node.file()), at);
    if (at.isLeaf()) {
      out.addAll(parsed.chunks(node.readKey()));
    } else {
      List<SubtreeRef> children = parsed.subtrees(node.readKey());
      for (int i = 0; i < children.size(); i++) {
        collect(children.get(i), at.child(i), out);
      }
    }
  }

  @Test
  void aBuiltTreeWalksBackToItsChunks() throws IOException {
    List<ChunkRef> chunks = chunks(1500, 77);
    Cap cap = build(ManifestGeometry.FANOUT, chunks);
    assertThat(cap).isInstanceOf(ChunkedReadCap.class);
    assertThat(((ChunkedReadCap) cap).size()).isEqualTo(1499L * C + 77);
    assertThat(walk(cap, 0, 1500)).isEqualTo(chunks);
    store.resetCounts();
    assertThat(walk(cap, 1030, 1040)).isEqualTo(chunks.subList(1030, 1040));
    assertThat(store.gets).as("root and one leaf").isEqualTo(2);
    assertThat(walk(cap, 7, 7)).isEmpty();
    assertThatThrownBy(() -> walk(cap, 0, 1501)).isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void deepTreesWalkBack() throws IOException {
    List<ChunkRef> chunks = chunks(70, 1);
    Cap cap = build(4, chunks);
    assertThat(walk4(cap)).isEqualTo(chunks);
  }

  @Test
  void fileOfOneChunkIsThatChunk() throws IOException {
    ChunkRef.Stored one = Chunks.stored(1, 3000);
    assertThat(build(4, List.of(one))).isEqualTo(one.cap());
    ChunkRef lit = Chunks.literal(2, 55);
    assertThat(build(4, List.of(lit))).isEqualTo(((ChunkRef.Literal) lit).cap());
    assertThat(build(4, List.of())).isEqualTo(new LiteralCap(new byte[0]));
    assertThat(store.puts).isZero();
    Cap hole = build(4, List.of(new ChunkRef.Hole(100)));
    assertThat(hole).isInstanceOf(ChunkedReadCap.class);
    assertThat(walk(hole, 0, 1)).containsExactly(new ChunkRef.Hole(100));
    assertThat(walk(one.cap(), 0, 1)).containsExactly(one);
  }

  @Test
  void holeSubtreesCollapseAndAGiantSparseFileIsOneNode() throws IOException {
    List<ChunkRef> chunks = new ArrayList<>();
    for (int i = 0; i < 63; i++) {
      chunks.add(new ChunkRef.Hole(C));
    }
    chunks.add(Chunks.stored(63, C));
    ManifestBuilder b = new ManifestBuilder(4, C, store, POLICY);
    for (ChunkRef c : chunks) {
      b.add(c);
    }
    Cap cap = b.finish();
    assertThat(b.writtenNodes()).as("leaf, level-1 node, root").hasSize(3);
    assertThat(walk4(cap)).isEqualTo(chunks);

    // 100 GiB of nothing at 4 MiB chunks: one root of 25 hole entries.
    EditResult sparse = ManifestEdit.empty(4 << 20).resize(100L << 30).apply(store, POLICY);
    assertThat(sparse.writtenNodes()).hasSize(1);
    assertThat(sparse.writtenNodes().get(0).size()).isEqualTo(20 + 25 * 99);
    List<ChunkRef> some = walk(sparse.file(), 25_000, 25_003);
    assertThat(some).containsOnly(new ChunkRef.Hole(4 << 20));
  }

  @Test
  void changingOneChunkRewritesOnlyItsPathAndConverges() throws IOException {
    List<ChunkRef> chunks = chunks(64, C);
    ChunkedReadCap cap = (ChunkedReadCap) build(4, chunks);
    Set<ImmutableReadCap> before = nodes(cap);
    store.resetCounts();
    ChunkRef fresh = Chunks.stored(1000, C);
    EditResult r = ManifestEdit.of(4, cap).put(38, fresh).apply(store, POLICY);
    assertThat(r.writtenNodes()).as("leaf, level 1, root").hasSize(3);
    assertThat(store.gets).isEqualTo(3);
    assertThat(r.releasedNodes()).hasSize(3).allMatch(before::contains);
    assertThat(r.releasedChunks()).containsExactly(((ChunkRef.Stored) chunks.get(38)).cap());
    chunks.set(38, fresh);
    assertThat(walk4(r.file())).isEqualTo(chunks);
    assertThat(r.file()).isEqualTo(build(4, chunks));
    Set<ImmutableReadCap> after = nodes((ChunkedReadCap) r.file());
    Set<ImmutableReadCap> shared = new HashSet<>(after);
    shared.retainAll(before);
    assertThat(shared).as("untouched subtrees are reused").hasSize(after.size() - 3);
  }

  @Test
  void anUnchangedEditGivesTheSameCapAndWritesNothing() throws IOException {
    ChunkedReadCap cap = (ChunkedReadCap) build(4, chunks(30, 9));
    EditResult r = ManifestEdit.of(4, cap).apply(store, POLICY);
    assertThat(r.file()).isEqualTo(cap);
    assertThat(r.writtenNodes()).isEmpty();
    assertThat(r.releasedNodes()).isEmpty();
  }

  @Test
  void appendingGrowsTheTreeAndMatchesAFreshBuild() throws IOException {
    List<ChunkRef> chunks = chunks(15, 100);
    ChunkedReadCap cap = (ChunkedReadCap) build(4, chunks);
    ManifestEdit e = ManifestEdit.of(4, cap).resize(70L * C);
    assertThat(e.chunkNeedingContent()).hasValue(14);
    assertThatThrownBy(() -> ManifestEdit.of(4, cap).resize(70L * C).apply(store, POLICY))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("chunk 14 changes from 100 to 4096 bytes");
    List<ChunkRef> grown = new ArrayList<>(chunks.subList(0, 14));
    for (int i = 14; i < 70; i++) {
      ChunkRef c = i < 40 ? Chunks.stored(500 + i, C) : new ChunkRef.Hole(C);
      grown.add(c);
      e.put(i, c);
    }
    EditResult r = e.apply(store, POLICY);
    assertThat(walk4(r.file())).isEqualTo(grown);
    assertThat(r.file()).isEqualTo(build(4, grown));
  }

  @Test
  void truncatingShrinksTheTreeAndMatchesAFreshBuild() throws IOException {
    List<ChunkRef> chunks = chunks(70, C);
    ChunkedReadCap cap = (ChunkedReadCap) build(4, chunks);
    Set<ImmutableReadCap> before = nodes(cap);
    ChunkRef cut = Chunks.stored(777, 1000);
    EditResult r = ManifestEdit.of(4, cap).resize(5L * C + 1000).put(5, cut)
        .apply(store, POLICY);
    List<ChunkRef> left = new ArrayList<>(chunks.subList(0, 5));
    left.add(cut);
    assertThat(walk4(r.file())).isEqualTo(left);
    assertThat(r.file()).isEqualTo(build(4, left));
    assertThat(r.releasedNodes()).allMatch(before::contains).isNotEmpty();

    // Cutting at a boundary leaves no chunk to rewrite.
    EditResult boundary = ManifestEdit.of(4, cap).resize(8L * C).apply(store, POLICY);
    assertThat(walk4(boundary.file())).isEqualTo(chunks.subList(0, 8));

    // Down to one chunk: the chunk itself; down to nothing: the empty literal.
    EditResult one = ManifestEdit.of(4, cap).resize(C).apply(store, POLICY);
    assertThat(one.file()).isEqualTo(((ChunkRef.Stored) chunks.get(0)).cap());
    EditResult none = ManifestEdit.of(4, cap).resize(0).apply(store, POLICY);
    assertThat(none.file()).isEqualTo(new LiteralCap(new byte[0]));
    assertThat(none.releasedNodes()).containsExactly(ManifestCodec.rootFile(cap.manifestKey(),
        cap.extensionHash(), cap.k(), cap.n(), new ManifestGeometry(4, C, cap.size())));
  }

  @Test
  void growingPastTheEndAddsHolesAndAHoleChunkJustStretches() throws IOException {
    List<ChunkRef> chunks = chunks(3, C);
    chunks.set(2, new ChunkRef.Hole(10));
    ChunkedReadCap cap = (ChunkedReadCap) build(4, chunks);
    EditResult r = ManifestEdit.of(4, cap).resize(6L * C + 5).apply(store, POLICY);
    List<ChunkRef> got = walk4(r.file());
    assertThat(got.subList(0, 2)).isEqualTo(chunks.subList(0, 2));
    assertThat(got).hasSize(7);
    assertThat(got.subList(2, 6)).containsOnly(new ChunkRef.Hole(C));
    assertThat(got.get(6)).isEqualTo(new ChunkRef.Hole(5));
  }

  /** Found by the properties test: a root of holes that moves down a level is collapsed. */
  @Test
  void aRootOfHolesThatBecomesAChildCollapsesLikeAFreshBuild() throws IOException {
    EditResult holes = ManifestEdit.empty(4, C).resize(4L * C).apply(store, POLICY);
    EditResult grown = ManifestEdit.of(4, holes.file(), C).resize(4L * C + 1)
        .apply(store, POLICY);
    List<ChunkRef> expect = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      expect.add(new ChunkRef.Hole(C));
    }
    expect.add(new ChunkRef.Hole(1));
    assertThat(grown.file()).isEqualTo(build(4, expect));
    assertThat(walk4(grown.file())).isEqualTo(expect);
    assertThat(grown.releasedNodes()).hasSize(1);
  }

  @Test
  void aOneChunkFileGrowsIntoAManifestAndBack() throws IOException {
    ChunkRef.Stored first = Chunks.stored(1, 2000);
    ManifestEdit e = ManifestEdit.of(4, first.cap(), C).resize(3L * C + 7);
    assertThat(e.chunkNeedingContent()).hasValue(0);
    ChunkRef full = Chunks.stored(2, C);
    ChunkRef tail = Chunks.literal(3, 7);
    EditResult r = e.put(0, full).put(3, tail).apply(store, POLICY);
    List<ChunkRef> expect = List.of(full, new ChunkRef.Hole(C), new ChunkRef.Hole(C), tail);
    assertThat(walk4(r.file())).isEqualTo(expect);
    assertThat(r.releasedChunks()).containsExactly(first.cap());
    EditResult back = ManifestEdit.of(4, r.file(), C).resize(C).apply(store, POLICY);
    assertThat(back.file()).isEqualTo(((ChunkRef.Stored) full).cap());
    assertThatThrownBy(() -> ManifestEdit.of(Chunks.stored(5, C + 1).cap(), C))
        .hasMessageContaining("re-chunk it");
    assertThat(ManifestEdit.of(new LiteralCap(new byte[0]), C).size()).isZero();
  }

  @Test
  void putsAreChecked() throws IOException {
    ChunkedReadCap cap = (ChunkedReadCap) build(4, chunks(5, C));
    assertThatThrownBy(() -> ManifestEdit.of(4, cap).put(5, Chunks.stored(1, C))
        .apply(store, POLICY)).hasMessageContaining("chunk 5 lies past the end");
    assertThatThrownBy(() -> ManifestEdit.of(4, cap).put(1, Chunks.stored(1, C - 1))
        .apply(store, POLICY)).hasMessageContaining("chunk 1 must be 4096 bytes");
    assertThatThrownBy(() -> ManifestEdit.of(cap, 8192)).hasMessageContaining("chunk size 4096");
  }

  @Test
  void theVerifyWalkReachesEveryNodeAndStoredChunkAndNoKey() throws IOException {
    List<ChunkRef> chunks = chunks(1100, 3000);
    ManifestBuilder b = new ManifestBuilder(C, store, POLICY);
    for (ChunkRef c : chunks) {
      b.add(c);
    }
    ChunkedReadCap cap = (ChunkedReadCap) b.finish();
    List<ImmutableReadCap> nodeFiles = new ArrayList<>();
    List<ImmutableVerifyCap> chunkCaps = new ArrayList<>();
    long[] covered = {0};
    ManifestWalk.verify(cap.verifier(), store, e -> {
      if (e instanceof VerifyEntry.Node n) {
        nodeFiles.add(n.file());
      } else {
        covered[0] += e.length();
        if (e instanceof VerifyEntry.Chunk c) {
          chunkCaps.add(c.cap());
        }
      }
    });
    assertThat(new HashSet<>(nodeFiles)).isEqualTo(new HashSet<>(b.writtenNodes()));
    List<ImmutableVerifyCap> expected = new ArrayList<>();
    for (ChunkRef c : chunks) {
      if (c instanceof ChunkRef.Stored s) {
        expected.add(s.cap().verifier());
      }
    }
    assertThat(chunkCaps).isEqualTo(expected);
    assertThat(covered[0]).isEqualTo(cap.size());
  }

  /** The figures docs/specs/manifest.md gives for a 200 GiB file at 4 MiB chunks. */
  @Test
  void aOneChunkChangeToTwoHundredGibWritesOneLeafAndTheRoot() throws IOException {
    int mib4 = 4 << 20;
    ManifestBuilder b = new ManifestBuilder(mib4, store, POLICY);
    for (int i = 0; i < 51_200; i++) {
      b.add(Chunks.stored(i, mib4));
    }
    ChunkedReadCap cap = (ChunkedReadCap) b.finish();
    assertThat(b.writtenNodes()).hasSize(51);
    long total = b.writtenNodes().stream().mapToLong(ImmutableReadCap::size).sum();
    assertThat(total).isEqualTo(50L * (20 + 1024 * 83) + 20 + 50 * 99);

    store.resetCounts();
    EditResult r = ManifestEdit.of(cap).put(31_000, Chunks.stored(-1, mib4))
        .apply(store, POLICY);
    assertThat(r.writtenNodes()).extracting(ImmutableReadCap::size)
        .containsExactly(20 + 1024 * 83L, 20 + 50 * 99L);
    assertThat(store.gets).isEqualTo(2);

    store.resetCounts();
    EditResult appended = ManifestEdit.of(cap).resize(cap.size() + 100)
        .put(51_200, Chunks.stored(9, 100))
        .apply(store, POLICY);
    assertThat(appended.writtenNodes()).extracting(ImmutableReadCap::size)
        .containsExactly(20 + 83L, 20 + 51 * 99L);
    assertThat(store.gets).as("only the root").isEqualTo(1);
  }

  private Set<ImmutableReadCap> nodes(ChunkedReadCap cap) throws IOException {
    Set<ImmutableReadCap> out = new HashSet<>();
    ManifestGeometry g = new ManifestGeometry(4, cap.chunkSize(), cap.size());
    collectNodes(new SubtreeRef.Node(cap.readKey(), ManifestCodec.rootFile(cap.manifestKey(),
        cap.extensionHash(), cap.k(), cap.n(), g), cap.size()), g.root(), out);
    return out;
  }

  private void collectNodes(SubtreeRef ref, NodePosition at, Set<ImmutableReadCap> out)
      throws IOException {
    if (ref instanceof SubtreeRef.Node node) {
      out.add(node.file());
      if (!at.isLeaf()) {
        List<SubtreeRef> children = ManifestCodec.decode(store.get(node.file()), at)
            .subtrees(node.readKey());
        for (int i = 0; i < children.size(); i++) {
          collectNodes(children.get(i), at.child(i), out);
        }
      }
    }
  }
}
