package org.cairnfs.caps.mutable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.cairnfs.caps.MutableWriteCap;
import org.cairnfs.caps.crypto.AesCtr;
import org.cairnfs.caps.share.ByteArrayShare;
import org.junit.jupiter.api.Test;

/**
 * The small values of a mutable slot refuse what a writer or a lying server could hand them, at
 * exactly their limits: parameters, version ids, the writer's arguments, the key recovery.
 */
class MutableValuesTest {
  private static final byte[] SEED = HexFormat.of().parseHex(
      "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
  private static final SecureRandom RANDOM = new SecureRandom();

  @Test
  void paramsLimitsAreExact() {
    assertThat(new MutableParams(1, 1, 1).k()).isEqualTo(1);
    assertThat(new MutableParams(256, 256, 256).n()).isEqualTo(256);
    assertThatThrownBy(() -> new MutableParams(0, 1, 1)).hasMessageContaining("k must");
    assertThatThrownBy(() -> new MutableParams(257, 257, 257)).hasMessageContaining("k must");
    assertThat(new MutableParams(3, 3, 3).n()).isEqualTo(3);
    assertThatThrownBy(() -> new MutableParams(3, 2, 3)).hasMessageContaining("n must");
    assertThatThrownBy(() -> new MutableParams(3, 257, 3)).hasMessageContaining("n must");
    assertThatThrownBy(() -> new MutableParams(3, 10, 0)).hasMessageContaining("segment size");
    assertThatThrownBy(() -> new MutableParams(3, 10, 4)).hasMessageContaining("segment size");
    assertThat(new MutableParams(1, 1, SignedHeader.MAX_SEGMENT_SIZE).segmentSize())
        .isEqualTo(SignedHeader.MAX_SEGMENT_SIZE);
    assertThatThrownBy(() -> new MutableParams(1, 1, SignedHeader.MAX_SEGMENT_SIZE + 1))
        .hasMessageContaining("segment size");
    assertThat(new MutableParams(2, 4, SignedHeader.MAX_STRIPE / 2).n()).isEqualTo(4);
    assertThatThrownBy(() -> new MutableParams(2, 4, SignedHeader.MAX_STRIPE / 2 + 2))
        .hasMessageContaining("stripe");
  }

  @Test
  void effectiveSegmentSizeRoundsUpToAMultipleOfK() {
    MutableParams p = new MutableParams(3, 10, 300);
    assertThat(p.effectiveSegmentSize(9)).isEqualTo(9);
    assertThat(p.effectiveSegmentSize(11)).isEqualTo(12);
    assertThat(p.effectiveSegmentSize(12)).isEqualTo(12);
    assertThat(p.effectiveSegmentSize(299)).isEqualTo(300);
    assertThat(p.effectiveSegmentSize(301)).isEqualTo(300);
  }

  @Test
  void versionIdsCompareHashAndPrintByBothFields() {
    byte[] root = new byte[32];
    root[0] = (byte) 0xab;
    byte[] other = root.clone();
    other[31] = 1;
    VersionId v = new VersionId(7, root);
    assertThat(v.rootHash()).isEqualTo(root);
    assertThat(v).isEqualTo(new VersionId(7, root.clone())).isNotEqualTo(new VersionId(8, root))
        .isNotEqualTo(new VersionId(7, other)).isNotEqualTo("v7");
    assertThat(v.hashCode()).isEqualTo(new VersionId(7, root.clone()).hashCode())
        .isEqualTo(Long.hashCode(7) * 31 + java.util.Arrays.hashCode(root))
        .isNotEqualTo(new VersionId(8, root).hashCode())
        .isNotEqualTo(new VersionId(7, other).hashCode());
    assertThat(v.toString()).isEqualTo("v7:ab0000000000");
    assertThat(v).isLessThan(new VersionId(8, new byte[32]))
        .isLessThan(new VersionId(7, withFirst(0xff)));
    assertThat(new VersionId(7, withFirst(0x80))).isGreaterThan(new VersionId(7, withFirst(0x7f)));
    assertThatThrownBy(() -> new VersionId(1, null)).hasMessageContaining("32 bytes");
    assertThatThrownBy(() -> new VersionId(1, new byte[31])).hasMessageContaining("32 bytes");
  }

  private static byte[] withFirst(int b) {
    byte[] r = new byte[32];
    r[0] = (byte) b;
    return r;
  }

  @Test
  void anArrayShareHasAnExactSizeLimit() {
    ShareLayout probe = new ShareLayout(1, 1, 1 << 26, Integer.MAX_VALUE - 8);
    long fits = Integer.MAX_VALUE - 8 - probe.blocksOffset();
    ShareLayout largest = new ShareLayout(1, 1, 1 << 26, fits);
    assertThat(largest.blocksOffset()).isEqualTo(probe.blocksOffset());
    assertThat(MutableFileWriter.arrayLength(largest)).isEqualTo(Integer.MAX_VALUE - 8);
    assertThatThrownBy(() -> MutableFileWriter.arrayLength(
        new ShareLayout(1, 1, 1 << 26, fits + 1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("streaming");
    assertThat(MutableFileWriter.arrayLength(new ShareLayout(3, 5, 300, 1000)))
        .isEqualTo(new ShareLayout(3, 5, 300, 1000).end());
  }

  private static List<ByteArrayShare> sinks(int n) {
    List<ByteArrayShare> sinks = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      sinks.add(new ByteArrayShare(1 << 12));
    }
    return sinks;
  }

  private static boolean untouched(List<ByteArrayShare> sinks) {
    for (ByteArrayShare s : sinks) {
      for (byte b : s.bytes()) {
        if (b != 0) {
          return false;
        }
      }
    }
    return true;
  }

  /** Bad arguments are refused before a byte is read or written, not after the blocks went out. */
  @Test
  void theStreamingWriterRefusesBadArgumentsBeforeWriting() {
    MutableKeys keys = MutableKeys.fromSeed(SEED);
    MutableParams params = new MutableParams(3, 5, 300);
    List<ByteArrayShare> four = sinks(4);
    assertThatThrownBy(() -> MutableFileWriter.write(keys, 1,
        new ByteArrayInputStream(new byte[10]), 10, params, RANDOM, four))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("need 5 share sinks, got 4");
    List<ByteArrayShare> six = sinks(6);
    assertThatThrownBy(() -> MutableFileWriter.write(keys, 1,
        new ByteArrayInputStream(new byte[10]), 10, params, RANDOM, six))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("need 5 share sinks, got 6");
    List<ByteArrayShare> five = sinks(5);
    ByteArrayInputStream plain = new ByteArrayInputStream(new byte[100]);
    assertThatThrownBy(() -> MutableFileWriter.write(keys, -1, plain, 10, params, RANDOM, five))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("seqnum");
    assertThat(plain.available()).isEqualTo(100);
    assertThatThrownBy(() -> MutableFileWriter.write(keys, 1, plain,
        SignedHeader.MAX_DATA_LENGTH + 1, params, RANDOM, five))
        .isInstanceOf(MutableShareFormatException.class).hasMessageContaining("data length");
    assertThat(plain.available()).isEqualTo(100);
    assertThat(untouched(five)).isTrue();
  }

  @Test
  void theStreamingWriterAcceptsSeqnumZero() throws IOException {
    MutableKeys keys = MutableKeys.fromSeed(SEED);
    List<ByteArrayShare> five = sinks(5);
    SignedHeader h = MutableFileWriter.write(keys, 0, new ByteArrayInputStream(new byte[10]), 10,
        new MutableParams(3, 5, 300), RANDOM, five);
    assertThat(h.seqnum()).isZero();
  }

  @Test
  void theSeedComesBackAsGiven() {
    MutableKeys keys = MutableKeys.fromSeed(SEED);
    assertThat(keys.seed()).isEqualTo(SEED);
    MutableKeys again = MutableKeys.recover(keys.writeCap(), keys.encryptedSeed(),
        keys.publicKey());
    assertThat(again.seed()).isEqualTo(SEED);
  }

  @Test
  void recoverRefusesMisSizedFields() {
    MutableKeys keys = MutableKeys.fromSeed(SEED);
    assertThatThrownBy(() -> MutableKeys.recover(keys.writeCap(),
        java.util.Arrays.copyOf(keys.encryptedSeed(), 31), keys.publicKey()))
        .isInstanceOf(MutableIntegrityException.class).hasMessageContaining("32 bytes");
    assertThatThrownBy(() -> MutableKeys.recover(keys.writeCap(), keys.encryptedSeed(),
        java.util.Arrays.copyOf(keys.publicKey(), 33)))
        .isInstanceOf(MutableIntegrityException.class).hasMessageContaining("32 bytes");
  }

  /**
   * A write cap with the slot's fingerprint but another write key (a damaged or forged cap),
   * and a share whose seed was encrypted for that key: the seed is the slot's real one and gives
   * the right verifying key, yet it does not belong to this cap, which must be refused.
   */
  @Test
  void recoverRefusesACapWhoseWriteKeyIsNotTheSlots() {
    MutableKeys keys = MutableKeys.fromSeed(SEED);
    byte[] otherWriteKey = keys.readKey();
    MutableWriteCap forged = new MutableWriteCap(otherWriteKey, keys.fingerprint());
    byte[] encrypted = keys.seed();
    AesCtr.apply(MutableKeys.seedEncryptionKey(otherWriteKey), 0, encrypted, 0, encrypted.length);
    assertThatThrownBy(() -> MutableKeys.recover(forged, encrypted, keys.publicKey()))
        .isInstanceOf(MutableIntegrityException.class)
        .hasMessageContaining("does not belong to this write cap");
  }
}
