package org.cairnfs.caps.immutable;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The reasons a decoder gives for the shares it dropped, and what they tell a caller. */
class IntegrityExceptionTest {
  @Test
  void aFailedReadIsNamedAsSuchAndToldApartFromBadBytes() {
    String why = IntegrityException.readFailure(new IOException("INTERNAL"));
    assertThat(why).isEqualTo("read failed: java.io.IOException: INTERNAL");
    assertThat(IntegrityException.isReadFailure(why)).isTrue();
    assertThat(IntegrityException.isReadFailure("truncated: EOF")).isFalse();
    assertThat(IntegrityException.isReadFailure("block 2 does not match its hash")).isFalse();
  }

  @Test
  void onlyReadFailuresWhenSharesWereDroppedAndNoneForItsBytes() {
    String unread = IntegrityException.readFailure(new IOException("timeout"));
    assertThat(new IntegrityException("need 3", Map.of(0, unread, 4, unread))
        .onlyReadFailures()).isTrue();
    assertThat(new IntegrityException("need 3", Map.of(0, unread, 4, "truncated: EOF"))
        .onlyReadFailures()).isFalse();
    assertThat(new IntegrityException("need 3", Map.of(0, "block 1 does not match its hash"))
        .onlyReadFailures()).isFalse();
    // a failure naming no share (inconsistent coding) is the uploader's, not a server's
    assertThat(new IntegrityException("inconsistent", Map.of()).onlyReadFailures()).isFalse();
  }
}
