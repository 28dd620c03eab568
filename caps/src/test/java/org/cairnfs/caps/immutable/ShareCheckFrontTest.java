package org.cairnfs.caps.immutable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.Arrays;
import org.cairnfs.caps.ImmutableVerifyCap;
import org.cairnfs.caps.share.ByteArrayShare;
import org.junit.jupiter.api.Test;

/** The front check a grid client runs on every share a server says it already holds. */
class ShareCheckFrontTest {
  private static final Shares FILE = Shares.encode0(Shares.params(3, 10, 100), Shares.random(900, 9));
  private static final ImmutableVerifyCap CAP = FILE.cap().verifier();

  static String problem(int number, byte[] share) {
    try {
      ShareCheck.checkFront(CAP, number, ByteArrayShare.wrap(share));
      return null;
    } catch (IntegrityException e) {
      return e.badShares().get(number);
    }
  }

  @Test
  void genuineSharesPassAndReturnTheirLayout() throws IOException {
    for (int i = 0; i < 10; i++) {
      assertThat(problem(i, FILE.shares()[i])).as("share %d", i).isNull();
    }
    assertThat(ShareCheck.checkFront(CAP, 3, ByteArrayShare.wrap(FILE.shares()[3])).shareLength())
        .isEqualTo(FILE.shares()[3].length);
  }

  @Test
  void aShareOfAnotherFileUnderTheSameNumberFails() {
    Shares other = Shares.encode0(Shares.params(3, 10, 100), Shares.random(900, 10));
    assertThat(problem(2, other.shares()[2])).contains("extension block");
  }

  @Test
  void aShareUnderAnotherNumberOrOutOfRangeFails() {
    assertThat(problem(3, FILE.shares()[4])).contains("share 4");
    assertThat(problem(10, FILE.shares()[4])).contains("not below n=10");
  }

  @Test
  void aDamagedChainATruncatedFrontOrAFailingSourceFails() {
    byte[] damaged = FILE.shares()[5].clone();
    damaged[(int) ShareLayout.prefixLength(10) - 1] ^= 1;
    assertThat(problem(5, damaged)).isNotNull();
    assertThat(problem(5, Arrays.copyOf(FILE.shares()[5], 100))).contains("truncated");
    assertThatThrownBy(() -> ShareCheck.checkFront(CAP, 5, (offset, dst, off, len) -> {
      throw new IOException("disconnected");
    })).isInstanceOf(IntegrityException.class).hasMessageContaining("disconnected");
  }
}
