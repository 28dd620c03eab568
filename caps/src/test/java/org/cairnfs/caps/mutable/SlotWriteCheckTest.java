package org.cairnfs.caps.mutable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.OptionalLong;
import java.util.Random;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.caps.crypto.Tag;
import org.cairnfs.caps.crypto.TaggedHash;
import org.cairnfs.caps.mutable.SlotWriteRejectedException.Reason;
import org.cairnfs.caps.share.ByteArrayShare;
import org.junit.jupiter.api.Test;

/** The keyless server rule, on real shares from {@link MutableFileWriter}. */
class SlotWriteCheckTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  /** 3-of-5 with 30-byte segments: 130 bytes make 5 segments, a block tree padded to 8. */
  private static final MutableParams SMALL = new MutableParams(3, 5, 30);
  private final MutableKeys keys = MutableKeys.generate(RANDOM);
  private final StorageIndex slot = keys.storageIndex();

  private static byte[] data(int size, int seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  private byte[][] version(long seqnum, int size) {
    return MutableFileWriter.write(keys, seqnum, data(size, (int) seqnum), SMALL, RANDOM);
  }

  private static Reason reasonOf(Runnable r) {
    try {
      r.run();
    } catch (SlotWriteRejectedException e) {
      return e.reason();
    }
    throw new AssertionError("accepted");
  }

  private Reason reasonOf(int number, byte[] share, OptionalLong held) {
    return reasonOf(() -> SlotWriteCheck.check(slot, number, share, held));
  }

  @Test
  void acceptsEveryShareTheWriterProducedAsAFirstWriteOrAHigherSeqnum() {
    for (int size : new int[] {0, 1, 29, 30, 130, 241}) {
      byte[][] shares = version(5, size);
      for (int i = 0; i < shares.length; i++) {
        SlotWriteCheck.Accepted a = SlotWriteCheck.check(slot, i, shares[i],
            OptionalLong.empty());
        assertThat(a.seqnum()).isEqualTo(5);
        assertThat(a.header()).isEqualTo(MutableShare.parse(shares[i]).header());
        assertThat(SlotWriteCheck.check(slot, i, shares[i], OptionalLong.of(4)).seqnum())
            .isEqualTo(5);
      }
    }
  }

  @Test
  void theFrontAloneDecidesFormAuthorityAndSeqnumButNeverAccepts() {
    byte[] share = version(5, 130)[1];
    byte[] front = Arrays.copyOf(share, SlotWriteCheck.FRONT_LENGTH);
    assertThat(SlotWriteCheck.checkFront(slot, 1, share.length, front, OptionalLong.of(4))
        .seqnum()).isEqualTo(5);
    assertThat(reasonOf(() -> SlotWriteCheck.checkFront(slot, 1, share.length, front,
        OptionalLong.of(5)))).isEqualTo(Reason.STALE_SEQNUM);
    assertThat(reasonOf(() -> SlotWriteCheck.checkFront(slot, 1, share.length + 1, front,
        OptionalLong.empty()))).isEqualTo(Reason.MALFORMED);
    assertThat(reasonOf(() -> SlotWriteCheck.checkFront(slot, 1, share.length,
        Arrays.copyOf(front, SlotWriteCheck.FRONT_LENGTH - 1), OptionalLong.empty())))
        .isEqualTo(Reason.MALFORMED);
    // The front is not a share: the whole-share check refuses it.
    assertThat(reasonOf(1, front, OptionalLong.empty())).isEqualTo(Reason.MALFORMED);
  }

  @Test
  void rejectsEqualOrLowerSeqnum() {
    byte[] share = version(5, 130)[0];
    assertThat(reasonOf(0, share, OptionalLong.of(5))).isEqualTo(Reason.STALE_SEQNUM);
    assertThat(reasonOf(0, share, OptionalLong.of(9))).isEqualTo(Reason.STALE_SEQNUM);
  }

  @Test
  void rejectsAVersionSignedByAnotherKeyOrForAnotherSlot() {
    MutableKeys thief = MutableKeys.generate(RANDOM);
    byte[][] theirs = MutableFileWriter.write(thief, 7, data(130, 1), SMALL, RANDOM);
    // Properly signed by the thief's own key, submitted to someone else's slot.
    assertThatThrownBy(() -> SlotWriteCheck.check(slot, 0, theirs[0], OptionalLong.of(1)))
        .isInstanceOf(SlotWriteRejectedException.class)
        .hasMessageContaining("WRONG_KEY").hasMessageContaining(slot.toString());
    // The slot's own key embedded, signed by the thief.
    byte[] forged = theirs[0].clone();
    System.arraycopy(keys.publicKey(), 0, forged, SignedHeader.LENGTH, 32);
    assertThat(reasonOf(0, forged, OptionalLong.of(1))).isEqualTo(Reason.BAD_SIGNATURE);
  }

  @Test
  void rejectsATamperedHeader() {
    byte[] share = version(5, 130)[0];
    share[5 + 7] ^= 1; // low byte of the seqnum: now 4, not what was signed
    assertThat(reasonOf(0, share, OptionalLong.empty())).isEqualTo(Reason.BAD_SIGNATURE);
  }

  @Test
  void rejectsTruncatedExtendedAndGarbageBytes() {
    byte[] share = version(5, 130)[0];
    for (int len : new int[] {0, 1, 76, 77, SlotWriteCheck.PREFIX_LENGTH,
        SlotWriteCheck.FRONT_LENGTH, share.length - 1}) {
      assertThat(reasonOf(0, Arrays.copyOf(share, len), OptionalLong.empty()))
          .as("length %d", len).isEqualTo(Reason.MALFORMED);
    }
    assertThat(reasonOf(0, Arrays.copyOf(share, share.length + 1), OptionalLong.empty()))
        .isEqualTo(Reason.MALFORMED);
    byte[] garbage = new byte[400];
    RANDOM.nextBytes(garbage);
    assertThat(reasonOf(0, garbage, OptionalLong.empty())).isEqualTo(Reason.MALFORMED);
    assertThat(reasonOf(() -> SlotWriteCheck.checkFront(slot, 0, 400, null,
        OptionalLong.empty()))).isEqualTo(Reason.MALFORMED);
  }

  @Test
  void rejectsAnUnknownVersionOrImpossibleParams() {
    byte[] badVersion = version(5, 130)[0];
    badVersion[4] = 2;
    assertThat(reasonOf(0, badVersion, OptionalLong.empty())).isEqualTo(Reason.MALFORMED);
    byte[] badK = version(5, 130)[0];
    badK[61] = 0x7f; // k = 0x7f03 > 256
    assertThat(reasonOf(0, badK, OptionalLong.empty())).isEqualTo(Reason.MALFORMED);
  }

  /**
   * Issue 10, finding 1: the signed prefix of a new version is public (chunk 0 of every
   * publish, every slot read), so a stranger put it in front of garbage of the right length and
   * the old rule accepted it.
   */
  @Test
  void aCopiedSignedPrefixInFrontOfGarbageIsRefused() {
    byte[] real = version(6, 130)[2];
    byte[] planted = new byte[real.length];
    RANDOM.nextBytes(planted);
    System.arraycopy(real, 0, planted, 0, SlotWriteCheck.PREFIX_LENGTH);
    assertThat(reasonOf(2, planted, OptionalLong.of(5))).isEqualTo(Reason.MALFORMED);
    // Even with the real share number and offsets copied too, the content gives it away.
    System.arraycopy(real, 0, planted, 0, SlotWriteCheck.FRONT_LENGTH);
    assertThat(reasonOf(2, planted, OptionalLong.of(5))).isEqualTo(Reason.HASH_MISMATCH);
    // ... and with the chain and block tree as well, the blocks do.
    long blocks = MutableShare.parse(real).layout().blocksOffset();
    System.arraycopy(real, 0, planted, 0, (int) blocks);
    assertThat(reasonOf(2, planted, OptionalLong.of(5))).isEqualTo(Reason.HASH_MISMATCH);
    assertThat(SlotWriteCheck.check(slot, 2, real, OptionalLong.of(5)).seqnum()).isEqualTo(6);
  }

  @Test
  void aGenuineShareSubmittedUnderAnotherNumberIsRefused() {
    byte[][] shares = version(6, 130);
    assertThat(reasonOf(3, shares[1], OptionalLong.empty()))
        .isEqualTo(Reason.WRONG_SHARE_NUMBER);
    // Relabelled to match: its chain proves position 1, not 3.
    byte[] relabelled = shares[1].clone();
    ByteBuffer.wrap(relabelled).putShort(SlotWriteCheck.PREFIX_LENGTH, (short) 3);
    assertThat(reasonOf(3, relabelled, OptionalLong.empty())).isEqualTo(Reason.HASH_MISMATCH);
  }

  @Test
  void everyFlippedByteOutsideTheEncryptedSeedIsRefused() {
    // 5 segments: a padded block tree, interior nodes over padding, a short last block.
    byte[] share = version(8, 130)[4];
    int seedFrom = SlotWriteCheck.PREFIX_LENGTH + 2;
    for (int pos = 0; pos < share.length; pos++) {
      if (pos >= seedFrom && pos < seedFrom + 32) {
        continue; // not checkable without the write key: see the spec's known limits
      }
      byte[] bad = share.clone();
      bad[pos] ^= 0x10;
      Reason reason = reasonOf(4, bad, OptionalLong.empty());
      assertThat(reason).as("flip at %d", pos).isNotNull();
      if (pos >= SlotWriteCheck.FRONT_LENGTH) {
        assertThat(reason).as("flip at %d", pos).isEqualTo(Reason.HASH_MISMATCH);
      }
    }
  }

  @Test
  void aWrongInteriorNodeOrPaddingLeafIsNamed() {
    byte[] share = version(8, 130)[0];
    ShareLayout layout = MutableShare.parse(share).layout();
    byte[] badNode = share.clone();
    badNode[(int) layout.treeNodeOffset(2)] ^= 1; // interior, on no block's path from node 0
    assertThatThrownBy(() -> SlotWriteCheck.check(slot, 0, badNode, OptionalLong.empty()))
        .hasMessageContaining("HASH_MISMATCH").hasMessageContaining("node 2");
    byte[] badPad = share.clone();
    badPad[(int) layout.treeNodeOffset(7 + 6)] ^= 1; // leaf 6 of 8: padding
    assertThatThrownBy(() -> SlotWriteCheck.check(slot, 0, badPad, OptionalLong.empty()))
        .hasMessageContaining("padding leaf 6");
  }

  @Test
  void aWrongBlockAndTheFirstPaddingLeafAreNamedAsSuch() {
    byte[] share = version(8, 130)[0];
    ShareLayout layout = MutableShare.parse(share).layout();
    assertThat(layout.segments()).isEqualTo(5);
    for (int j : new int[] {0, 4}) {
      byte[] badBlock = share.clone();
      badBlock[(int) layout.blockOffset(j)] ^= 1;
      assertThatThrownBy(() -> SlotWriteCheck.check(slot, 0, badBlock, OptionalLong.empty()))
          .hasMessageContaining("HASH_MISMATCH")
          .hasMessageContaining("block " + j + " does not match its leaf");
    }
    byte[] badPad = share.clone();
    badPad[(int) layout.treeNodeOffset(7 + 5)] ^= 1; // leaf 5 of 8: the first padding leaf
    assertThatThrownBy(() -> SlotWriteCheck.check(slot, 0, badPad, OptionalLong.empty()))
        .hasMessageContaining("padding leaf 5 is not the padding hash");
  }

  @Test
  void checksAMultiMegabyteShareThroughBoundedBuffers() throws Exception {
    MutableParams params = new MutableParams(1, 2, 64 * 1024);
    byte[][] shares = MutableFileWriter.write(keys, 3, data(3 << 20, 3), params, RANDOM);
    // A source that counts: every byte read at most a few times, in large reads.
    long[] bytesRead = new long[1];
    long[] reads = new long[1];
    ByteArrayShare inner = ByteArrayShare.wrap(shares[1]);
    assertThat(SlotWriteCheck.check(slot, 1, shares[1].length, (offset, dst, off, len) -> {
      bytesRead[0] += len;
      reads[0]++;
      inner.read(offset, dst, off, len);
    }, OptionalLong.empty()).seqnum()).isEqualTo(3);
    assertThat(bytesRead[0]).isLessThan(2L * shares[1].length);
    assertThat(reads[0]).isLessThan(200);
  }

  @Test
  void authenticateReadsOnlyTheSignedPrefix() {
    byte[] share = version(9, 130)[0];
    byte[] prefix = Arrays.copyOf(share, SlotWriteCheck.PREFIX_LENGTH);
    assertThat(SlotWriteCheck.authenticate(slot, prefix).seqnum()).isEqualTo(9);
    prefix[140] ^= 1; // a signature byte
    assertThat(reasonOf(() -> SlotWriteCheck.authenticate(slot, prefix)))
        .isEqualTo(Reason.BAD_SIGNATURE);
  }

  @Test
  void authenticateRefusesAShortOrMissingPrefixAsMalformed() {
    byte[] share = version(9, 130)[0];
    // One byte short: the header and key are there, the signature's last byte is not.
    assertThatThrownBy(() -> SlotWriteCheck.authenticate(slot,
        Arrays.copyOf(share, SlotWriteCheck.PREFIX_LENGTH - 1)))
        .isInstanceOfSatisfying(SlotWriteRejectedException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED))
        .hasMessageContaining("needs at least " + SlotWriteCheck.PREFIX_LENGTH + " bytes, got "
            + (SlotWriteCheck.PREFIX_LENGTH - 1));
    assertThatThrownBy(() -> SlotWriteCheck.authenticate(slot, null))
        .isInstanceOfSatisfying(SlotWriteRejectedException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.MALFORMED))
        .hasMessageContaining("got 0");
  }

  @Test
  void theFrontRefusesADeclaredSizeBelowTheFixedPart() {
    byte[] share = version(5, 130)[1];
    byte[] front = Arrays.copyOf(share, SlotWriteCheck.FRONT_LENGTH);
    int fixed = SlotWriteCheck.FRONT_LENGTH;
    assertThatThrownBy(() -> SlotWriteCheck.checkFront(slot, 1, fixed - 1, front,
        OptionalLong.empty()))
        .hasMessageContaining("MALFORMED")
        .hasMessageContaining("has at least " + fixed + " bytes, got " + (fixed - 1));
    // Exactly the fixed part is long enough to look at, and then too short for its parameters.
    assertThatThrownBy(() -> SlotWriteCheck.checkFront(slot, 1, fixed, front,
        OptionalLong.empty()))
        .hasMessageContaining("MALFORMED")
        .hasMessageContaining("share is " + fixed + " bytes but its signed parameters imply "
            + share.length);
  }

  @Test
  void theFrontRefusesAShareNumberOfNAndEveryWrongOffset() {
    byte[] share = version(5, 130)[1];
    byte[] front = Arrays.copyOf(share, SlotWriteCheck.FRONT_LENGTH);
    byte[] numberN = front.clone();
    ByteBuffer.wrap(numberN).putShort(ShareLayout.SHARE_NUMBER_OFFSET, (short) SMALL.n());
    // The share number is not signed: only the bound keeps share n out of a slot of n shares.
    assertThatThrownBy(() -> SlotWriteCheck.checkFront(slot, SMALL.n(), share.length, numberN,
        OptionalLong.empty()))
        .hasMessageContaining("MALFORMED")
        .hasMessageContaining("share number " + SMALL.n() + " is not below n=" + SMALL.n());
    byte[] numberLast = front.clone();
    ByteBuffer.wrap(numberLast).putShort(ShareLayout.SHARE_NUMBER_OFFSET, (short) 4);
    assertThat(SlotWriteCheck.checkFront(slot, 4, share.length, numberLast, OptionalLong.empty())
        .seqnum()).isEqualTo(5);
    String[] names = {"share hash chain", "block hash tree", "blocks", "end"};
    for (int i = 0; i < 4; i++) {
      byte[] moved = front.clone();
      ByteBuffer b = ByteBuffer.wrap(moved);
      int at = ShareLayout.OFFSETS_OFFSET + 8 * i;
      b.putLong(at, b.getLong(at) + 1);
      assertThatThrownBy(() -> SlotWriteCheck.checkFront(slot, 1, share.length, moved,
          OptionalLong.empty()))
          .as("offset %d", i)
          .hasMessageContaining("MALFORMED")
          .hasMessageContaining("offset of " + names[i] + " is ");
    }
  }

  /**
   * Issue 10, finding 4: a signed header with k=1, n=256 and 64 MiB segments asked readers for
   * 16 GiB. Such a stripe is now malformed everywhere a header is parsed.
   */
  @Test
  void aHeaderWhoseStripeExceedsTheLimitIsMalformed() {
    byte[] share = version(5, 1)[0];
    ByteBuffer.wrap(share).putShort(61, (short) 1).putShort(63, (short) 256)
        .putInt(65, SignedHeader.MAX_SEGMENT_SIZE);
    byte[] digest = TaggedHash.of(Tag.MUTABLE_SIGNATURE, Arrays.copyOf(share, 77));
    System.arraycopy(keys.sign(digest), 0, share, SignedHeader.LENGTH + 32, 64);
    assertThatThrownBy(() -> SlotWriteCheck.check(slot, 0, share, OptionalLong.empty()))
        .hasMessageContaining("MALFORMED").hasMessageContaining("stripe");
  }
}
