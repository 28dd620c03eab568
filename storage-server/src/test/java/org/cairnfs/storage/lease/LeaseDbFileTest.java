package org.cairnfs.storage.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.storage.FakeClock;
import org.cairnfs.storage.share.ShareKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mapdb.DB;
import org.mapdb.DBMaker;
import org.mapdb.Serializer;

/** The lease database as a file: its schema, its private salt, what a restart keeps. */
class LeaseDbFileTest {
  static final Duration DAYS_31 = Duration.ofDays(31);
  static final ShareKey KEY = ShareKey.immutable(StorageIndex.of(filled(16, 1)), 0);
  @TempDir Path dir;
  final FakeClock clock = new FakeClock();

  static byte[] filled(int n, int v) {
    byte[] b = new byte[n];
    Arrays.fill(b, (byte) v);
    return b;
  }

  static LeaseOwner owner(int i) {
    byte[] id = filled(32, 0x77);
    id[0] = (byte) i;
    return LeaseOwner.of(id);
  }

  LeaseDb open(String name) throws Exception {
    return LeaseDb.open(dir.resolve(name), clock, DAYS_31);
  }

  DB raw(String name) {
    return DBMaker.fileDB(dir.resolve(name).toFile()).transactionEnable().make();
  }

  @Test
  void aLeaseDurationMustBePositive() {
    assertThatThrownBy(() -> LeaseDb.open(dir.resolve("a"), clock, Duration.ZERO))
        .hasMessageContaining("lease duration");
    assertThatThrownBy(() -> LeaseDb.open(dir.resolve("a"), clock, Duration.ofSeconds(-1)))
        .hasMessageContaining("lease duration");
  }

  @Test
  void aNewFileRecordsItsSchema() throws Exception {
    try (LeaseDb db = open("a.db")) {
      assertThat(db.leaseDuration()).isEqualTo(DAYS_31);
      assertThat(db.clock()).isSameAs(clock);
    }
    DB raw = raw("a.db");
    try {
      assertThat(raw.atomicString("schema").createOrOpen().get()).isEqualTo(LeaseDb.SCHEMA);
    } finally {
      raw.close();
    }
  }

  @Test
  void anUnreadableFileIsAnIoErrorNamingIt() throws Exception {
    java.nio.file.Files.writeString(dir.resolve("junk.db"), "not a database at all, "
        + "just some text that is long enough to be read as a header");
    assertThatThrownBy(() -> open("junk.db")).isInstanceOf(LeaseDbDamagedException.class)
        .hasMessageContaining("junk.db");
  }

  @Test
  void implicitSecretsArePerOwnerPerUsePerDatabaseAndSurviveARestart() throws Exception {
    LeaseSecrets alice;
    LeaseSecrets bob;
    try (LeaseDb db = open("a.db")) {
      alice = db.implicitSecrets(owner(1));
      bob = db.implicitSecrets(owner(2));
    }
    assertThat(alice.renewHash()).isNotEqualTo(alice.cancelHash());
    assertThat(alice.renewHash()).isNotEqualTo(bob.renewHash());
    try (LeaseDb again = open("a.db")) {
      assertThat(again.implicitSecrets(owner(1)).renewHash()).isEqualTo(alice.renewHash());
      assertThat(again.implicitSecrets(owner(1)).cancelHash()).isEqualTo(alice.cancelHash());
    }
    try (LeaseDb other = open("b.db")) {
      assertThat(other.implicitSecrets(owner(1)).renewHash()).isNotEqualTo(alice.renewHash());
    }
  }

