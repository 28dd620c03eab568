package org.cairnfs.storage.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.stream.Stream;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.storage.FakeClock;
import org.cairnfs.storage.share.ShareKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LeaseDbTest {
  /**
   * Share sizes in this class are multiples of U: above {@link ShareCharge#MIN_BYTES}, so each
   * share is charged exactly its size and the accounting's moves stay visible.
   */
  static final long U = 10_000;
  static final Duration DAYS_31 = Duration.ofDays(31);
  static final ShareKey KEY = ShareKey.immutable(StorageIndex.of(filled(16, 1)), 3);
  static final ShareKey OTHER = ShareKey.mutable(StorageIndex.of(filled(16, 2)), 0);
  static final LeaseOwner ALICE = LeaseOwner.of(filled(32, 0xa));
  static final LeaseOwner BOB = LeaseOwner.of(filled(32, 0xb));

  @TempDir Path dir;
  final FakeClock clock = new FakeClock();
  LeaseDb db;

  static byte[] filled(int n, int v) {
    byte[] b = new byte[n];
    Arrays.fill(b, (byte) v);
    return b;
  }

  static LeaseSecrets secrets(int v) {
    return LeaseSecrets.of(filled(32, v), filled(32, v + 100));
  }

  LeaseDb open() throws Exception {
    return LeaseDb.open(dir.resolve("leases.db"), clock, DAYS_31);
  }

  @AfterEach
  void close() {
    if (db != null) {
      db.close();
    }
  }

  @Test
  void recordShareAddsALeaseForTheLeaseDuration() throws Exception {
    db = open();
    db.recordShare(KEY, U * 500, ShareRecord.NO_SEQNUM, ALICE, secrets(1));
    ShareRecord record = db.find(KEY).orElseThrow();
    assertThat(record.size()).isEqualTo(U * 500);
    assertThat(record.leases()).singleElement()
        .satisfies(l -> assertThat(l.expiry()).isEqualTo(clock.instant().plus(DAYS_31)))
        .satisfies(l -> assertThat(l.owner()).isEqualTo(ALICE));
  }

  @Test
  void storesOnlyHashesOfSecrets() throws Exception {
    db = open();
    db.recordShare(KEY, U * 1, ShareRecord.NO_SEQNUM, ALICE, secrets(1));
    Lease lease = db.find(KEY).orElseThrow().leases().get(0);
    assertThat(lease.renewHash()).isNotEqualTo(filled(32, 1))
        .isEqualTo(LeaseSecrets.hash(filled(32, 1), "renew"));
  }

  @Test
  void renewExtendsOnlyTheMatchingLease() throws Exception {
    db = open();
    db.recordShare(KEY, U * 10, ShareRecord.NO_SEQNUM, ALICE, secrets(1));
    clock.advance(Duration.ofDays(1));
    db.addLease(KEY, BOB, secrets(2));
    clock.advance(Duration.ofDays(10));
    assertThat(db.renewLease(KEY, filled(32, 1))).isTrue();
    assertThat(db.find(KEY).orElseThrow().leases())
        .extracting(Lease::expiry)
        .containsExactly(clock.instant().plus(DAYS_31),
            clock.instant().minus(Duration.ofDays(10)).plus(DAYS_31));
    assertThat(db.renewLease(KEY, filled(32, 9))).isFalse();
    assertThat(db.renewLease(OTHER, filled(32, 1))).isFalse();
  }

  @Test
  void addingTheSameLeaseTwiceRenewsIt() throws Exception {
    db = open();
    db.recordShare(KEY, U * 10, ShareRecord.NO_SEQNUM, ALICE, secrets(1));
    clock.advance(Duration.ofDays(3));
    assertThat(db.addLease(KEY, ALICE, secrets(1))).isTrue();
    assertThat(db.find(KEY).orElseThrow().leases()).singleElement()
        .satisfies(l -> assertThat(l.expiry()).isEqualTo(clock.instant().plus(DAYS_31)));
    assertThat(db.ownerBytes(ALICE)).isEqualTo(U * 10);
  }

  @Test
  void addLeaseOnUnknownShareSaysSo() throws Exception {
    db = open();
    assertThat(db.addLease(KEY, ALICE, secrets(1))).isFalse();
  }

  static LeaseOwner owner(int i) {
    byte[] id = filled(32, 0x55);
    id[0] = (byte) i;
    id[1] = (byte) (i >> 8);
    return LeaseOwner.of(id);
  }

  /** Fills every owner slot of KEY with a lease of a distinct owner (owner(0) records it). */
  void fillOwnerSlots() throws Exception {
    db.recordShare(KEY, U * 10, ShareRecord.NO_SEQNUM, owner(0), secrets(0));
    for (int i = 1; i < LeaseDb.OWNER_SLOTS; i++) {
      assertThat(db.addLease(KEY, owner(i), secrets(i))).isTrue();
    }
    assertThat(db.find(KEY).orElseThrow().leases()).hasSize(LeaseDb.OWNER_SLOTS);
  }

  @Test
  void sameOwnerReAddingWithOtherSecretsKeepsOneLease() throws Exception {
    db = open();
    db.recordShare(KEY, U * 10, ShareRecord.NO_SEQNUM, ALICE, secrets(0));
    for (int i = 1; i < 2 * ShareRecord.MAX_LEASES; i++) {
      assertThat(db.addLease(KEY, ALICE, secrets(i))).isTrue();
    }
    assertThat(db.find(KEY).orElseThrow().leases()).singleElement()
        .satisfies(l -> assertThat(l.owner()).isEqualTo(ALICE));
    assertThat(db.ownerBytes(ALICE)).isEqualTo(U * 10);
    assertThat(db.renewLease(KEY, filled(32, 2 * ShareRecord.MAX_LEASES - 1)))
        .as("the latest client secrets replace the older ones").isTrue();
    assertThat(db.renewLease(KEY, filled(32, 0))).isFalse();
    assertThat(db.addLease(KEY, BOB, secrets(300))).isTrue();
    assertThat(db.find(KEY).orElseThrow().owners()).containsExactly(ALICE, BOB);
  }

  @Test
  void implicitSecretsRenewTheOwnersLeaseWithoutReplacingItsClientSecrets() throws Exception {
    db = open();
    db.recordShare(OTHER, U * 10, 1, ALICE, secrets(1));
    clock.advance(Duration.ofDays(5));
    db.recordShare(OTHER, U * 12, 2, ALICE, db.implicitSecrets(ALICE));
    assertThat(db.find(OTHER).orElseThrow().leases()).singleElement()
        .satisfies(l -> assertThat(l.expiry()).isEqualTo(clock.instant().plus(DAYS_31)));
    assertThat(db.renewLease(OTHER, filled(32, 1))).isTrue();
  }

  @Test
  void expiredLeasesArePrunedBeforeCounting() throws Exception {
    db = open();
    fillOwnerSlots();
    clock.advance(DAYS_31);
    assertThat(db.ownerBytes(owner(1))).isEqualTo(U * 10);
    assertThat(db.addLease(KEY, BOB, secrets(200))).isTrue();
    ShareRecord record = db.find(KEY).orElseThrow();
    assertThat(record.leases()).singleElement()
        .satisfies(l -> assertThat(l.owner()).isEqualTo(BOB));
    assertThat(db.ownerBytes(owner(1))).as("pruned owners are uncharged").isZero();
    assertThat(db.ownerBytes(BOB)).isEqualTo(U * 10);
  }

  @Test
  void aFullShareRenewsTheOverflowLeaseInsteadOfRefusingOrEvicting() throws Exception {
    db = open();
    fillOwnerSlots();
    clock.advance(Duration.ofDays(10));
    assertThat(db.addLease(KEY, BOB, secrets(200))).isTrue();
    assertThat(db.addLease(KEY, ALICE, secrets(201))).isTrue();
    ShareRecord record = db.find(KEY).orElseThrow();
    assertThat(record.leases()).hasSize(ShareRecord.MAX_LEASES);
    assertThat(record.owners()).doesNotContain(BOB, ALICE).contains(owner(0), LeaseOwner.OVERFLOW);
    assertThat(record.leases()).filteredOn(l -> l.owner().equals(LeaseOwner.OVERFLOW))
        .singleElement()
        .satisfies(l -> assertThat(l.expiry()).isEqualTo(clock.instant().plus(DAYS_31)));
    assertThat(db.ownerBytes(BOB)).isZero();
    // A slot version is recorded all the same, and an owner with a lease still renews it.
    db.recordShare(KEY, U * 20, 4, BOB, secrets(200));
    assertThat(db.find(KEY).orElseThrow().size()).isEqualTo(U * 20);
    assertThat(db.find(KEY).orElseThrow().seqnum()).isEqualTo(4);
    assertThat(db.addLease(KEY, owner(3), secrets(3))).isTrue();
    assertThat(db.find(KEY).orElseThrow().leases())
        .filteredOn(l -> l.owner().equals(owner(3))).singleElement()
        .satisfies(l -> assertThat(l.expiry()).isEqualTo(clock.instant().plus(DAYS_31)));
    // Once owner leases run out, a new owner gets a slot of its own again.
    clock.advance(Duration.ofDays(25));
    assertThat(db.addLease(KEY, BOB, secrets(200))).isTrue();
    assertThat(db.find(KEY).orElseThrow().owners())
        .containsExactlyInAnyOrder(owner(3), LeaseOwner.OVERFLOW, BOB);
  }

  @Test
  void expiryDropsOnlyExpiredLeasesAndUnchargesTheirOwners() throws Exception {
    db = open();
    db.recordShare(KEY, U * 100, ShareRecord.NO_SEQNUM, ALICE, secrets(1));
    clock.advance(Duration.ofDays(20));
    db.addLease(KEY, BOB, secrets(2));
    clock.advance(Duration.ofDays(11));
    assertThat(db.dropExpiredLeases(KEY)).isEqualTo(LeaseDb.Expiry.LIVE);
    assertThat(db.ownerBytes(ALICE)).isZero();
    assertThat(db.ownerBytes(BOB)).isEqualTo(U * 100);
    clock.advance(Duration.ofDays(20));
    assertThat(db.dropExpiredLeases(KEY)).isEqualTo(LeaseDb.Expiry.ALL_EXPIRED);
    assertThat(db.dropExpiredLeases(OTHER)).isEqualTo(LeaseDb.Expiry.NO_RECORD);
    db.removeShare(KEY);
    assertThat(db.find(KEY)).isEmpty();
    assertThat(db.totalShareBytes()).isZero();
    assertThat(db.ownerBytes(BOB)).isZero();
  }

  @Test
  void accountingChargesEachOwnerOncePerShare() throws Exception {
    db = open();
    db.recordShare(KEY, U * 100, ShareRecord.NO_SEQNUM, ALICE, secrets(1));
    db.addLease(KEY, ALICE, secrets(2));
    db.addLease(KEY, BOB, secrets(3));
    db.recordShare(OTHER, U * 40, 1, ALICE, secrets(4));
    assertThat(db.totalShareBytes()).isEqualTo(U * 140);
    assertThat(db.ownerBytes(ALICE)).isEqualTo(U * 140);
    assertThat(db.ownerBytes(BOB)).isEqualTo(U * 100);
    db.recordShare(OTHER, U * 25, 2, ALICE, secrets(4));
    assertThat(db.totalShareBytes()).isEqualTo(U * 125);
    assertThat(db.ownerBytes(ALICE)).isEqualTo(U * 125);
  }

  @Test
  void survivesCloseAndReopen() throws Exception {
    db = open();
    db.recordShare(KEY, U * 100, ShareRecord.NO_SEQNUM, ALICE, secrets(1));
    db.close();
    db = open();
    assertThat(db.find(KEY)).isPresent();
    assertThat(db.totalShareBytes()).isEqualTo(U * 100);
    assertThat(db.ownerBytes(ALICE)).isEqualTo(U * 100);
    assertThat(db.renewLease(KEY, filled(32, 1))).isTrue();
  }

  @Test
  void committedOperationsSurviveAnUncleanStop() throws Exception {
    db = open();
    db.recordShare(KEY, U * 100, ShareRecord.NO_SEQNUM, ALICE, secrets(1));
    db.recordShare(OTHER, U * 7, 3, BOB, secrets(2));
    // Snapshot the files as a kill -9 would leave them: the database is never closed.
    Path crashed = Files.createDirectory(dir.resolve("crashed"));
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        Files.copy(f, crashed.resolve(f.getFileName()));
      }
    }
    try (LeaseDb reopened = LeaseDb.open(crashed.resolve("leases.db"), clock, DAYS_31)) {
      assertThat(reopened.find(KEY).orElseThrow().size()).isEqualTo(U * 100);
      assertThat(reopened.find(OTHER).orElseThrow().seqnum()).isEqualTo(3);
      assertThat(reopened.totalShareBytes()).isEqualTo(U * 107);
      assertThat(reopened.ownerBytes(BOB)).isEqualTo(U * 7);
    }
  }

  @Test
  void resizeShareMovesTheAccountingAndKeepsSeqnumAndLeases() throws Exception {
    db = open();
    db.recordShare(OTHER, U * 150, 2, ALICE, secrets(1));
    db.addLease(OTHER, BOB, secrets(2));
    assertThat(db.resizeShare(OTHER, U * 100)).isTrue();
    ShareRecord record = db.find(OTHER).orElseThrow();
    assertThat(record.size()).isEqualTo(U * 100);
    assertThat(record.seqnum()).isEqualTo(2);
    assertThat(record.owners()).containsExactly(ALICE, BOB);
    assertThat(db.totalShareBytes()).isEqualTo(U * 100);
    assertThat(db.ownerBytes(ALICE)).isEqualTo(U * 100);
    assertThat(db.ownerBytes(BOB)).isEqualTo(U * 100);
    assertThat(db.resizeShare(KEY, U * 5)).as("not recorded").isFalse();
    assertThat(db.totalShareBytes()).isEqualTo(U * 100);
  }

  @Test
  void recordedKeysPagesThroughEveryRecordInOrder() throws Exception {
    db = open();
    java.util.List<ShareKey> all = new java.util.ArrayList<>();
    for (int n = 0; n < 5; n++) {
      ShareKey key = ShareKey.immutable(StorageIndex.of(filled(16, 1)), n);
      db.recordShare(key, U * 1, ShareRecord.NO_SEQNUM, ALICE, secrets(1));
      all.add(key);
    }
    db.recordShare(OTHER, U * 1, 0, ALICE, secrets(1));
    all.add(OTHER);
    java.util.List<ShareKey> seen = new java.util.ArrayList<>();
    ShareKey after = null;
    java.util.List<ShareKey> page;
    while (!(page = db.recordedKeys(after, 2)).isEmpty()) {
      assertThat(page.size()).isLessThanOrEqualTo(2);
      seen.addAll(page);
      after = page.get(page.size() - 1);
      db.removeShare(after); // removing the cursor key does not disturb the walk
    }
    assertThat(seen).containsExactlyElementsOf(all);
    assertThatThrownBy(() -> db.recordedKeys(null, 0)).hasMessageContaining("0");
  }

  /**
   * The overflow lease does not take an owner's slot: with it and OWNER_SLOTS - 1 owners on a
   * share, one more owner still gets a lease of its own (renewable and cancellable by it).
   */
  @Test
  void theOverflowLeaseDoesNotCountAgainstTheOwnerSlots() throws Exception {
    db = open();
    db.recordShare(KEY, U * 10, ShareRecord.NO_SEQNUM, owner(0), secrets(1));
    clock.advance(Duration.ofDays(1));
    for (int i = 1; i <= LeaseDb.OWNER_SLOTS; i++) { // the last one finds the slots full
      assertThat(db.addLease(KEY, owner(i), secrets(1))).isTrue();
    }
    assertThat(db.find(KEY).orElseThrow().leases()).hasSize(ShareRecord.MAX_LEASES)
        .anySatisfy(l -> assertThat(l.owner()).isEqualTo(LeaseOwner.OVERFLOW))
        .noneSatisfy(l -> assertThat(l.owner()).isEqualTo(owner(LeaseDb.OWNER_SLOTS)));
    clock.advance(DAYS_31.minus(Duration.ofHours(12))); // owner 0's lease alone has run out
    assertThat(db.dropExpiredLeases(KEY)).isEqualTo(LeaseDb.Expiry.LIVE);
    assertThat(db.find(KEY).orElseThrow().leases()).hasSize(ShareRecord.MAX_LEASES - 1);

    assertThat(db.addLease(KEY, owner(LeaseDb.OWNER_SLOTS), secrets(1))).isTrue();
    assertThat(db.find(KEY).orElseThrow().leases())
        .anySatisfy(l -> assertThat(l.owner()).isEqualTo(owner(LeaseDb.OWNER_SLOTS)));
  }
}
