package org.cairnfs.fs.mutable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.cairnfs.caps.mutable.MutableFileWriter;
import org.cairnfs.caps.mutable.MutableIntegrityException;
import org.cairnfs.caps.mutable.MutableKeys;
import org.cairnfs.caps.mutable.MutableParams;
import org.cairnfs.caps.mutable.MutableShare;
import org.junit.jupiter.api.Test;

class SignatureMemoTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private final MutableKeys keys = MutableKeys.generate(RANDOM);
  private final byte[][] shares =
      MutableFileWriter.write(keys, 8, new byte[100], new MutableParams(3, 10, 30), RANDOM);
  private final AtomicInteger checks = new AtomicInteger();
  private final SignatureMemo memo = new SignatureMemo((share, fingerprint) -> {
    checks.incrementAndGet();
    share.authenticate(fingerprint);
  });

  @Test
  void theSharesOfOneVersionNeedOneCheck() {
    for (byte[] s : shares) {
      memo.authenticate(MutableShare.parse(s), keys.fingerprint());
    }
    assertThat(checks).hasValue(1);
  }

  @Test
  void aShareWithAnotherSignatureIsCheckedAndRefusedAfterAGoodOne() {
    memo.authenticate(MutableShare.parse(shares[0]), keys.fingerprint());
    byte[] forged = shares[1].clone();
    forged[indexOf(forged, MutableShare.parse(forged).signature())] ^= 1;
    MutableShare bad = MutableShare.parse(forged);
    assertThat(bad.signatureValid()).isFalse();
    assertThatThrownBy(() -> memo.authenticate(bad, keys.fingerprint()))
        .isInstanceOf(MutableIntegrityException.class);
    assertThat(checks).hasValue(2);
  }

  @Test
  void aFailedCheckIsNotRemembered() {
    byte[] other = MutableKeys.generate(RANDOM).fingerprint();
    MutableShare s = MutableShare.parse(shares[0]);
    for (int i = 0; i < 2; i++) {
      assertThatThrownBy(() -> memo.authenticate(s, other))
          .isInstanceOf(MutableIntegrityException.class).hasMessageContaining("another slot");
    }
    assertThat(checks).hasValue(2);
    memo.authenticate(s, keys.fingerprint());
    assertThat(checks).hasValue(3);
  }

  @Test
  void aPassRecordedForOneFingerprintDoesNotCoverAnother() {
    MutableShare s = MutableShare.parse(shares[0]);
    memo.authenticate(s, keys.fingerprint());
    assertThatThrownBy(() -> memo.authenticate(s, MutableKeys.generate(RANDOM).fingerprint()))
        .isInstanceOf(MutableIntegrityException.class);
  }

  private static int indexOf(byte[] in, byte[] part) {
    for (int i = 0; i + part.length <= in.length; i++) {
      if (java.util.Arrays.equals(in, i, i + part.length, part, 0, part.length)) {
        return i;
      }
    }
    throw new AssertionError("not found");
  }
}
