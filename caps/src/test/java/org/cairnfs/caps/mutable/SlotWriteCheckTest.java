package org.cairnfs.caps.mutable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.OptionalLong;
import org.cairnfs.caps.mutable.SlotWriteRejectedException.Reason;
import org.junit.jupiter.api.Test;

class SlotWriteCheckTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private final MutableKeys keys = MutableKeys.generate(RANDOM);

  static byte[] prefix(MutableKeys signer, byte[] embeddedKey, long seqnum) {
    SignedHeader h = new SignedHeader(seqnum, new byte[32], new byte[16], 3, 10, 3 * 1024, 100);
    byte[] header = h.encode();
    byte[] sig = signer.sign(h.signedDigest());
    byte[] out = new byte[SlotWriteCheck.PREFIX_LENGTH + 5];
    System.arraycopy(header, 0, out, 0, header.length);
    System.arraycopy(embeddedKey, 0, out, SignedHeader.LENGTH, 32);
    System.arraycopy(sig, 0, out, SignedHeader.LENGTH + 32, 64);
    return out;
  }

  private static Reason reasonOf(Runnable r) {
    try {
      r.run();
    } catch (SlotWriteRejectedException e) {
      return e.reason();
    }
    throw new AssertionError("accepted");
  }

  @Test
  void acceptsAFirstWriteAndAHigherSeqnum() {
    byte[] share = prefix(keys, keys.publicKey(), 5);
    assertThat(SlotWriteCheck.check(keys.storageIndex(), share, OptionalLong.empty()).seqnum())
        .isEqualTo(5);
    assertThat(SlotWriteCheck.check(keys.storageIndex(), share, OptionalLong.of(4)).seqnum())
        .isEqualTo(5);
    // The prefix alone is enough.
    byte[] bare = Arrays.copyOf(share, SlotWriteCheck.PREFIX_LENGTH);
    assertThat(SlotWriteCheck.check(keys.storageIndex(), bare, OptionalLong.of(0)).header().k())
        .isEqualTo(3);
  }

  @Test
  void rejectsEqualOrLowerSeqnum() {
    byte[] share = prefix(keys, keys.publicKey(), 5);
    assertThat(reasonOf(() -> SlotWriteCheck.check(keys.storageIndex(), share,
        OptionalLong.of(5)))).isEqualTo(Reason.STALE_SEQNUM);
    assertThat(reasonOf(() -> SlotWriteCheck.check(keys.storageIndex(), share,
        OptionalLong.of(9)))).isEqualTo(Reason.STALE_SEQNUM);
  }

  @Test
  void rejectsAVersionSignedByAnotherKey() {
    MutableKeys thief = MutableKeys.generate(RANDOM);
    // Embeds the slot's own key but signs with another: signature fails.
    byte[] share = prefix(thief, keys.publicKey(), 7);
    assertThat(reasonOf(() -> SlotWriteCheck.check(keys.storageIndex(), share,
        OptionalLong.of(1)))).isEqualTo(Reason.BAD_SIGNATURE);
  }

  @Test
  void rejectsAKeyThatDoesNotMatchTheSlot() {
    MutableKeys thief = MutableKeys.generate(RANDOM);
    // Properly signed by the thief's own key, submitted to someone else's slot.
    byte[] share = prefix(thief, thief.publicKey(), 7);
    assertThatThrownBy(() -> SlotWriteCheck.check(keys.storageIndex(), share,
        OptionalLong.of(1)))
        .isInstanceOf(SlotWriteRejectedException.class)
        .hasMessageContaining("WRONG_KEY").hasMessageContaining(keys.storageIndex().toString());
  }

  @Test
  void rejectsATamperedHeader() {
    byte[] share = prefix(keys, keys.publicKey(), 5);
    share[5 + 7] ^= 1; // low byte of the seqnum: now 4, not what was signed
    assertThat(reasonOf(() -> SlotWriteCheck.check(keys.storageIndex(), share,
        OptionalLong.empty()))).isEqualTo(Reason.BAD_SIGNATURE);
  }

  @Test
  void rejectsTruncatedAndGarbageBytes() {
    byte[] share = prefix(keys, keys.publicKey(), 5);
    for (int len : new int[] {0, 1, 76, 77, SlotWriteCheck.PREFIX_LENGTH - 1}) {
      assertThat(reasonOf(() -> SlotWriteCheck.check(keys.storageIndex(),
          Arrays.copyOf(share, len), OptionalLong.empty()))).isEqualTo(Reason.MALFORMED);
    }
    byte[] garbage = new byte[400];
    RANDOM.nextBytes(garbage);
    assertThat(reasonOf(() -> SlotWriteCheck.check(keys.storageIndex(), garbage,
        OptionalLong.empty()))).isEqualTo(Reason.MALFORMED);
    assertThat(reasonOf(() -> SlotWriteCheck.check(keys.storageIndex(), null,
        OptionalLong.empty()))).isEqualTo(Reason.MALFORMED);
  }

  @Test
  void rejectsAnUnknownVersionOrImpossibleParams() {
    byte[] badVersion = prefix(keys, keys.publicKey(), 5);
    badVersion[4] = 2;
    assertThat(reasonOf(() -> SlotWriteCheck.check(keys.storageIndex(), badVersion,
        OptionalLong.empty()))).isEqualTo(Reason.MALFORMED);
    byte[] badK = prefix(keys, keys.publicKey(), 5);
    badK[61] = 0x7f; // k = 0x7f03 > 256
    assertThat(reasonOf(() -> SlotWriteCheck.check(keys.storageIndex(), badK,
        OptionalLong.empty()))).isEqualTo(Reason.MALFORMED);
  }
}
