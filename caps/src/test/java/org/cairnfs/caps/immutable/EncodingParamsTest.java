package org.cairnfs.caps.immutable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class EncodingParamsTest {
  @Test
  void defaults() {
    assertThat(EncodingParams.DEFAULTS).isEqualTo(new EncodingParams(3, 7, 10, 128 * 1024));
    assertThat(EncodingParams.DEFAULTS.blockSize()).isEqualTo(43691);
  }

  @Test
  void settersNameBadValues() {
    assertThatThrownBy(() -> EncodingParams.builder().k(0)).hasMessageContaining("got 0");
    assertThatThrownBy(() -> EncodingParams.builder().n(257)).hasMessageContaining("got 257");
    assertThatThrownBy(() -> EncodingParams.builder().happy(-1)).hasMessageContaining("got -1");
    assertThatThrownBy(() -> EncodingParams.builder().segmentSize(0))
        .hasMessageContaining("segment size").hasMessageContaining("got 0");
    assertThatThrownBy(() -> EncodingParams.builder().segmentSize(EncodingParams.MAX_SEGMENT_SIZE + 1))
        .hasMessageContaining("segment size");
  }

  @Test
  void buildRefusesConflicts() {
    assertThatThrownBy(() -> EncodingParams.builder().k(5).n(4).happy(4).build())
        .hasMessageContaining("k (5) must not exceed n (4)");
    assertThatThrownBy(() -> EncodingParams.builder().k(3).happy(2).n(10).build())
        .hasMessageContaining("happy must be between k (3) and n (10), got 2");
    assertThatThrownBy(() -> EncodingParams.builder().k(3).happy(11).n(10).build())
        .hasMessageContaining("got 11");
  }

  /** Issue 10, finding 4 (same class): a stripe readers would have to hold is bounded. */
  @Test
  void theStripeIsBounded() {
    assertThatThrownBy(() -> EncodingParams.builder().k(1).happy(1).n(256)
        .segmentSize(EncodingParams.MAX_SEGMENT_SIZE).build())
        .hasMessageContaining("stripe");
    assertThat(EncodingParams.builder().k(1).happy(1).n(256).segmentSize(256 * 1024).build()
        .blockSize()).isEqualTo(256 * 1024);
    assertThatThrownBy(() -> EncodingParams.builder().k(1).happy(1).n(256)
        .segmentSize(256 * 1024 + 1).build()).hasMessageContaining("stripe");
  }
}
