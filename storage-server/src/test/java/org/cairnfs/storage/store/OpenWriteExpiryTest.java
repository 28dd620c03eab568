package org.cairnfs.storage.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.cairnfs.storage.store.StoreFixture.ALICE;
import static org.cairnfs.storage.store.StoreFixture.secrets;
import static org.cairnfs.storage.store.StoreFixture.si;
import static org.cairnfs.storage.store.StoreFixture.slotShare;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.storage.lease.ShareCharge;
import org.cairnfs.storage.share.ShareKey;
import org.cairnfs.storage.store.StoreException.Reason;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Open uploads and staged slot versions that get no new bytes for the idle timeout are dropped,
 * exactly past it, giving back their place and reserved space; the sweep runs at most once a
 * second, from allocations, first slot chunks and free-space reports.
 */
class OpenWriteExpiryTest {
  static final StorageIndex SI = si(6);
  static final Duration IDLE = Duration.ofMinutes(5);
  @TempDir Path dbDir;
  StoreFixture f;

  void open(int maxOpenWrites, Duration idle) throws Exception {
    f = new StoreFixture(dbDir, new StoreLimits(1 << 20, 0, 100_000)
        .withOpenWriteCaps(maxOpenWrites, maxOpenWrites).withOpenWriteIdleTimeout(idle));
  }

  @AfterEach
  void tearDown() throws Exception {
    if (f != null) {
      f.close();
    }
  }

  void slotChunk(int share, long total, byte[] data) throws Exception {
    f.store.writeSlotChunk(SI, share, total, 0, ByteBuffer.wrap(data), ALICE, secrets(1));
  }

  boolean uploadOpen(int share) {
    return f.store.isWriteOpen(ALICE, SI, share, false);
  }

  boolean slotOpen(int share) {
    return f.store.isWriteOpen(ALICE, SI, share, true);
  }

  @Test
  void writesIdleForExactlyTheTimeoutStayAndAreDroppedOneMillisecondLater() throws Exception {
    open(10, IDLE);
    f.store.allocate(SI, List.of(0, 1), 5000, ALICE, secrets(1));
    slotChunk(2, 100, slotShare(1, 10));
    long used = f.store.usedBytes();
    assertThat(used).isEqualTo(2 * 5000 + ShareCharge.of(100));
    f.clock.advance(IDLE);
    assertThat(f.store.expireIdleWrites()).isZero();
    assertThat(uploadOpen(0)).isTrue();
    assertThat(slotOpen(2)).isTrue();
    f.clock.advance(Duration.ofMillis(1));
    assertThat(f.store.expireIdleWrites()).isEqualTo(3);
    assertThat(uploadOpen(0)).isFalse();
    assertThat(uploadOpen(1)).isFalse();
    assertThat(slotOpen(2)).isFalse();
    assertThat(f.store.usedBytes()).isZero();
    assertThat(f.store.expireIdleWrites()).isZero();
  }

  @Test
  void progressKeepsAWriteOpen() throws Exception {
    open(10, IDLE);
    f.store.allocate(SI, List.of(0, 1), 5000, ALICE, secrets(1));
    f.clock.advance(Duration.ofMinutes(3));
    f.store.write(ALICE, SI, 0, 0, ByteBuffer.wrap(new byte[10]));
    f.store.writeSlotChunk(SI, 3, 30, 0, ByteBuffer.wrap(slotShare(1, 10)), ALICE, secrets(1));
    f.clock.advance(Duration.ofMinutes(3));
    f.store.writeSlotChunk(SI, 3, 30, 10, ByteBuffer.wrap(new byte[10]), ALICE, secrets(1));
    assertThat(f.store.expireIdleWrites()).isEqualTo(1); // share 1: no byte for 6 minutes
    assertThat(uploadOpen(0)).isTrue();
    assertThat(uploadOpen(1)).isFalse();
    assertThat(slotOpen(3)).isTrue();
  }

  /** Bytes written again are not progress: only new ones keep an upload open. */
  @Test
  void rewritingBytesAlreadyWrittenIsNotProgress() throws Exception {
    open(10, IDLE);
    f.store.allocate(SI, List.of(0), 5000, ALICE, secrets(1));
    f.store.write(ALICE, SI, 0, 0, ByteBuffer.wrap(new byte[10]));
    f.clock.advance(Duration.ofMinutes(3));
    f.store.write(ALICE, SI, 0, 0, ByteBuffer.wrap(new byte[10]));
    f.store.write(ALICE, SI, 0, 5, ByteBuffer.wrap(new byte[5]));
    f.clock.advance(Duration.ofMinutes(3));
    assertThat(f.store.expireIdleWrites()).isEqualTo(1);
    assertThat(uploadOpen(0)).isFalse();
  }

