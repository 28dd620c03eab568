package org.cairnfs.storage.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.cairnfs.storage.store.StoreFixture.ALICE;
import static org.cairnfs.storage.store.StoreFixture.pattern;
import static org.cairnfs.storage.store.StoreFixture.secrets;
import static org.cairnfs.storage.store.StoreFixture.si;
import static org.cairnfs.storage.store.StoreFixture.slotShare;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.storage.lease.ShareCharge;
import org.cairnfs.storage.share.ShareKey;
import org.cairnfs.storage.share.ShareKind;
import org.cairnfs.storage.store.StoreException.Reason;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a client can and cannot do with chunked slot writes and reads at the store: every
 * refusal leaves no staged file, no reservation and no held place behind.
 */
class SlotChunkTest {
  static final StorageIndex SI = si(4);
  @TempDir Path dbDir;
  StoreFixture f;

  void open(StoreLimits limits) throws Exception {
    f = new StoreFixture(dbDir, limits);
  }

  @AfterEach
  void tearDown() throws Exception {
    if (f != null) {
      f.close();
    }
  }

  static Reason reasonOf(Throwable t) {
    return ((StoreException) t).reason();
  }

  OptionalLong chunk(int share, long total, long offset, byte[] data, int from, int length)
      throws Exception {
    return f.store.writeSlotChunk(SI, share, total, offset, ByteBuffer.wrap(data, from, length),
        ALICE, secrets(1));
  }

  long stagedFiles() throws Exception {
    try (Stream<Path> files = Files.walk(f.store.layout().incomingDir())) {
      return files.filter(Files::isRegularFile).count();
    }
  }

  @Test
  void aRestartDropsTheStagedVersionItReplaces() throws Exception {
    open(new StoreLimits(1 << 20, 0, 100_000).withOpenWriteCaps(2, 2));
    byte[] v = slotShare(3, 90);
    chunk(0, 90, 0, v, 0, 40);
    chunk(0, 90, 0, v, 0, 40);
    chunk(0, 90, 0, v, 0, 40);
    assertThat(f.store.usedBytes()).isEqualTo(ShareCharge.of(90));
    assertThat(stagedFiles()).isEqualTo(1);
    assertThat(chunk(0, 90, 40, v, 40, 50)).hasValue(3);
    assertThat(f.store.read(ShareKey.mutable(SI, 0), 0, 90)).isEqualTo(v);
  }

