package org.cairnfs.caps.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.cairnfs.caps.ChunkedReadCap;
import org.junit.jupiter.api.Test;

/**
 * The geometry's bounds and saturating arithmetic at their edges: a manifest's shape is computed
 * from sizes a writer chose, so an overflow here would place chunks wrongly, not fail.
 */
class ManifestGeometryEdgesTest {
  private static final int MIN = ChunkedReadCap.MIN_CHUNK_SIZE;
  private static final int MAX = ChunkedReadCap.MAX_CHUNK_SIZE;

  @Test
  void chunkSizesAndFanoutsAreBoundedExactly() {
    assertThat(new ManifestGeometry(2, MIN, 0).chunkSize()).isEqualTo(MIN);
    assertThat(new ManifestGeometry(2, MAX, 0).chunkSize()).isEqualTo(MAX);
    assertThatThrownBy(() -> new ManifestGeometry(2, MIN - 1, 0))
        .hasMessageContaining("chunk size must be in");
    assertThatThrownBy(() -> new ManifestGeometry(2, MAX + 1, 0))
        .hasMessageContaining("chunk size must be in");
    assertThat(new ManifestGeometry(2, MIN, 10).fanout()).isEqualTo(2);
    assertThatThrownBy(() -> new ManifestGeometry(1, MIN, 10))
        .hasMessageContaining("fanout must be at least 2, got 1");
  }

  @Test
  void chunkIndexesPastTheLastAreRefused() {
    ManifestGeometry g = ManifestGeometry.of(MIN, 3L * MIN);
    assertThat(g.chunkOffset(2)).isEqualTo(2L * MIN);
    assertThatThrownBy(() -> g.chunkOffset(3)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> g.chunkOffset(-1)).isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void anEmptyFileHasNoRoot() {
    assertThatThrownBy(() -> ManifestGeometry.of(MIN, 0).root())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("empty file");
  }

  @Test
  void rangesAreCheckedAndSaturateInsteadOfOverflowing() {
    ManifestGeometry g = ManifestGeometry.of(MIN, 3L * MIN);
    assertThatThrownBy(() -> g.touching(-1, 1)).hasMessageContaining("negative range");
    assertThatThrownBy(() -> g.touching(0, -1)).hasMessageContaining("negative range");
    // offset + length overflows: the range runs to the end of the file.
    ChunkRange all = g.touching(1, Long.MAX_VALUE);
    assertThat(all.first()).isZero();
    assertThat(all.end()).isEqualTo(3);
    assertThat(all.rangeEnd()).isEqualTo(3L * MIN);
  }

  @Test
  void powerAndProductSaturateAtTheirExactEdge() {
    assertThat(ManifestGeometry.pow(2, 62)).isEqualTo(1L << 62);
    assertThat(ManifestGeometry.pow(2, 63)).isEqualTo(Long.MAX_VALUE);
    assertThat(ManifestGeometry.pow(1024, 7)).isEqualTo(Long.MAX_VALUE);
    assertThat(ManifestGeometry.mulSat(0, Long.MAX_VALUE)).isZero();
    assertThat(ManifestGeometry.mulSat(2, Long.MAX_VALUE / 2)).isEqualTo(Long.MAX_VALUE - 1);
    assertThat(ManifestGeometry.mulSat(2, Long.MAX_VALUE / 2 + 1)).isEqualTo(Long.MAX_VALUE);
    assertThat(ManifestGeometry.mulSat(1L << 32, 1L << 32)).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void geometriesAreEqualByChunkSizeFileSizeAndFanout() {
    ManifestGeometry g = ManifestGeometry.of(MIN, 10);
    assertThat(g).isEqualTo(ManifestGeometry.of(MIN, 10)).hasSameHashCodeAs(
        ManifestGeometry.of(MIN, 10));
    assertThat(g).isNotEqualTo(ManifestGeometry.of(MIN, 11))
        .isNotEqualTo(ManifestGeometry.of(2 * MIN, 10))
        .isNotEqualTo(new ManifestGeometry(2, MIN, 10)).isNotEqualTo("x");
    assertThat(g.hashCode()).isNotEqualTo(ManifestGeometry.of(MIN, 11).hashCode())
        .isNotEqualTo(ManifestGeometry.of(2 * MIN, 10).hashCode())
        .isNotEqualTo(new ManifestGeometry(2, MIN, 10).hashCode());
    assertThat(g.toString()).contains("chunk size 4096").contains("file size 10");
  }
}