  /**
   * A record written before the overflow lease existed can hold 64 owner leases: a new owner
   * then gets no lease and nothing is evicted, and nothing fails.
   */
  @Test
  void aFullRecordWithoutAnOverflowLeaseIsLeftAsItIs() throws Exception {
    List<Lease> leases = new ArrayList<>();
    Instant expiry = clock.instant().plus(DAYS_31);
    for (int i = 0; i < ShareRecord.MAX_LEASES; i++) {
      leases.add(new Lease(owner(i), filled(32, i), filled(32, i + 1), expiry));
    }
    DB raw = raw("full.db");
    raw.treeMap("shares", Serializer.BYTE_ARRAY, Serializer.BYTE_ARRAY).createOrOpen()
        .put(KEY.toBytes(), ShareRecordCodec.encode(new ShareRecord(10, -1, leases)));
    raw.commit();
    raw.close();
    try (LeaseDb db = open("full.db")) {
      assertThat(db.addLease(KEY, owner(200), LeaseSecrets.of(filled(32, 9), filled(32, 8))))
          .isTrue();
      ShareRecord record = db.find(KEY).orElseThrow();
      assertThat(record.leases()).hasSize(ShareRecord.MAX_LEASES);
      assertThat(record.owners()).doesNotContain(owner(200), LeaseOwner.OVERFLOW);
    }
  }

  @Test
  void aPageOfOneIsAllowed() throws Exception {
    try (LeaseDb db = open("a.db")) {
      db.recordShare(KEY, 1, ShareRecord.NO_SEQNUM, owner(1),
          LeaseSecrets.of(filled(32, 1), filled(32, 2)));
      assertThat(db.recordedKeys(null, 1)).containsExactly(KEY);
      assertThat(db.recordedKeys(KEY, 1)).isEmpty();
    }
  }
  @Test
  void aFileOfAnotherSchemaIsRefusedNamingBothAndLeftUnlocked() throws Exception {
    DB raw = raw("old.db");
    raw.atomicString("schema").createOrOpen().set("cairn-lease-db-v0");
    raw.commit();
    raw.close();
    assertThatThrownBy(() -> open("old.db")).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("cairn-lease-db-v0").hasMessageContaining(LeaseDb.SCHEMA);
    DB again = raw("old.db"); // the refusal closed the file: no lock is left behind
    try {
      assertThat(again.atomicString("schema").createOrOpen().get()).isEqualTo("cairn-lease-db-v0");
    } finally {
      again.close();
    }
  }

  @Test
  void everyLeaseChangeIsCommittedWhenItReturns() throws Exception {
    LeaseSecrets aliceSecrets = LeaseSecrets.of(filled(32, 1), filled(32, 2));
    ShareKey other = ShareKey.immutable(StorageIndex.of(filled(16, 2)), 0);
    try (LeaseDb db = open("a.db")) {
      db.recordShare(KEY, 10, ShareRecord.NO_SEQNUM, owner(1), aliceSecrets);
      db.recordShare(other, 20, ShareRecord.NO_SEQNUM, owner(1), aliceSecrets);
    }
    try (LeaseDb db = open("a.db")) {
      assertThat(db.addLease(KEY, owner(2), LeaseSecrets.of(filled(32, 3), filled(32, 4))))
          .isTrue();
    }
    try (LeaseDb db = open("a.db")) {
      assertThat(db.find(KEY).orElseThrow().owners()).contains(owner(1), owner(2));
      assertThat(db.ownerBytes(owner(2))).isEqualTo(10);
      db.removeShare(other);
    }
    try (LeaseDb db = open("a.db")) {
      assertThat(db.find(other)).isEmpty();
      assertThat(db.totalShareBytes()).isEqualTo(10);
    }
  }

  /** A database another server holds open is not damage: the error says what MapDB said. */
  @Test
  void aFileHeldOpenIsRefusedWithMapDbsReasonNotAsDamage() throws Exception {
    try (LeaseDb first = open("held.db")) {
      assertThatThrownBy(() -> open("held.db"))
          .isInstanceOf(java.io.IOException.class)
          .isNotInstanceOf(LeaseDbDamagedException.class)
          .hasMessageStartingWith("cannot open lease database " + dir.resolve("held.db") + ": ")
          .satisfies(e -> assertThat(e.getMessage()).doesNotEndWith(": FileLocked")
              .contains(e.getCause().getMessage()));
    }
  }
}