  @Test
  void chunksThatOverrunOrChangeTheSizeAreRefusedAndDropTheWrite() throws Exception {
    open(new StoreLimits(1 << 20, 0, 100_000));
    byte[] v = slotShare(3, 40);
    assertThatThrownBy(() -> chunk(0, 20, 0, v, 0, 25))
        .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.BAD_REQUEST));
    chunk(0, 20, 0, v, 0, 10);
    assertThatThrownBy(() -> chunk(0, 20, 10, v, 10, 15))
        .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.BAD_REQUEST));
    assertThatThrownBy(() -> chunk(0, 20, 10, v, 10, 5))
        .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.NOT_FOUND));
    chunk(0, 20, 0, v, 0, 10);
    assertThatThrownBy(() -> chunk(0, 30, 10, v, 10, 10))
        .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.BAD_REQUEST));
    assertThat(f.store.usedBytes()).isZero();
    assertThat(stagedFiles()).isZero();
    assertThat(f.store.shareSizes(SI, ShareKind.MUTABLE)).isEmpty();
  }

  @Test
  void negativeOffsetsAndSizesAreBadRequests() throws Exception {
    open(new StoreLimits(1 << 20, 0, 100_000));
    assertThatThrownBy(() -> chunk(0, 20, -1, new byte[5], 0, 5))
        .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.BAD_REQUEST))
        .hasMessageContaining("negative slot offset -1");
    assertThatThrownBy(() -> chunk(0, -5, 0, new byte[5], 0, 5))
        .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.BAD_REQUEST))
        .hasMessageContaining("size -5");
  }

  @Test
  void aMiddleChunkWithoutAWriteInProgressIsNotFound() throws Exception {
    open(new StoreLimits(1 << 20, 0, 100_000));
    assertThatThrownBy(() -> chunk(0, 20, 10, new byte[10], 0, 10))
        .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.NOT_FOUND));
  }

  @Test
  void aCompletedOrRejectedWriteGivesBackItsPlaceAndItsReservation() throws Exception {
    open(new StoreLimits(1 << 20, 0, 100_000).withOpenWriteCaps(1, 1));
    byte[] v = slotShare(3, 90);
    chunk(0, 90, 0, v, 0, 40);
    assertThat(chunk(0, 90, 40, v, 40, 50)).hasValue(3);
    assertThat(f.store.usedBytes()).isEqualTo(ShareCharge.of(90));

    byte[] bad = slotShare(4, 60);
    bad[59] = (byte) 0xBB; // fails only the whole-share check
    chunk(1, 60, 0, bad, 0, 30);
    assertThatThrownBy(() -> chunk(1, 60, 30, bad, 30, 30))
        .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.REJECTED));
    assertThat(f.store.usedBytes()).isEqualTo(ShareCharge.of(90));
    assertThat(stagedFiles()).isZero();

    byte[] w = slotShare(5, 50);
    chunk(2, 50, 0, w, 0, 50);
    assertThat(f.store.usedBytes()).isEqualTo(ShareCharge.of(90) + ShareCharge.of(50));
  }

  @Test
  void theFrontIsCheckedAsSoonAsItHasArrived() throws Exception {
    open(new StoreLimits(1 << 20, 0, 100_000).withOpenWriteCaps(1, 1));
    byte[] forged = slotShare(3, 90);
    forged[0] = (byte) 0xEE;
    assertThatThrownBy(() -> chunk(0, 90, 0, forged, 0, 8))
        .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.REJECTED));
    assertThat(f.store.usedBytes()).isZero();
    assertThat(stagedFiles()).isZero();
    // A front spread over chunks is checked once its last byte is in.
    chunk(0, 90, 0, forged, 0, 5);
    assertThatThrownBy(() -> chunk(0, 90, 5, forged, 5, 3))
        .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.REJECTED));
    // A share shorter than the front is checked whole when complete.
    assertThatThrownBy(() -> chunk(0, 5, 0, forged, 0, 5))
        .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.REJECTED));
    assertThat(f.store.usedBytes()).isZero();
  }

  @Test
  void aRefusedReservationGivesBackThePlace() throws Exception {
    open(new StoreLimits(ShareCharge.MIN_BYTES, 0, 10_000).withOpenWriteCaps(1, 1));
    assertThatThrownBy(() -> chunk(0, ShareCharge.MIN_BYTES + 1, 0, new byte[10], 0, 10))
        .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.SERVER_FULL));
    byte[] v = slotShare(3, 60);
    assertThat(chunk(0, 60, 0, v, 0, 60)).hasValue(3);
  }

  @Test
  void aChunkedVersionFillingMaxSpaceIsChargedOnceAndStored() throws Exception {
    open(new StoreLimits(5000, 0, 10_000).withOpenWriteCaps(1, 1));
    byte[] v = slotShare(3, 5000);
    assertThat(chunk(0, 5000, 0, v, 0, 40)).isEmpty();
    assertThat(chunk(0, 5000, 40, v, 40, 4960)).hasValue(3);
    assertThat(f.store.usedBytes()).isEqualTo(5000);
    byte[] next = slotShare(4, 5000); // a new version of the same size replaces it in place
    assertThat(chunk(0, 5000, 0, next, 0, 5000)).hasValue(4);
    assertThat(f.store.read(ShareKey.mutable(SI, 0), 0, 5000)).isEqualTo(next);
    assertThat(f.store.usedBytes()).isEqualTo(5000);
  }

  @Test
  void aShareAboveTheShareLimitIsTooBigWhateverTheFreeSpace() throws Exception {
    open(new StoreLimits(1 << 20, 0, 100));
    assertThatThrownBy(() -> chunk(0, 101, 0, new byte[10], 0, 10))
        .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.SHARE_TOO_BIG));
    assertThatThrownBy(() -> f.store.writeSlotShare(SI, 0, slotShare(1, 101), ALICE, secrets(1)))
        .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.SHARE_TOO_BIG));
    assertThat(f.store.usedBytes()).isZero();
  }

  @Test
  void closingTheStoreLeavesNoStagedOrIncomingFile() throws Exception {
    open(new StoreLimits(1 << 20, 0, 100_000));
    chunk(0, 90, 0, slotShare(3, 90), 0, 40);
    f.store.allocate(SI, List.of(0), 50, ALICE, secrets(1));
    f.store.write(ALICE, SI, 0, 0, ByteBuffer.wrap(new byte[20]));
    assertThat(stagedFiles()).isEqualTo(2);
    f.store.close();
    assertThat(stagedFiles()).isZero();
    assertThat(f.store.usedBytes()).isZero();
    f.store = null;
  }

  @Test
  void readsStopAtTheShareEndAndRefuseBadRanges() throws Exception {
    open(new StoreLimits(1 << 20, 0, 100_000));
    f.upload(SI, 0, pattern(100, 1), ALICE);
    ShareKey key = ShareKey.immutable(SI, 0);
    assertThat(f.store.read(key, 90, 50)).isEqualTo(java.util.Arrays.copyOfRange(pattern(100, 1), 90, 100));
    assertThat(f.store.read(key, 100, 50)).isEmpty();
    assertThat(f.store.read(key, 500, 50)).isEmpty();
    assertThat(f.store.read(key, 0, 0)).isEmpty();
    assertThat(f.store.read(key, 0, ShareStore.MAX_READ_LENGTH)).hasSize(100);
    for (int bad : new int[] {-1, ShareStore.MAX_READ_LENGTH + 1}) {
      assertThatThrownBy(() -> f.store.read(key, 0, bad))
          .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.BAD_REQUEST));
    }
    assertThatThrownBy(() -> f.store.read(key, -1, 5))
        .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.BAD_REQUEST));
  }

  @Test
  void anImmutableShareHasNoSlotSeqnumAndLeasesNeedWholeSecrets() throws Exception {
    open(new StoreLimits(1 << 20, 0, 100_000));
    f.upload(SI, 0, pattern(10, 1), ALICE);
    assertThat(f.store.slotSeqnum(ShareKey.immutable(SI, 0))).isEmpty();
    assertThatThrownBy(() -> f.store.renewLease(SI, new byte[31]))
        .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.BAD_REQUEST));
    assertThatThrownBy(() -> f.store.renewLease(si(99), new byte[32]))
        .satisfies(e -> assertThat(reasonOf(e)).isEqualTo(Reason.NOT_FOUND));
  }

  @Test
  void collectionSaysWhetherItDeleted() throws Exception {
    open(new StoreLimits(1 << 20, 0, 100_000));
    f.upload(SI, 0, pattern(10, 1), ALICE);
    f.upload(SI, 1, pattern(10, 2), ALICE);
    ShareKey key = ShareKey.immutable(SI, 0);
    assertThat(f.store.collectIfExpired(ShareKey.immutable(SI, 7))).isFalse();
    assertThat(f.store.collectIfExpired(key)).isFalse();
    f.clock.advance(Duration.ofDays(32));
    assertThat(f.store.collectIfExpired(key)).isTrue();
    assertThat(f.store.heldShares(SI)).containsExactly(1);
    assertThat(f.store.collectIfExpired(key)).isFalse();
    assertThat(f.store.collectIfExpired(ShareKey.immutable(SI, 1))).isTrue();
    assertThat(Files.exists(f.store.layout().indexDir(SI))).isFalse();
  }
}
