package org.cairnfs.caps.share;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class ShareTreeLeafTest {
  static final byte[] ROOT = new byte[32];

  @Test
  void pinsTheLeafOfShareThreeOverAZeroRoot() {
    // golden: H(SHARE, 00000003 || 32 zero bytes); a change here changes every share format
    assertThat(HexFormat.of().formatHex(ShareTreeLeaf.of(3, ROOT))).isEqualTo(GOLDEN);
  }

  @Test
  void bindsBothTheNumberAndTheRoot() {
    byte[] otherRoot = ROOT.clone();
    otherRoot[31] = 1;
    assertThat(ShareTreeLeaf.of(3, ROOT)).hasSize(32)
        .isNotEqualTo(ShareTreeLeaf.of(4, ROOT))
        .isNotEqualTo(ShareTreeLeaf.of(3, otherRoot));
  }

  static final String GOLDEN = "80f1e5bbaa40ba64cd979068a72b9562583161449e87ce41c796e92facfed5a7";
}
