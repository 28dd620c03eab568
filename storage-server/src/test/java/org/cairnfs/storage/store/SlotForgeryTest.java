package org.cairnfs.storage.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.cairnfs.storage.store.StoreFixture.ALICE;
import static org.cairnfs.storage.store.StoreFixture.BOB;
import static org.cairnfs.storage.store.StoreFixture.secrets;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.OptionalLong;
import java.util.Random;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.caps.mutable.MutableFileReader;
import org.cairnfs.caps.mutable.MutableFileWriter;
import org.cairnfs.caps.mutable.MutableKeys;
import org.cairnfs.caps.mutable.MutableParams;
import org.cairnfs.caps.mutable.MutableShare;
import org.cairnfs.caps.mutable.SlotWriteCheck;
import org.cairnfs.storage.share.ShareKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10, finding 1, against the store with the real keyless check: the signed header of a new
 * version is public early, and a stranger (BOB) who planted it in front of garbage replaced the
 * held version, after which the writer's (ALICE's) real share at that seqnum was refused as
 * stale. Now the stranger is refused, the old version survives and the writer's share lands.
 */
class SlotForgeryTest {
  static final SecureRandom RANDOM = new SecureRandom();
  static final MutableParams PARAMS = new MutableParams(3, 10, 3 * 1024);
  final MutableKeys keys = MutableKeys.generate(RANDOM);
  final StorageIndex slot = keys.storageIndex();
  final ShareKey share0 = ShareKey.mutable(slot, 0);
  @TempDir Path dbDir;
  StoreFixture f;
  byte[][] v1;
  byte[][] v2;

  static byte[] data(int size, int seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  @BeforeEach
  void setUp() throws Exception {
    f = new StoreFixture(dbDir, StoreLimits.unlimited(), org.cairnfs.storage.store.SlotWriteCheck.KEYLESS);
    v1 = MutableFileWriter.write(keys, 1, data(20_000, 1), PARAMS, RANDOM);
    v2 = MutableFileWriter.write(keys, 2, data(20_000, 2), PARAMS, RANDOM);
    assertThat(f.store.writeSlotShare(slot, 0, v1[0], ALICE, secrets(1))).isEqualTo(1);
  }

  @AfterEach
  void tearDown() throws Exception {
    f.close();
  }

  /** What BOB builds from v2's public signed prefix: the prefix, then random bytes. */
  byte[] plantedFrom(byte[] real, int copied) {
    byte[] planted = data(real.length, 99);
    System.arraycopy(real, 0, planted, 0, copied);
    return planted;
  }

  void assertV1StillHeld() throws Exception {
    assertThat(f.store.read(share0, 0, v1[0].length + 10)).isEqualTo(v1[0]);
    assertThat(f.store.slotSeqnum(share0)).isEqualTo(OptionalLong.of(1));
  }

  void assertTheWritersShareStillLands() throws Exception {
    assertThat(f.store.writeSlotShare(slot, 0, v2[0], ALICE, secrets(1))).isEqualTo(2);
    assertThat(f.store.read(share0, 0, v2[0].length + 10)).isEqualTo(v2[0]);
    assertThat(MutableFileReader.read(keys.readCap(),
        MutableShare.parse(v2[0]).header().versionId(),
        java.util.List.of(f.store.read(share0, 0, 1 << 20), v2[1], v2[2])))
        .isEqualTo(data(20_000, 2));
  }

  @Test
  void aPlantedSignedPrefixInFrontOfGarbageIsRefusedWhole() throws Exception {
    for (int copied : new int[] {SlotWriteCheck.PREFIX_LENGTH, SlotWriteCheck.FRONT_LENGTH,
        (int) MutableShare.parse(v2[0]).prefixLength()}) {
      byte[] planted = plantedFrom(v2[0], copied);
      assertThatThrownBy(() -> f.store.writeSlotShare(slot, 0, planted, BOB, secrets(2)))
          .isInstanceOfSatisfying(StoreException.class, e ->
              assertThat(e.reason()).isEqualTo(StoreException.Reason.REJECTED));
      assertV1StillHeld();
    }
    assertTheWritersShareStillLands();
  }

  @Test
  void aPlantedShareSentInChunksIsRefusedAndItsStagingFreed() throws Exception {
    long held = f.store.usedBytes();
    byte[] planted = plantedFrom(v2[0], (int) MutableShare.parse(v2[0]).prefixLength());
    int chunk = 4096;
    StoreException refused = null;
    for (int at = 0; at < planted.length && refused == null; at += chunk) {
      int len = Math.min(chunk, planted.length - at);
      try {
        f.store.writeSlotChunk(slot, 0, planted.length, at, ByteBuffer.wrap(planted, at, len),
            BOB, secrets(2));
      } catch (StoreException e) {
        refused = e;
        assertThat(at + len).as("refused only once complete").isEqualTo(planted.length);
      }
    }
    assertThat(refused).isNotNull().hasMessageContaining("HASH_MISMATCH");
    assertThat(f.store.usedBytes()).isEqualTo(held);
    assertV1StillHeld();
    assertTheWritersShareStillLands();
  }

  @Test
  void aShareOfAnotherNumberIsRefusedAtItsFirstChunk() throws Exception {
    long held = f.store.usedBytes();
    // v2's genuine share 1, sent as share 0: refused before the rest is stored.
    assertThatThrownBy(() -> f.store.writeSlotChunk(slot, 0, v2[1].length, 0,
        ByteBuffer.wrap(v2[1], 0, 4096), BOB, secrets(2)))
        .hasMessageContaining("WRONG_SHARE_NUMBER");
    assertThat(f.store.usedBytes()).isEqualTo(held);
    assertThatThrownBy(() -> f.store.writeSlotChunk(slot, 0, v2[1].length, 4096,
        ByteBuffer.wrap(v2[1], 4096, v2[1].length - 4096), BOB, secrets(2)))
        .isInstanceOfSatisfying(StoreException.class, e ->
            assertThat(e.reason()).isEqualTo(StoreException.Reason.NOT_FOUND));
    assertV1StillHeld();
    assertTheWritersShareStillLands();
  }

  @Test
  void aStaleVersionIsRefusedAtItsFirstChunk() throws Exception {
    f.store.writeSlotShare(slot, 0, v2[0], ALICE, secrets(1));
    assertThatThrownBy(() -> f.store.writeSlotChunk(slot, 0, v1[0].length, 0,
        ByteBuffer.wrap(v1[0], 0, 4096), BOB, secrets(2)))
        .hasMessageContaining("STALE_SEQNUM");
    assertThat(f.store.read(share0, 0, 1 << 20)).isEqualTo(v2[0]);
  }

  @Test
  void theWritersChunkedShareIsAccepted() throws Exception {
    byte[] real = v2[0];
    OptionalLong stored = OptionalLong.empty();
    for (int at = 0; at < real.length; at += 1000) {
      int len = Math.min(1000, real.length - at);
      stored = f.store.writeSlotChunk(slot, 0, real.length, at, ByteBuffer.wrap(real, at, len),
          ALICE, secrets(1));
    }
    assertThat(stored).isEqualTo(OptionalLong.of(2));
    assertThat(f.store.read(share0, 0, 1 << 20)).isEqualTo(real);
    assertThat(Arrays.equals(f.store.read(share0, 0, 1 << 20), v1[0])).isFalse();
  }
}
