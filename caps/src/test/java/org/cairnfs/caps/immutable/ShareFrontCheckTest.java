package org.cairnfs.caps.immutable;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.cairnfs.caps.ImmutableVerifyCap;
import org.cairnfs.caps.share.ByteArrayShare;
import org.junit.jupiter.api.Test;

class ShareFrontCheckTest {
  private static final Shares FILE = Shares.encode0(Shares.params(3, 10, 100), Shares.random(900, 9));
  private static final ImmutableVerifyCap CAP = FILE.cap().verifier();

  @Test
  void genuineSharesPass() {
    for (int i = 0; i < 10; i++) {
      assertThat(ShareFrontCheck.problem(CAP, i, ByteArrayShare.wrap(FILE.shares()[i])))
          .as("share %d", i).isEmpty();
    }
  }

  @Test
  void aShareOfAnotherFileUnderTheSameNumberFails() {
    Shares other = Shares.encode0(Shares.params(3, 10, 100), Shares.random(900, 10));
    assertThat(ShareFrontCheck.problem(CAP, 2, ByteArrayShare.wrap(other.shares()[2])))
        .hasValueSatisfying(p -> assertThat(p).contains("extension block"));
  }

  @Test
  void aShareUnderAnotherNumberFails() {
    assertThat(ShareFrontCheck.problem(CAP, 3, ByteArrayShare.wrap(FILE.shares()[4])))
        .hasValueSatisfying(p -> assertThat(p).contains("share 4"));
    assertThat(ShareFrontCheck.problem(CAP, 10, ByteArrayShare.wrap(FILE.shares()[4])))
        .hasValueSatisfying(p -> assertThat(p).contains("not below n=10"));
  }

  @Test
  void aDamagedChainOrTruncatedFrontOrFailingSourceFails() {
    byte[] damaged = FILE.shares()[5].clone();
    damaged[(int) ShareFrontCheck.prefixLength(10) - 1] ^= 1;
    assertThat(ShareFrontCheck.problem(CAP, 5, ByteArrayShare.wrap(damaged))).isPresent();
    byte[] truncated = java.util.Arrays.copyOf(FILE.shares()[5], 100);
    assertThat(ShareFrontCheck.problem(CAP, 5, ByteArrayShare.wrap(truncated)))
        .hasValueSatisfying(p -> assertThat(p).contains("truncated"));
    assertThat(ShareFrontCheck.problem(CAP, 5, (offset, dst, off, len) -> {
      throw new IOException("disconnected");
    })).hasValueSatisfying(p -> assertThat(p).contains("disconnected"));
    assertThat(ShareFrontCheck.problem(CAP, 5, (offset, dst, off, len) -> {
      throw new IllegalStateException("bug in a source");
    })).hasValueSatisfying(p -> assertThat(p).contains("bug in a source"));
  }
}
