package org.cairnfs.storage.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.cairnfs.storage.store.StoreFixture.ALICE;
import static org.cairnfs.storage.store.StoreFixture.pattern;
import static org.cairnfs.storage.store.StoreFixture.secrets;
import static org.cairnfs.storage.store.StoreFixture.si;

import java.nio.file.Path;
import java.util.List;
import org.cairnfs.storage.lease.ShareCharge;
import org.cairnfs.storage.store.StoreException.Reason;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a server announces as free ({@link ShareStore#freeBytes}): the smaller of the room under
 * max-space and the disk's usable bytes above the reserve, never negative. Only states without
 * open uploads are pinned on the disk side, where every byte counted is already on disk.
 */
class SpaceBudgetTest {
  static final long MAX = 1 << 20;
  static final long RESERVE = 1000;

  @TempDir Path dbDir;
  StoreFixture f;

  @BeforeEach
  void setUp() throws Exception {
    f = new StoreFixture(dbDir, new StoreLimits(MAX, RESERVE, 100_000));
  }

  @AfterEach
  void tearDown() throws Exception {
    f.close();
  }

  @Test
  void aRoomyDiskLeavesMaxSpaceAsTheLimit() throws Exception {
    assertThat(f.store.freeBytes()).isEqualTo(MAX);
    f.upload(si(1), 0, pattern(5000, 1), ALICE);
    assertThat(f.store.freeBytes()).isEqualTo(MAX - 5000);
  }

  @Test
  void aSmallDiskLeavesItsUsableBytesAboveTheReserve() throws Exception {
    f.freeBytes = 50_000;
    assertThat(f.store.freeBytes()).isEqualTo(50_000 - RESERVE);
    f.freeBytes = MAX + RESERVE - 1;
    assertThat(f.store.freeBytes()).isEqualTo(MAX - 1);
    f.freeBytes = MAX + RESERVE + 1;
    assertThat(f.store.freeBytes()).isEqualTo(MAX);
  }

  @Test
  void aDiskAtOrBelowTheReserveHasNothingFree() throws Exception {
    f.freeBytes = RESERVE;
    assertThat(f.store.freeBytes()).isZero();
    f.freeBytes = RESERVE - 1;
    assertThat(f.store.freeBytes()).isZero();
    f.freeBytes = 0;
    assertThat(f.store.freeBytes()).isZero();
    f.freeBytes = RESERVE + 1;
    assertThat(f.store.freeBytes()).isEqualTo(1);
  }

  @Test
  void aFullMaxSpaceHasNothingFreeWhateverTheDisk() throws Exception {
    f.limits = new StoreLimits(5000, RESERVE, 100_000);
    f.crashAndReopen();
    f.upload(si(1), 0, pattern(5000, 1), ALICE);
    assertThat(f.store.freeBytes()).isZero();
    f.limits = new StoreLimits(4000, RESERVE, 100_000); // lowered below what is held
    f.crashAndReopen();
    assertThat(f.store.freeBytes()).isZero();
  }

  /** The announced free space is what an allocation can really take, to the byte. */
  @Test
  void theAnnouncedFreeSpaceIsExactlyWhatFits() throws Exception {
    f.freeBytes = 20_000;
    long free = f.store.freeBytes();
    assertThat(free).isEqualTo(20_000 - RESERVE);
    assertThatThrownBy(() -> f.store.allocate(si(1), List.of(0), free + 1, ALICE, secrets(1)))
        .satisfies(e -> assertThat(((StoreException) e).reason()).isEqualTo(Reason.SERVER_FULL));
    assertThat(f.store.allocate(si(1), List.of(0), free, ALICE, secrets(1)).allocated())
        .containsExactly(0);
  }

  @Test
  void anOpenUploadCountsAgainstMaxSpaceAtLeastItsMinimumCharge() throws Exception {
    f.store.allocate(si(1), List.of(0), 10, ALICE, secrets(1));
    assertThat(f.store.freeBytes()).isEqualTo(MAX - ShareCharge.MIN_BYTES);
    f.store.allocate(si(2), List.of(0), 10_000, ALICE, secrets(1));
    assertThat(f.store.freeBytes())
        .isEqualTo(MAX - ShareCharge.MIN_BYTES - 10_000);
    f.store.abort(ALICE, si(1), 0);
    f.store.abort(ALICE, si(2), 0);
    assertThat(f.store.freeBytes()).isEqualTo(MAX);
  }

  /**
   * A stored share keeps its charge: empty shares closed one after another fill max-space and
   * are then refused, where before they were free once closed (only the inode reserve stopped
   * them). Removing one gives its charge back.
   */
  @Test
  void storedEmptySharesCountTheirChargeAgainstMaxSpace() throws Exception {
    f.limits = new StoreLimits(3 * ShareCharge.MIN_BYTES, RESERVE, 100_000);
    f.crashAndReopen();
    for (int i = 1; i <= 3; i++) {
      f.store.allocate(si(i), List.of(0), 0, ALICE, secrets(i));
      f.store.close(ALICE, si(i), 0);
    }
    assertThat(f.store.usedBytes()).isEqualTo(3 * ShareCharge.MIN_BYTES);
    assertThat(f.store.freeBytes()).isZero();
    assertThatThrownBy(() -> f.store.allocate(si(4), List.of(0), 0, ALICE, secrets(4)))
        .satisfies(e -> assertThat(((StoreException) e).reason()).isEqualTo(Reason.SERVER_FULL))
        .hasMessageContaining("max space");
    f.crashAndReopen(); // the charge is in the database, not only in memory
    assertThat(f.store.usedBytes()).isEqualTo(3 * ShareCharge.MIN_BYTES);
    assertThat(f.leases.ownerBytes(ALICE)).isEqualTo(3 * ShareCharge.MIN_BYTES);
  }

  /** A reservation's bytes move from outstanding to written once, and leave on one release. */
  @Test
  void aReservationCountsWritesUpToItsSizeAndReleasesOnce() throws Exception {
    SpaceBudget budget = new SpaceBudget(new StoreLimits(MAX, RESERVE, 100_000),
        () -> 1L << 30, f.leases);
    SpaceBudget.Reservation r = budget.reserve(1000);
    assertThat(budget.reservedBytes()).isEqualTo(1000);
    assertThat(budget.outstandingBytes()).isEqualTo(1000);
    r.written(400);
    assertThat(budget.outstandingBytes()).isEqualTo(600);
    r.written(300); // never counts down
    assertThat(budget.outstandingBytes()).isEqualTo(600);
    r.written(5000); // never past its size
    assertThat(budget.outstandingBytes()).isZero();
    SpaceBudget.Reservation other = budget.reserve(200);
    r.release();
    assertThat(budget.reservedBytes()).isEqualTo(200);
    assertThat(budget.outstandingBytes()).isEqualTo(200);
    r.release();
    r.written(10_000);
    assertThat(budget.reservedBytes()).isEqualTo(200);
    assertThat(budget.outstandingBytes()).isEqualTo(200);
    other.written(50);
    other.release();
    other.written(200);
    assertThat(budget.reservedBytes()).isZero();
    assertThat(budget.outstandingBytes()).isZero();
  }
}
