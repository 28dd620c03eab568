package org.cairnfs.storage.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.cairnfs.storage.store.StoreFixture.ALICE;
import static org.cairnfs.storage.store.StoreFixture.BOB;
import static org.cairnfs.storage.store.StoreFixture.LEASE;
import static org.cairnfs.storage.store.StoreFixture.charged;
import static org.cairnfs.storage.store.StoreFixture.pattern;
import static org.cairnfs.storage.store.StoreFixture.secrets;
import static org.cairnfs.storage.store.StoreFixture.si;
import static org.cairnfs.storage.store.StoreFixture.slotShare;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.storage.lease.LeaseOwner;
import org.cairnfs.storage.lease.ShareRecord;
import org.cairnfs.storage.share.ShareKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.cairnfs.storage.lease.LeaseDbDamagedException;
import org.junit.jupiter.api.io.TempDir;

/**
 * The crash windows of storage-layout.md section 4, made by hand (a file without its record, a
 * record without its file, a record one slot version ahead), then healed by reopening the store.
 */
class StoreReconciliationTest {
  static final StorageIndex SI = si(1);
  @TempDir Path dbDir;
  StoreFixture f;

  @BeforeEach
  void setUp() throws Exception {
    f = new StoreFixture(dbDir, new StoreLimits(1 << 20, 0, 100_000));
  }

  @AfterEach
  void tearDown() throws Exception {
    f.close();
  }

  private Path placeFile(ShareKey key, byte[] data) throws Exception {
    Path path = f.store.layout().sharePath(key);
    Files.createDirectories(path.getParent());
    return Files.write(path, data);
  }

