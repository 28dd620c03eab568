package org.cairnfs.storage.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.cairnfs.storage.store.StoreFixture.ALICE;
import static org.cairnfs.storage.store.StoreFixture.BOB;
import static org.cairnfs.storage.store.StoreFixture.filled;
import static org.cairnfs.storage.store.StoreFixture.pattern;
import static org.cairnfs.storage.store.StoreFixture.secrets;
import static org.cairnfs.storage.store.StoreFixture.si;
import static org.cairnfs.storage.store.StoreFixture.slotShare;

import java.nio.file.Path;
import java.util.List;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.storage.lease.LeaseDb;
import org.cairnfs.storage.lease.LeaseOwner;
import org.cairnfs.storage.lease.ShareCharge;
import org.cairnfs.storage.lease.ShareRecord;
import org.cairnfs.storage.share.ShareKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lease-slot exhaustion: whoever knows a storage index may add leases from many node ids, but
 * that must neither block another owner's re-upload of a held share or new slot version, nor
 * push out a lease already held.
 */
class HeldShareLeasesTest {
  static final StorageIndex SI = si(3);
  static final LeaseOwner CAROL = LeaseOwner.of(filled(32, 0xc));
  @TempDir Path dbDir;
  StoreFixture f;

  @BeforeEach
  void setUp() throws Exception {
    f = new StoreFixture(dbDir, StoreLimits.unlimited());
  }

  @AfterEach
  void tearDown() throws Exception {
    f.close();
  }

  static LeaseOwner randomOwner(int i) {
    byte[] id = filled(32, 0x77);
    id[0] = (byte) i;
    id[1] = (byte) (i >> 8);
    return LeaseOwner.of(id);
  }

  /** ADD_LEASE from {@code count} distinct owners with distinct secrets. */
  void addLeasesFromStrangers(int count) throws Exception {
    for (int i = 0; i < count; i++) {
      assertThat(f.store.addLease(SI, randomOwner(i), secrets(1000 + i)).shares()).isEqualTo(1);
    }
  }

  @Test
  void manyStrangersLeasesDoNotBlockAnotherOwnersAllocateOfTheHeldShare() throws Exception {
    f.upload(SI, 0, pattern(100, 1), ALICE);
    addLeasesFromStrangers(ShareRecord.MAX_LEASES);

    Allocation allocation = f.store.allocate(SI, List.of(0, 1), 100, CAROL, secrets(7));

    assertThat(allocation.alreadyHeld()).containsExactly(0);
    assertThat(allocation.allocated()).containsExactly(1);
    ShareRecord record = f.leases.find(ShareKey.immutable(SI, 0)).orElseThrow();
    assertThat(record.leases()).hasSize(ShareRecord.MAX_LEASES);
    assertThat(record.owners()).as("the uploader's lease was not pushed out")
        .contains(ALICE, LeaseOwner.OVERFLOW);
    assertThat(f.store.addLease(SI, BOB, secrets(9)).shares()).as("an explicit add is not refused")
        .isEqualTo(1);
  }

  @Test
  void onADiskAtItsReserveNewOwnersRenewTheOverflowLeaseInsteadOfGrowingTheDatabase()
      throws Exception {
    f.upload(SI, 0, pattern(100, 1), ALICE);
    ShareKey key = ShareKey.immutable(SI, 0);
    f.freeBytes = HeldShareLeases.NEW_LEASE_BYTES - 1;

    addLeasesFromStrangers(20);
    Allocation allocation = f.store.allocate(SI, List.of(0), 100, CAROL, secrets(7));

    assertThat(allocation.alreadyHeld()).containsExactly(0);
    ShareRecord record = f.leases.find(key).orElseThrow();
    assertThat(record.owners()).as("the share is kept, by the overflow lease")
        .containsExactlyInAnyOrder(ALICE, LeaseOwner.OVERFLOW);
    assertThat(f.store.addLease(SI, ALICE, secrets(2)).shares()).as("a held lease still renews")
        .isEqualTo(1);
    assertThat(f.leases.find(key).orElseThrow().leases()).hasSize(2);

    f.freeBytes = HeldShareLeases.NEW_LEASE_BYTES;
    assertThat(f.store.addLease(SI, BOB, secrets(9)).shares()).isEqualTo(1);
    assertThat(f.leases.find(key).orElseThrow().owners()).as("room again: a lease of its own")
        .contains(BOB);
  }

  @Test
  void manyStrangersLeasesDoNotBlockANewSlotVersion() throws Exception {
    ShareKey slot = ShareKey.mutable(SI, 2);
    assertThat(f.store.writeSlotShare(SI, 2, slotShare(1, 80), ALICE, secrets(1))).isEqualTo(1);
    addLeasesFromStrangers(ShareRecord.MAX_LEASES);

    assertThat(f.store.writeSlotShare(SI, 2, slotShare(2, 90), CAROL, secrets(2))).isEqualTo(2);
    assertThat(f.store.read(slot, 0, 1000)).isEqualTo(slotShare(2, 90));
    ShareRecord record = f.leases.find(slot).orElseThrow();
    assertThat(record.seqnum()).isEqualTo(2);
    assertThat(record.size()).isEqualTo(90);
    assertThat(f.store.writeSlotShare(SI, 2, slotShare(3, 90), ALICE, secrets(1)))
        .as("the writer holding a lease renews it").isEqualTo(3);
  }

  @Test
  void oneOwnerAddingManyLeasesHoldsOneSlot() throws Exception {
    f.upload(SI, 0, pattern(100, 1), ALICE);
    for (int i = 0; i < 2 * ShareRecord.MAX_LEASES; i++) {
      f.store.addLease(SI, BOB, secrets(1000 + i));
    }
    assertThat(f.leases.find(ShareKey.immutable(SI, 0)).orElseThrow().leases())
        .extracting(l -> l.owner()).containsExactly(ALICE, BOB);
    assertThat(f.store.ownerBytes(BOB)).isEqualTo(ShareCharge.of(100));
  }

  @Test
  void expiredLeasesFreeTheirSlots() throws Exception {
    f.upload(SI, 0, pattern(100, 1), ALICE);
    addLeasesFromStrangers(LeaseDb.OWNER_SLOTS - 1);
    f.clock.advance(StoreFixture.LEASE);
    f.store.allocate(SI, List.of(0), 100, CAROL, secrets(7));
    assertThat(f.leases.find(ShareKey.immutable(SI, 0)).orElseThrow().owners())
        .containsExactly(CAROL);
    assertThat(f.store.ownerBytes(randomOwner(0))).isZero();
    assertThat(f.store.ownerBytes(CAROL)).isEqualTo(ShareCharge.of(100));
  }
}
