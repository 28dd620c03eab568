package org.cairnfs.caps.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ManifestGeometryTest {
  private static final int MIB4 = 4 << 20;

  @Test
  void chunksCoverTheFileInOrder() {
    ManifestGeometry g = ManifestGeometry.of(4096, 10_000);
    assertThat(g.chunkCount()).isEqualTo(3);
    assertThat(g.chunkOffset(2)).isEqualTo(8192);
    assertThat(g.chunkLength(0)).isEqualTo(4096);
    assertThat(g.chunkLength(2)).isEqualTo(10_000 - 8192);
    assertThatThrownBy(() -> g.chunkLength(3)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThat(ManifestGeometry.of(4096, 8192).chunkCount()).isEqualTo(2);
    assertThat(ManifestGeometry.of(4096, 0).chunkCount()).isZero();
  }

  @Test
  void rootLevelIsTheLeastThatHoldsEveryChunk() {
    assertThat(ManifestGeometry.of(4096, 1).rootLevel()).isZero();
    assertThat(ManifestGeometry.of(4096, 1024L * 4096).rootLevel()).isZero();
    assertThat(ManifestGeometry.of(4096, 1024L * 4096 + 1).rootLevel()).isEqualTo(1);
    assertThat(ManifestGeometry.of(4096, 1024L * 1024 * 4096).rootLevel()).isEqualTo(1);
    assertThat(ManifestGeometry.of(4096, 1024L * 1024 * 4096 + 1).rootLevel()).isEqualTo(2);
    // The largest file at the smallest chunk: 2^51 chunks, five levels above the leaves.
    assertThat(ManifestGeometry.of(4096, Long.MAX_VALUE).rootLevel()).isEqualTo(5);
  }

  @Test
  void twoHundredGibAtFourMibIsFiftyLeavesUnderOneRoot() {
    ManifestGeometry g = ManifestGeometry.of(MIB4, 200L << 30);
    assertThat(g.chunkCount()).isEqualTo(51_200);
    NodePosition root = g.root();
    assertThat(root.level()).isEqualTo(1);
    assertThat(root.entryCount()).isEqualTo(50);
    assertThat(root.nodeLength()).isEqualTo(20 + 50 * 99);
    NodePosition leaf = root.child(49);
    assertThat(leaf.firstChunk()).isEqualTo(49 * 1024);
    assertThat(leaf.entryCount()).isEqualTo(1024);
    assertThat(leaf.nodeLength()).isEqualTo(20 + 1024 * 83);
  }

  @Test
  void positionsAlignToFanoutPowers() {
    ManifestGeometry g = new ManifestGeometry(4, 4096, 4096L * 21 + 5);
    NodePosition root = g.root();
    assertThat(g.chunkCount()).isEqualTo(22);
    assertThat(root.level()).isEqualTo(2);
    assertThat(root.entryCount()).isEqualTo(2);
    assertThat(root.entryLength(0)).isEqualTo(16 * 4096);
    NodePosition second = root.child(1);
    assertThat(second.firstChunk()).isEqualTo(16);
    assertThat(second.coveredLength()).isEqualTo(4096L * 5 + 5);
    assertThat(second.entryCount()).isEqualTo(2);
    NodePosition last = second.child(1);
    assertThat(last.level()).isZero();
    assertThat(last.firstChunk()).isEqualTo(20);
    assertThat(last.entryCount()).isEqualTo(2);
    assertThat(last.entryLength(1)).isEqualTo(5);
    assertThat(last.chunkIndex(1)).isEqualTo(21);
  }

  @Test
  void rangesTouchTheChunksTheyOverlap() {
    ManifestGeometry g = ManifestGeometry.of(4096, 10_000);
    ChunkRange r = g.touching(4095, 2);
    assertThat(r.first()).isEqualTo(0);
    assertThat(r.end()).isEqualTo(2);
    assertThat(r.slice(0)).isEqualTo(new ChunkRange.Slice(0, 4095, 1, 4095));
    assertThat(r.slice(1)).isEqualTo(new ChunkRange.Slice(1, 0, 1, 4096));
    assertThat(r.coversWhole(0)).isFalse();

    ChunkRange whole = g.touching(0, Long.MAX_VALUE);
    assertThat(whole.count()).isEqualTo(3);
    assertThat(whole.coversWhole(2)).isTrue();
    assertThat(whole.slice(2).length()).isEqualTo(10_000 - 8192);

    assertThat(g.touching(4096, 4096).first()).isEqualTo(1);
    assertThat(g.touching(4096, 4096).end()).isEqualTo(2);
    assertThat(g.touching(10_000, 5).isEmpty()).isTrue();
    assertThat(g.touching(5, 0).isEmpty()).isTrue();
    assertThat(g.touching(20_000, 5).isEmpty()).isTrue();
    assertThatThrownBy(() -> g.touching(-1, 5)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aResizeChangesTheLengthOfAtMostOneSharedChunk() {
    ManifestGeometry g = ManifestGeometry.of(4096, 10_000);
    assertThat(g.resizedChunk(10_000)).isEmpty();
    assertThat(g.resizedChunk(12_000)).hasValue(2); // last chunk grows
    assertThat(g.resizedChunk(100_000)).hasValue(2);
    assertThat(g.resizedChunk(9_000)).hasValue(2); // cut inside the last chunk
    assertThat(g.resizedChunk(8_192)).isEmpty(); // cut at a boundary: chunk 2 just goes
    assertThat(g.resizedChunk(5_000)).hasValue(1);
    assertThat(g.resizedChunk(0)).isEmpty();
    assertThat(ManifestGeometry.of(4096, 8192).resizedChunk(9000)).isEmpty();
  }

  @Test
  void badChunkSizesAreRefused() {
    assertThatThrownBy(() -> ManifestGeometry.of(4095, 1))
        .hasMessageContaining("chunk size must be in [4096, 1073741824], got 4095");
    assertThatThrownBy(() -> ManifestGeometry.of((1 << 30) + 1, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ManifestGeometry.of(4096, -1))
        .hasMessageContaining("negative");
  }
}
