package org.cairnfs.caps.mutable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class MutableShareTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private final MutableKeys keys = MutableKeys.generate(RANDOM);
  private final byte[][] shares =
      MutableFileWriter.write(keys, 8, new byte[100], new MutableParams(3, 10, 30), RANDOM);

  @Test
  void parsesTheFrontOfEveryShare() {
    for (int i = 0; i < 10; i++) {
      MutableShare s = MutableShare.parse(shares[i]);
      assertThat(s.shareNumber()).isEqualTo(i);
      assertThat(s.header().seqnum()).isEqualTo(8);
      assertThat(s.verifyingKey()).isEqualTo(keys.publicKey());
      assertThat(s.encryptedSeed()).isEqualTo(keys.encryptedSeed());
      assertThat(s.chain()).hasNumberOfRows(4); // depth of a 10-leaf tree padded to 16
      for (int p = 0; p < 4; p++) {
        assertThat(s.chain()[p]).isEqualTo(s.chainUnsafe()[p]).isNotSameAs(s.chainUnsafe()[p])
            .isEqualTo(Arrays.copyOfRange(shares[i], ShareLayout.FIXED_LENGTH + 32 * p,
                ShareLayout.FIXED_LENGTH + 32 * p + 32));
      }
      assertThat(s.signatureValid()).isTrue();
      s.authenticate(keys.fingerprint());
    }
  }

  @Test
  void theServerCheckAcceptsWhatTheWriterProduced() {
    assertThat(SlotWriteCheck.check(keys.storageIndex(), 2, shares[2],
        java.util.OptionalLong.of(7)).seqnum()).isEqualTo(8);
  }

  @Test
  void prefixParsingNeedsOnlyTheFront() {
    MutableShare s = MutableShare.parse(shares[0]);
    MutableShare p = MutableShare.parsePrefix(Arrays.copyOf(shares[0], s.prefixLength()));
    assertThat(p.header()).isEqualTo(s.header());
    assertThat(p.shareLength()).isEqualTo(shares[0].length);
    assertThatThrownBy(() -> MutableShare.parsePrefix(
        Arrays.copyOf(shares[0], s.prefixLength() - 1)))
        .isInstanceOf(MutableShareFormatException.class).hasMessageContaining("chain");
  }

  @Test
  void rejectsWrongTotalLength() {
    assertThatThrownBy(() -> MutableShare.parse(Arrays.copyOf(shares[0], shares[0].length + 1)))
        .isInstanceOf(MutableShareFormatException.class).hasMessageContaining("imply");
  }

  @Test
  void rejectsAnOffsetThatDisagreesWithTheParameters() {
    byte[] bad = shares[0].clone();
    ByteBuffer.wrap(bad).putLong(ShareLayout.OFFSETS_OFFSET + 8, 12345);
    assertThatThrownBy(() -> MutableShare.parse(bad))
        .isInstanceOf(MutableShareFormatException.class)
        .hasMessageContaining("block hash tree").hasMessageContaining("12345");
  }

  @Test
  void rejectsAShareNumberNotBelowN() {
    byte[] bad = shares[0].clone();
    ByteBuffer.wrap(bad).putShort(ShareLayout.SHARE_NUMBER_OFFSET, (short) 10);
    assertThatThrownBy(() -> MutableShare.parse(bad))
        .isInstanceOf(MutableShareFormatException.class).hasMessageContaining("n=10");
  }

  @Test
  void authenticateRejectsAnotherSlotsFingerprint() {
    MutableShare s = MutableShare.parse(shares[0]);
    assertThatThrownBy(() -> s.authenticate(MutableKeys.generate(RANDOM).fingerprint()))
        .isInstanceOf(MutableIntegrityException.class).hasMessageContaining("another slot");
  }

  /** Every one of the four stored offsets is checked, each named when it lies. */
  @Test
  void rejectsEachOffsetThatDisagrees() {
    String[] names = {"share hash chain", "block hash tree", "blocks", "end"};
    for (int i = 0; i < 4; i++) {
      byte[] bad = shares[1].clone();
      ByteBuffer b = ByteBuffer.wrap(bad);
      int at = ShareLayout.OFFSETS_OFFSET + 8 * i;
      b.putLong(at, b.getLong(at) + 1);
      assertThatThrownBy(() -> MutableShare.parse(bad))
          .isInstanceOf(MutableShareFormatException.class)
          .hasMessageStartingWith("offset of " + names[i] + " is ");
    }
  }

  @Test
  void rejectsAFrontShorterThanTheFixedPart() {
    assertThatThrownBy(() -> MutableShare.parsePrefix(
        Arrays.copyOf(shares[0], ShareLayout.FIXED_LENGTH - 1)))
        .isInstanceOf(MutableShareFormatException.class)
        .hasMessage("a mutable share starts with " + ShareLayout.FIXED_LENGTH
            + " fixed bytes, got " + (ShareLayout.FIXED_LENGTH - 1));
    // The fixed part alone: the chain is missing, and the message says by how much.
    assertThatThrownBy(() -> MutableShare.parsePrefix(
        Arrays.copyOf(shares[0], ShareLayout.FIXED_LENGTH + 5)))
        .isInstanceOf(MutableShareFormatException.class)
        .hasMessage("share hash chain needs 128 bytes, got 5");
    // Exactly the fixed part passes the first check and fails only for its missing chain.
    assertThatThrownBy(() -> MutableShare.parsePrefix(
        Arrays.copyOf(shares[0], ShareLayout.FIXED_LENGTH)))
        .isInstanceOf(MutableShareFormatException.class)
        .hasMessage("share hash chain needs 128 bytes, got 0");
  }

  @Test
  void exposesItsSignatureAndNamesItself() {
    MutableShare s = MutableShare.parse(shares[4]);
    assertThat(s.signature()).isEqualTo(keys.sign(s.header().signedDigest()));
    assertThat(s.toString()).startsWith("MutableShare[4 of SignedHeader[seqnum=8");
  }

  @Test
  void aShareOfAnEightShareSlotNumberedSevenIsTheLastValid() {
    byte[][] eight = MutableFileWriter.write(keys, 1, new byte[10], new MutableParams(2, 8, 10),
        RANDOM);
    assertThat(MutableShare.parse(eight[7]).shareNumber()).isEqualTo(7);
  }
}