  /** An upload sealed for closing and waiting for its group commit is never dropped as idle. */
  @Test
  void anUploadWaitingForItsCommitIsNotIdle() throws Exception {
    open(10, IDLE);
    f.store.allocate(SI, List.of(0), 10, ALICE, secrets(1));
    f.store.write(ALICE, SI, 0, 0, ByteBuffer.wrap(new byte[10]));
    java.util.concurrent.CompletableFuture<Void> closed;
    f.store.commitLock().lock();
    try {
      closed = f.store.closeAsync(ALICE, SI, 0);
      f.clock.advance(IDLE.plusMinutes(1));
      assertThat(f.store.expireIdleWrites()).isZero();
    } finally {
      f.store.commitLock().unlock();
    }
    closed.get(10, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(f.store.heldShares(SI)).containsExactly(0);
    f.clock.advance(IDLE.plusMinutes(1));
    assertThat(f.store.expireIdleWrites()).as("a stored share is no open write").isZero();
  }

  /** The sweep runs at most once a second, and again as soon as that second is over. */
  @Test
  void theSweepRunsAtMostOnceASecond() throws Exception {
    open(10, Duration.ofMillis(1));
    f.store.allocate(SI, List.of(0), 5000, ALICE, secrets(1)); // sweeps (nothing yet)
    f.clock.advance(Duration.ofMillis(500));
    assertThat(f.store.freeBytes()).isEqualTo((1 << 20) - 5000);
    assertThat(uploadOpen(0)).as("no sweep within the second").isTrue();
    f.clock.advance(Duration.ofMillis(500));
    assertThat(f.store.freeBytes()).as("the sweep a second later drops the idle upload")
        .isEqualTo(1 << 20);
    assertThat(uploadOpen(0)).isFalse();
  }

  /** A first slot chunk sweeps: the place an idle upload held is free for it. */
  @Test
  void aFirstSlotChunkFindsThePlaceOfAnIdleWrite() throws Exception {
    open(1, IDLE);
    f.store.allocate(SI, List.of(0), 5000, ALICE, secrets(1));
    f.clock.advance(IDLE.plusSeconds(1));
    slotChunk(1, 100, slotShare(1, 10));
    assertThat(uploadOpen(0)).isFalse();
    assertThat(slotOpen(1)).isTrue();
  }

  /** So does an allocation: it takes the place of an idle staged slot version. */
  @Test
  void anAllocationFindsThePlaceOfAnIdleSlotWrite() throws Exception {
    open(1, IDLE);
    slotChunk(1, 100, slotShare(1, 10));
    f.clock.advance(IDLE.plusSeconds(1));
    f.store.allocate(SI, List.of(0), 5000, ALICE, secrets(1));
    assertThat(uploadOpen(0)).isTrue();
    assertThat(slotOpen(1)).isFalse();
  }

  @Test
  void isWriteOpenAnswersFalseForShareNumbersOutOfRange() throws Exception {
    open(10, IDLE);
    f.store.allocate(SI, List.of(0, ShareKey.MAX_SHARE_NUMBER), 0, ALICE, secrets(1));
    slotChunk(ShareKey.MAX_SHARE_NUMBER, 100, slotShare(1, 10));
    assertThat(uploadOpen(ShareKey.MAX_SHARE_NUMBER)).isTrue();
    assertThat(slotOpen(ShareKey.MAX_SHARE_NUMBER)).isTrue();
    assertThat(uploadOpen(ShareKey.MAX_SHARE_NUMBER + 1)).isFalse();
    assertThat(slotOpen(ShareKey.MAX_SHARE_NUMBER + 1)).isFalse();
    assertThat(uploadOpen(-1)).isFalse();
    assertThat(slotOpen(-1)).isFalse();
    assertThat(f.store.isWriteOpen(StoreFixture.BOB, SI, 0, false)).as("another owner's")
        .isFalse();
    f.store.abortSlotWrite(ALICE, SI, ShareKey.MAX_SHARE_NUMBER);
    assertThat(slotOpen(ShareKey.MAX_SHARE_NUMBER)).isFalse();
  }

  /**
   * A slot share of zero bytes is a share size like any other: it reaches the slot check,
   * which refuses it (it has no signed front), rather than being taken for a negative size.
   */
  @Test
  void anEmptySlotShareGoesToTheCheck() throws Exception {
    open(10, IDLE);
    assertThatThrownBy(() -> f.store.writeSlotChunk(SI, 0, 0, 0, ByteBuffer.allocate(0), ALICE,
        secrets(1)))
        .satisfies(e -> assertThat(((StoreException) e).reason()).isEqualTo(Reason.REJECTED));
    assertThatThrownBy(() -> f.store.writeSlotChunk(SI, 0, -1, 0, ByteBuffer.allocate(0), ALICE,
        secrets(1)))
        .satisfies(e -> assertThat(((StoreException) e).reason()).isEqualTo(Reason.BAD_REQUEST));
    assertThat(f.store.usedBytes()).isZero();
  }
}
