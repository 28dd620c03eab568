package org.cairnfs.fs.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.cairnfs.caps.immutable.EncodingParams;
import org.junit.jupiter.api.Test;

class FilesConfigTest {
  @Test
  void defaultsAreTheMeasuredChunkSizeAndABoundedParallelism() {
    FilesConfig c = FilesConfig.defaults();
    assertThat(c.chunkSize()).isEqualTo(FilesConfig.DEFAULT_CHUNK_SIZE).isEqualTo(4 << 20);
    assertThat(c.parallelUploads()).isBetween(2, 64);
    assertThat(c.params()).isEmpty();
  }

  @Test
  void badValuesAreRefusedByName() {
    assertThatThrownBy(() -> FilesConfig.builder().chunkSize(4095))
        .hasMessageContaining("chunk size").hasMessageContaining("4095");
    assertThatThrownBy(() -> FilesConfig.builder().chunkSize((1 << 30) + 1))
        .hasMessageContaining("chunk size");
    assertThatThrownBy(() -> FilesConfig.builder().parallelUploads(0))
        .hasMessageContaining("parallel uploads").hasMessageContaining("0");
    assertThatThrownBy(() -> FilesConfig.builder().parallelDownloads(65))
        .hasMessageContaining("parallel downloads").hasMessageContaining("65");
    assertThatThrownBy(() -> FilesConfig.builder().nodeCacheBytes(-1))
        .hasMessageContaining("node cache");
    assertThatThrownBy(() -> FilesConfig.builder().chunkSize(1 << 30).parallelUploads(2).build())
        .hasMessageContaining("buffered");
  }

  @Test
  void everyBoundIsItselfAccepted() {
    FilesConfig low = FilesConfig.builder().chunkSize(4096).parallelUploads(1)
        .parallelDownloads(1).chunkBudget(1).nodeCacheBytes(0).build();
    assertThat(low.chunkSize()).isEqualTo(4096);
    assertThat(low.parallelUploads()).isEqualTo(1);
    assertThat(low.parallelDownloads()).isEqualTo(1);
    assertThat(low.chunkBudget()).isEqualTo(1);
    assertThat(low.nodeCacheBytes()).isZero();
    FilesConfig high = FilesConfig.builder().chunkSize(4096).parallelUploads(64)
        .parallelDownloads(64).chunkBudget(64).nodeCacheBytes(1L << 30).build();
    assertThat(high.parallelUploads()).isEqualTo(64);
    assertThat(high.parallelDownloads()).isEqualTo(64);
    assertThat(high.chunkBudget()).isEqualTo(64);
    assertThat(high.nodeCacheBytes()).isEqualTo(1L << 30);
    assertThatThrownBy(() -> FilesConfig.builder().nodeCacheBytes((1L << 30) + 1))
        .hasMessageContaining("node cache");
    assertThatThrownBy(() -> FilesConfig.builder().chunkBudget(65))
        .hasMessageContaining("chunk budget").hasMessageContaining("65");
    assertThatThrownBy(() -> FilesConfig.builder().chunkBudget(0))
        .hasMessageContaining("chunk budget");
    assertThatThrownBy(() -> FilesConfig.builder().parallelUploads(65))
        .hasMessageContaining("parallel uploads");
    assertThatThrownBy(() -> FilesConfig.builder().parallelDownloads(0))
        .hasMessageContaining("parallel downloads");
  }

  @Test
  void theLargestOfTheThreeParallelismsTimesTheChunkSizeIsBounded() {
    int big = 1 << 30;
    // exactly MAX_BUFFERED is allowed
    FilesConfig one = FilesConfig.builder().chunkSize(big).parallelUploads(1)
        .parallelDownloads(1).chunkBudget(1).build();
    assertThat(one.chunkSize()).isEqualTo(big);
    assertThatThrownBy(() -> FilesConfig.builder().chunkSize(big).parallelUploads(1)
        .parallelDownloads(1).chunkBudget(2).build())
        .hasMessageContaining("parallelism 2 x chunk size " + big);
    assertThatThrownBy(() -> FilesConfig.builder().chunkSize(big).parallelUploads(1)
        .parallelDownloads(2).chunkBudget(1).build())
        .hasMessageContaining("parallelism 2 x");
    assertThatThrownBy(() -> FilesConfig.builder().chunkSize(big).parallelUploads(2)
        .parallelDownloads(1).chunkBudget(1).build())
        .hasMessageContaining("parallelism 2 x");
  }

  @Test
  void paramsAreKeptAndNullIsRefused() {
    EncodingParams p = EncodingParams.builder().k(2).happy(2).n(3).build();
    FilesConfig c = FilesConfig.builder().params(p).build();
    assertThat(c.params()).contains(p);
    assertThat(c.toString()).contains("chunkSize=" + FilesConfig.DEFAULT_CHUNK_SIZE,
        "params=" + p);
    assertThatThrownBy(() -> FilesConfig.builder().params(null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("params");
  }

  @Test
  void theDefaultBudgetIsTwoToFourChunks() {
    assertThat(FilesConfig.DEFAULT_CHUNK_BUDGET).isBetween(2, 4)
        .isEqualTo((int) Math.max(2, Math.min(4, Runtime.getRuntime().maxMemory() >> 27)));
    assertThat(FilesConfig.defaults().chunkBudget()).isEqualTo(FilesConfig.DEFAULT_CHUNK_BUDGET);
    assertThat(FilesConfig.defaults().parallelDownloads()).isEqualTo(4);
    assertThat(FilesConfig.defaults().nodeCacheBytes()).isEqualTo(4 << 20);
  }
}
