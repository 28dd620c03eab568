package org.cairnfs.storage.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.cairnfs.storage.store.StoreFixture.ALICE;
import static org.cairnfs.storage.store.StoreFixture.secrets;
import static org.cairnfs.storage.store.StoreFixture.si;
import static org.cairnfs.storage.store.StoreFixture.slotShare;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.storage.lease.ShareCharge;
import org.cairnfs.storage.share.ShareKey;
import org.cairnfs.storage.share.ShareKind;
import org.cairnfs.storage.store.StoreException.Reason;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The space checks at their edges: a whole slot share is refused for the reserved free disk,
 * the refusal names the bytes that would be left, and a server already over its max space
 * (lowered over a restart) still takes a slot version that does not grow.
 */
class SpaceLimitEdgesTest {
  static final StorageIndex SI = si(11);
  @TempDir Path dbDir;
  StoreFixture f;

  @AfterEach
  void tearDown() throws Exception {
    if (f != null) {
      f.close();
    }
  }

  @Test
  void aWholeSlotShareIsRefusedForTheReservedDiskSpaceNamingWhatWouldBeLeft() throws Exception {
    f = new StoreFixture(dbDir, new StoreLimits(1 << 20, 1000, 100_000));
    f.freeBytes = 1500;
    assertThatThrownBy(() -> f.store.writeSlotShare(SI, 0, slotShare(1, 600), ALICE, secrets(1)))
        .satisfies(e -> assertThat(((StoreException) e).reason()).isEqualTo(Reason.SERVER_FULL))
        .hasMessageContaining("600 more bytes would leave 900 bytes free on disk (1500 free now,"
            + " 0 promised to uploads in progress), below the reserved 1000");
    assertThat(f.store.writeSlotShare(SI, 0, slotShare(1, 500), ALICE, secrets(1))).isEqualTo(1);
  }

  /**
   * A whole slot share that its front already refuses (here a stale seqnum) is refused as
   * REJECTED before any disk is asked for staging: a forged or stale write to a nearly full
   * server is told what is wrong with it, not that the server is full, and stages nothing.
   */
  @Test
  void aWholeSlotShareItsFrontRefusesIsRejectedBeforeStagingSpaceIsAsked() throws Exception {
    f = new StoreFixture(dbDir, new StoreLimits(1 << 20, 1000, 100_000));
    f.store.writeSlotShare(SI, 0, slotShare(2, 100), ALICE, secrets(1));
    f.freeBytes = 1500; // 600 more bytes would go below the reserve
    assertThatThrownBy(() -> f.store.writeSlotShare(SI, 0, slotShare(1, 600), ALICE, secrets(1)))
        .satisfies(e -> assertThat(((StoreException) e).reason()).isEqualTo(Reason.REJECTED))
        .hasMessageContaining("seqnum 1 not above 2");
    assertThat(f.store.read(ShareKey.mutable(SI, 0), 0, 100)).isEqualTo(slotShare(2, 100));
  }

  @Test
  void aServerOverItsMaxSpaceStillTakesASlotVersionThatDoesNotGrow() throws Exception {
    f = new StoreFixture(dbDir, new StoreLimits(1 << 20, 0, 100_000));
    f.store.writeSlotShare(SI, 0, slotShare(1, 5000), ALICE, secrets(1));
    f.store.writeSlotShare(SI, 1, slotShare(1, 5000), ALICE, secrets(1));
    f.store.close();
    f.leases.close();
    f.limits = new StoreLimits(7500, 0, 100_000); // lowered: 10 000 bytes held, 7 500 allowed
    f.open();
    assertThat(f.store.usedBytes()).isEqualTo(10_000);
    // Same size, whole and in chunks: replacing frees as much as it takes.
    assertThat(f.store.writeSlotShare(SI, 0, slotShare(2, 5000), ALICE, secrets(1))).isEqualTo(2);
    f.store.writeSlotChunk(SI, 1, 5000, 0, ByteBuffer.wrap(slotShare(2, 5000), 0, 50), ALICE,
        secrets(1));
    assertThat(f.store.writeSlotChunk(SI, 1, 5000, 50,
        ByteBuffer.wrap(slotShare(2, 5000), 50, 4950), ALICE, secrets(1))).hasValue(2);
    assertThat(f.store.read(ShareKey.mutable(SI, 1), 0, 5000)).isEqualTo(slotShare(2, 5000));
    // Growing is refused.
    assertThatThrownBy(() -> f.store.writeSlotShare(SI, 0, slotShare(3, 5001), ALICE, secrets(1)))
        .satisfies(e -> assertThat(((StoreException) e).reason()).isEqualTo(Reason.SERVER_FULL));
    assertThat(f.store.usedBytes()).isEqualTo(10_000);
  }

  /**
   * A request for no bytes is never refused for space, even with the disk below its reserve
   * and max space used up: it takes nothing (a 0-byte share is then refused or taken on its
   * content, not as SERVER_FULL), while one byte more is refused.
   */
  @Test
  void noBytesAlwaysFitEvenOnAFullDisk() throws Exception {
    f = new StoreFixture(dbDir, new StoreLimits(1 << 20, 1000, 100_000),
        AcceptingSlotCheck.INSTANCE);
    f.freeBytes = 500; // already below the reserve
    SpaceBudget budget = new SpaceBudget(new StoreLimits(0, 1000, 100_000), () -> 500L,
        f.leases);
    assertThat(budget.reserveStaging(0).quota()).isZero();
    // an empty version replacing a held one (charged the minimum) grows nothing
    assertThat(budget.reserveReplacing(0, ShareCharge.MIN_BYTES, "a", 0).quota()).isZero();
    assertThat(budget.reserveWritten(0).quota()).isZero();
    assertThat(budget.reserve(0).quota()).isZero();
    assertThat(budget.outstandingBytes()).isZero();
    assertThatThrownBy(() -> budget.reserveStaging(1))
        .satisfies(e -> assertThat(((StoreException) e).reason()).isEqualTo(Reason.SERVER_FULL));

    // Through the store: a whole 0-byte slot share reaches its (here accepting) check.
    assertThat(f.store.writeSlotShare(SI, 0, new byte[0], ALICE, secrets(1))).isEqualTo(1);
    assertThat(f.store.shareSizes(SI, ShareKind.MUTABLE))
        .containsEntry(0, 0L);
  }

  /** The refusal's "would leave" counts the bytes promised to uploads not yet written. */
  @Test
  void theRefusalCountsBytesPromisedButNotYetWritten() throws Exception {
    f = new StoreFixture(dbDir, new StoreLimits(1 << 20, 1000, 100_000));
    SpaceBudget budget = new SpaceBudget(new StoreLimits(1 << 20, 1000, 100_000), () -> 3000L,
        f.leases);
    budget.reserve(1000);
    assertThat(budget.outstandingBytes()).isEqualTo(1000);
    assertThatThrownBy(() -> budget.reserveStaging(1500))
        .hasMessageContaining("1500 more bytes would leave 500 bytes free on disk (3000 free now,"
            + " 1000 promised to uploads in progress), below the reserved 1000");
  }
}