  /**
   * Bytes overwritten inside a stored record pass SQLite's page check; the start reads every
   * record and refuses with the damage and its recovery steps (not a raw decoding exception), and
   * the share files are untouched.
   */
  @Test
  void aRecordThatDoesNotDecodeRefusesTheStartAsDamageNamingTheDatabase() throws Exception {
    f.upload(SI, 0, pattern(50, 1), ALICE);
    f.store.close();
    f.leases.close();
    Path db = dbDir.resolve("leases.db");
    try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + db);
        java.sql.Statement st = c.createStatement()) {
      assertThat(st.executeUpdate("UPDATE shares SET record = x'ffffffffffffffff'")).isEqualTo(1);
    }
    assertThatThrownBy(f::open).isInstanceOf(LeaseDbDamagedException.class)
        .hasMessageContaining(db.toString()).hasMessageContaining("does not decode")
        .hasMessageContaining("To recover");
    f.leases.close(); // the store refused; its lease database stayed open
    assertThat(f.store.layout().sharePath(ShareKey.immutable(SI, 0))).hasSize(50);
  }

  @Test
  void shareFilesWithoutRecordAreCountedAndLeasedToRecoveredForOneLeasePeriod() throws Exception {
    f.upload(SI, 0, pattern(50, 1), ALICE);
    ShareKey orphan = ShareKey.immutable(SI, 3);
    ShareKey orphanSlot = ShareKey.mutable(si(2), 5);
    placeFile(orphan, pattern(77, 2));
    placeFile(orphanSlot, slotShare(4, 30));
    long freeBefore = f.store.freeBytes();
    assertThat(f.store.usedBytes()).as("before reconciling").isEqualTo(charged(50));

    f.crashAndReopen();

    assertThat(f.store.usedBytes()).isEqualTo(charged(50, 77, 30));
    assertThat(f.store.freeBytes()).isEqualTo(freeBefore - charged(77, 30));
    assertThat(f.store.ownerBytes(LeaseOwner.RECOVERED)).isEqualTo(charged(77, 30));
    assertThat(f.store.ownerBytes(ALICE)).isEqualTo(charged(50));
    ShareRecord record = f.leases.find(orphan).orElseThrow();
    assertThat(record.size()).isEqualTo(77);
    assertThat(record.seqnum()).isEqualTo(ShareRecord.NO_SEQNUM);
    assertThat(f.leases.find(orphanSlot).orElseThrow().seqnum()).isEqualTo(4);
    assertThat(record.leases()).singleElement().satisfies(lease -> {
      assertThat(lease.owner()).isEqualTo(LeaseOwner.RECOVERED);
      assertThat(lease.expiry()).isEqualTo(f.clock.instant().plus(LEASE));
    });
    assertThat(f.store.read(orphan, 0, 100)).isEqualTo(pattern(77, 2));
    assertThat(f.store.heldShares(SI)).containsExactly(0, 3);

    // The collector keeps it for the lease period, then deletes it and its accounting.
    assertThat(f.store.collectIfExpired(orphan)).isFalse();
    f.clock.advance(LEASE.plus(Duration.ofSeconds(1)));
    assertThat(f.store.collectIfExpired(orphan)).isTrue();
    assertThat(f.store.ownerBytes(LeaseOwner.RECOVERED)).isEqualTo(charged(30));
  }

  @Test
  void theUploaderRetryingAddsItsOwnLeaseToTheAdoptedShare() throws Exception {
    ShareKey orphan = ShareKey.immutable(SI, 3);
    placeFile(orphan, pattern(77, 2));
    f.crashAndReopen();
    Allocation retry = f.store.allocate(SI, java.util.List.of(3), 77, BOB, secrets(3));
    assertThat(retry.alreadyHeld()).containsExactly(3);
    assertThat(f.store.usedBytes()).as("counted once").isEqualTo(charged(77));
    assertThat(f.store.ownerBytes(BOB)).isEqualTo(charged(77));
    assertThat(f.leases.find(orphan).orElseThrow().owners())
        .containsExactly(LeaseOwner.RECOVERED, BOB);
  }

  @Test
  void recordsWithoutFilesAreDroppedAndTheirSpaceReleased() throws Exception {
    f.upload(SI, 0, pattern(50, 1), ALICE);
    ShareKey ghost = ShareKey.immutable(SI, 7);
    ShareKey ghostSlot = ShareKey.mutable(si(3), 0); // first slot version: commit, no rename
    f.leases.recordShare(ghost, 500, ShareRecord.NO_SEQNUM, BOB, secrets(1));
    f.leases.recordShare(ghostSlot, 300, 9, BOB, f.leases.implicitSecrets(BOB));
    long freeBefore = f.store.freeBytes();
    assertThat(f.store.usedBytes()).isEqualTo(charged(50, 500, 300));

    f.crashAndReopen();

    assertThat(f.leases.find(ghost)).isEmpty();
    assertThat(f.leases.find(ghostSlot)).isEmpty();
    assertThat(f.store.usedBytes()).isEqualTo(charged(50));
    assertThat(f.store.freeBytes()).isEqualTo(freeBefore + charged(500, 300));
    assertThat(f.store.ownerBytes(BOB)).isZero();
    assertThat(f.store.ownerBytes(ALICE)).isEqualTo(charged(50));
    assertThat(f.store.read(ShareKey.immutable(SI, 0), 0, 50)).isEqualTo(pattern(50, 1));
    // The slot is empty again: a first version can be written.
    assertThat(f.store.writeSlotShare(si(3), 0, slotShare(1, 40), ALICE, secrets(1))).isEqualTo(1);
  }

  @Test
  void aSlotRecordAheadOfItsFileIsSizedToTheFileAndKeepsItsSeqnum() throws Exception {
    ShareKey slot = ShareKey.mutable(SI, 0);
    f.store.writeSlotShare(SI, 0, slotShare(1, 100), ALICE, secrets(1));
    // Version 2 (150 bytes) committed, crash before its rename.
    f.leases.recordShare(slot, 150, 2, ALICE, f.leases.implicitSecrets(ALICE));
    assertThat(f.store.usedBytes()).isEqualTo(charged(150));

    f.crashAndReopen();

    ShareRecord record = f.leases.find(slot).orElseThrow();
    assertThat(record.size()).isEqualTo(100);
    assertThat(record.seqnum()).as("never below the version on disk").isEqualTo(2);
    assertThat(f.store.usedBytes()).isEqualTo(charged(100));
    assertThat(f.store.ownerBytes(ALICE)).isEqualTo(charged(100));
    assertThat(f.store.read(slot, 0, 200)).isEqualTo(slotShare(1, 100));
  }

  @Test
  void aConsistentStoreIsLeftAlone() throws Exception {
    f.upload(SI, 0, pattern(50, 1), ALICE);
    f.upload(si(9), 2, pattern(60, 2), BOB);
    f.store.writeSlotShare(si(4), 1, slotShare(3, 70), ALICE, secrets(1));
    StoreReconciliation.Result result =
        StoreReconciliation.run(f.store.layout(), f.leases, StoreFixture.FAKE_CHECK);
    assertThat(result).isEqualTo(new StoreReconciliation.Result(0, 0, 0, 0, 0));
    assertThat(result.changedAnything()).isFalse();
    assertThat(f.store.usedBytes()).isEqualTo(charged(50, 60, 70));
  }

  @Test
  void recordsAreVisitedInPagesAcrossDroppedKeys() throws Exception {
    for (int n = 0; n < 7; n++) {
      f.upload(SI, n, pattern(10 + n, n), ALICE);
    }
    for (int n = 10; n < 17; n++) {
      f.leases.recordShare(ShareKey.immutable(SI, n), 1000, ShareRecord.NO_SEQNUM, ALICE, secrets(1));
    }
    Files.write(f.store.layout().sharePath(ShareKey.immutable(SI, 3)), new byte[5]); // resized
    StoreReconciliation.Result result =
        StoreReconciliation.run(f.store.layout(), f.leases, StoreFixture.FAKE_CHECK, 2);
    assertThat(result).isEqualTo(new StoreReconciliation.Result(0, 0, 7, 7000, 1));
    assertThat(f.store.usedBytes()).isEqualTo(charged(10, 11, 12, 5, 14, 15, 16));
  }

  @Test
  void strayEntriesInTheShareTreeAreIgnored() throws Exception {
    Path indexDir = f.store.layout().sharePath(ShareKey.immutable(SI, 0)).getParent();
    Files.createDirectories(indexDir.resolve("4")); // a directory named like a share
    Files.write(indexDir.resolve("junk.txt"), new byte[9]);
    Path prefix = indexDir.getParent();
    Files.write(prefix.resolve(si(1).toString().substring(0, 2) + "a".repeat(24)), new byte[3]);
    f.crashAndReopen();
    assertThat(f.store.usedBytes()).isZero();
  }

  @Test
  void anAdoptedSlotShareKeepsItsSignedSeqnumSoAnOlderVersionIsStale() throws Exception {
    ShareKey slot = ShareKey.mutable(SI, 1);
    f.store.writeSlotShare(SI, 1, slotShare(7, 60), ALICE, secrets(1));
    // The collector's crash window: record removed, file not yet deleted.
    f.leases.removeShare(slot);

    f.crashAndReopen();

    assertThat(f.leases.find(slot).orElseThrow().seqnum()).isEqualTo(7);
    assertThat(f.store.slotSeqnum(slot)).hasValue(7);
    assertThatThrownBy(() -> f.store.writeSlotShare(SI, 1, slotShare(5, 60), BOB, secrets(2)))
        .hasMessageContaining("not above 7")
        .isInstanceOfSatisfying(StoreException.class,
            e -> assertThat(e.reason()).isEqualTo(StoreException.Reason.REJECTED));
    assertThat(f.store.read(slot, 0, 100)).isEqualTo(slotShare(7, 60));
    assertThat(f.store.writeSlotShare(SI, 1, slotShare(8, 60), ALICE, secrets(1))).isEqualTo(8);
  }

  @Test
  void aSlotShareAdoptedByAddLeaseKeepsItsSignedSeqnum() throws Exception {
    ShareKey slot = ShareKey.mutable(SI, 4);
    placeFile(slot, slotShare(7, 40)); // appears after start-up reconciliation ran

    assertThat(f.store.addLease(SI, BOB, secrets(2)).shares()).isEqualTo(1);

    assertThat(f.leases.find(slot).orElseThrow().seqnum()).isEqualTo(7);
    assertThatThrownBy(() -> f.store.writeSlotShare(SI, 4, slotShare(6, 40), BOB, secrets(2)))
        .hasMessageContaining("not above 7");
  }

  @Test
  void aSlotShareFailingTheCheckIsAdoptedWithoutSeqnum() throws Exception {
    ShareKey slot = ShareKey.mutable(SI, 2);
    byte[] damaged = slotShare(9, 40);
    damaged[0] = (byte) 0xEE; // the fake check's "bad signature"
    placeFile(slot, damaged);

    f.crashAndReopen();

    ShareRecord record = f.leases.find(slot).orElseThrow();
    assertThat(record.seqnum()).isEqualTo(ShareRecord.NO_SEQNUM);
    assertThat(record.size()).isEqualTo(40);
    assertThat(f.store.writeSlotShare(SI, 2, slotShare(3, 40), ALICE, secrets(1))).isEqualTo(3);
  }

  @Test
  void theResultCountsWhatWasAdoptedAndAnyOneKindOfChangeCounts() throws Exception {
    placeFile(ShareKey.immutable(SI, 3), pattern(77, 2));
    placeFile(ShareKey.immutable(SI, 4), pattern(23, 2));
    Files.createDirectories(f.store.layout().sharePath(ShareKey.immutable(SI, 5)));
    StoreReconciliation.Result adopted =
        StoreReconciliation.run(f.store.layout(), f.leases, StoreFixture.FAKE_CHECK);
    assertThat(adopted).isEqualTo(new StoreReconciliation.Result(2, 100, 0, 0, 0));
    assertThat(adopted.changedAnything()).isTrue();
    assertThat(new StoreReconciliation.Result(0, 0, 1, 5, 0).changedAnything()).isTrue();
    assertThat(new StoreReconciliation.Result(0, 0, 0, 0, 1).changedAnything()).isTrue();
  }

  @Test
  void anEmptyShareIsKeptNotDropped() throws Exception {
    f.store.allocate(SI, java.util.List.of(0), 0, ALICE, secrets(1));
    f.store.close(ALICE, SI, 0);
    f.crashAndReopen();
    assertThat(f.leases.find(ShareKey.immutable(SI, 0))).isPresent();
    assertThat(f.store.heldShares(SI)).containsExactly(0);
  }
}
