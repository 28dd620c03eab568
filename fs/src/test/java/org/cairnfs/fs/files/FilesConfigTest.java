package org.cairnfs.fs.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
}
