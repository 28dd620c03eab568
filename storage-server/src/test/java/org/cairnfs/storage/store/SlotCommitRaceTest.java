package org.cairnfs.storage.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.cairnfs.storage.store.StoreFixture.ALICE;
import static org.cairnfs.storage.store.StoreFixture.BOB;
import static org.cairnfs.storage.store.StoreFixture.secrets;
import static org.cairnfs.storage.store.StoreFixture.si;
import static org.cairnfs.storage.store.StoreFixture.slotShare;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.OptionalLong;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.caps.share.ShareSource;
import org.cairnfs.storage.lease.ShareCharge;
import org.cairnfs.storage.share.ShareKey;
import org.cairnfs.storage.store.StoreException.Reason;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A slot version is checked against the held one before it is committed, outside the index
 * lock; another version may land in between. The commit checks again under the lock: a version
 * whose seqnum is not above the one that landed is refused (STALE_SEQNUM), the landed version
 * stays, and the refused write gives back its place and space.
 */
class SlotCommitRaceTest {
  static final StorageIndex SI = si(8);
  static final ShareKey KEY = ShareKey.mutable(SI, 0);

  /** The fixture's check, running {@link #landing} once during a whole-share check. */
  final class LandingCheck implements SlotWriteCheck {
    @Override
    public int frontLength() {
      return StoreFixture.FAKE_CHECK.frontLength();
    }

    @Override
    public void checkFront(StorageIndex index, int shareNumber, long size, byte[] front,
        OptionalLong held) throws Rejected {
      StoreFixture.FAKE_CHECK.checkFront(index, shareNumber, size, front, held);
    }

    @Override
    public long check(StorageIndex index, int shareNumber, long size, ShareSource share,
        OptionalLong held) throws Rejected, IOException {
      long seqnum = StoreFixture.FAKE_CHECK.check(index, shareNumber, size, share, held);
      byte[] other = landing;
      landing = null;
      if (other != null) {
        try {
          f.store.writeSlotShare(SI, 0, other, BOB, secrets(2));
        } catch (StoreException e) {
          throw new IllegalStateException(e);
        }
      }
      return seqnum;
    }

    @Override
    public long signedSeqnum(StorageIndex index, byte[] prefix) throws Rejected {
      return StoreFixture.FAKE_CHECK.signedSeqnum(index, prefix);
    }
  }

  @TempDir Path dbDir;
  StoreFixture f;
  /** A version another writer stores while the next whole-share check runs. */
  volatile byte[] landing;

  @BeforeEach
  void setUp() throws Exception {
    f = new StoreFixture(dbDir, new StoreLimits(1 << 20, 0, 100_000).withOpenWriteCaps(1, 1),
        new LandingCheck());
  }

  @AfterEach
  void tearDown() throws Exception {
    f.close();
  }

  void assertRefusedAsStale(ThrowingRunnable write, byte[] landed) throws Exception {
    assertThatThrownBy(write::run)
        .satisfies(e -> assertThat(((StoreException) e).reason()).isEqualTo(Reason.REJECTED))
        .hasMessageContaining("STALE_SEQNUM");
    assertThat(f.store.read(KEY, 0, 1000)).isEqualTo(landed);
    assertThat(f.store.slotSeqnum(KEY)).hasValue(landed[7]);
    assertThat(f.store.usedBytes()).as("only the landed version")
        .isEqualTo(ShareCharge.of(landed.length));
    assertThat(f.store.isWriteOpen(ALICE, SI, 0, true)).isFalse();
    // The place is free again (the server-wide cap is 1).
    f.store.writeSlotChunk(SI, 1, 100, 0, ByteBuffer.wrap(slotShare(1, 10)), ALICE, secrets(1));
  }

  interface ThrowingRunnable {
    void run() throws Exception;
  }

  @Test
  void aChunkedVersionIsRefusedWhenOneOfTheSameSeqnumLandedWhileItWasChecked() throws Exception {
    byte[] mine = slotShare(5, 20);
    byte[] landed = slotShare(5, 30);
    f.store.writeSlotChunk(SI, 0, 20, 0, ByteBuffer.wrap(mine, 0, 10), ALICE, secrets(1));
    landing = landed;
    assertRefusedAsStale(() -> f.store.writeSlotChunk(SI, 0, 20, 10,
        ByteBuffer.wrap(mine, 10, 10), ALICE, secrets(1)), landed);
  }

  @Test
  void aChunkedVersionIsRefusedWhenAHigherOneLandedWhileItWasChecked() throws Exception {
    byte[] mine = slotShare(5, 20);
    byte[] landed = slotShare(6, 30);
    f.store.writeSlotChunk(SI, 0, 20, 0, ByteBuffer.wrap(mine, 0, 10), ALICE, secrets(1));
    landing = landed;
    assertRefusedAsStale(() -> f.store.writeSlotChunk(SI, 0, 20, 10,
        ByteBuffer.wrap(mine, 10, 10), ALICE, secrets(1)), landed);
  }

  @Test
  void aWholeVersionIsRefusedWhenOneOfTheSameSeqnumLandedWhileItWasChecked() throws Exception {
    f.freeBytes = 1000; // the disk, not max space, bounds the free bytes
    landing = slotShare(5, 30);
    byte[] landed = landing;
    assertRefusedAsStale(() -> f.store.writeSlotShare(SI, 0, slotShare(5, 20), ALICE,
        secrets(1)), landed);
    // Only the 90 bytes of the slot chunk started just now are still promised to the disk.
    assertThat(f.store.freeBytes()).isEqualTo(1000 - 90);
  }

  @Test
  void aLowerVersionLandingMeanwhileIsReplaced() throws Exception {
    byte[] mine = slotShare(5, 20);
    landing = slotShare(4, 30);
    assertThat(f.store.writeSlotShare(SI, 0, mine, ALICE, secrets(1))).isEqualTo(5);
    assertThat(f.store.read(KEY, 0, 1000)).isEqualTo(mine);
    assertThat(f.store.usedBytes()).isEqualTo(ShareCharge.of(20));
  }
}
