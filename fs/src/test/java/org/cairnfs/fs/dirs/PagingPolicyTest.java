package org.cairnfs.fs.dirs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.cairnfs.caps.dirnode.PageCodec;
import org.junit.jupiter.api.Test;

/** The policy's four bounds, each accepted at its edges and refused one past them. */
class PagingPolicyTest {
  private static final int MAX = PageCodec.MAX_PAGE_BYTES;

  private static PagingPolicy policy(int maxPage, int flatMax, int flatMin, int minFill) {
    return PagingPolicy.builder().maxPageBytes(maxPage).flatMaxBytes(flatMax)
        .flatMinBytes(flatMin).minFillBytes(minFill).build();
  }

  @Test
  void theDefaultsAreTheDocumentedOnes() {
    assertThat(PagingPolicy.DEFAULT).isEqualTo(new PagingPolicy(16 * 1024, 32 * 1024, 8 * 1024,
        4 * 1024));
    assertThat(PagingPolicy.builder().build()).isEqualTo(PagingPolicy.DEFAULT);
  }

  @Test
  void eachSetterSetsItsOwnBound() {
    assertThat(policy(1000, 3000, 1400, 500))
        .isEqualTo(new PagingPolicy(1000, 3000, 1400, 500));
  }

  @Test
  void maxPageBytesLiesIn512ToTheCodecsMaximum() {
    assertThat(policy(512, 512, 0, 0).maxPageBytes()).isEqualTo(512);
    assertThat(policy(MAX, MAX, 0, 0).maxPageBytes()).isEqualTo(MAX);
    assertThatThrownBy(() -> policy(511, 1024, 0, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("max page bytes");
    assertThatThrownBy(() -> policy(MAX + 1, MAX + 1, 0, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("max page bytes");
  }

  @Test
  void flatMaxBytesLiesInMaxPageBytesToTheCodecsMaximum() {
    assertThat(policy(1000, 1000, 0, 0).flatMaxBytes()).isEqualTo(1000);
    assertThat(policy(1000, MAX, 0, 0).flatMaxBytes()).isEqualTo(MAX);
    assertThatThrownBy(() -> policy(1000, 999, 0, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("flat max bytes");
    assertThatThrownBy(() -> policy(1000, MAX + 1, 0, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("flat max bytes");
  }

  @Test
  void flatMinBytesLiesInZeroToHalfOfFlatMax() {
    assertThat(policy(1000, 2001, 0, 0).flatMinBytes()).isZero();
    assertThat(policy(1000, 2001, 1000, 0).flatMinBytes()).isEqualTo(1000);
    assertThatThrownBy(() -> policy(1000, 2001, -1, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("flat min bytes");
    assertThatThrownBy(() -> policy(1000, 2001, 1001, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("flat min bytes")
        .hasMessageContaining("flat max / 2 = 1000]");
  }

  @Test
  void minFillBytesLiesInZeroToHalfOfMaxPage() {
    assertThat(policy(1001, 2000, 0, 0).minFillBytes()).isZero();
    assertThat(policy(1001, 2000, 0, 500).minFillBytes()).isEqualTo(500);
    assertThatThrownBy(() -> policy(1001, 2000, 0, -1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("min fill bytes");
    assertThatThrownBy(() -> policy(1001, 2000, 0, 501))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("min fill bytes")
        .hasMessageContaining("max page / 2 = 500]");
  }
}
