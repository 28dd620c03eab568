package org.cairnfs.caps.immutable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import org.cairnfs.caps.share.ByteArrayShare;
import org.junit.jupiter.api.Test;

/** The assembler gives no extension block (and so no cap) for shares missing a segment. */
class ShareAssemblerTest {
  @Test
  void anExtensionBlockNeedsEverySegment() throws IOException {
    ShareAssembler assembler = new ShareAssembler(Shares.params(3, 10, 64), 300,
        (i, length) -> new ByteArrayShare(length));
    assertThat(assembler.layout().segmentCount()).isEqualTo(5);
    for (int s = 0; s < 4; s++) {
      assembler.addSegment();
    }
    assertThatThrownBy(assembler::extension).isInstanceOf(IllegalStateException.class)
        .hasMessage("4 of 5 segments added");
    assembler.addSegment();
    assertThat(assembler.extension().segmentCount()).isEqualTo(5);
  }
}
