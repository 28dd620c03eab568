package org.cairnfs.storage.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.cairnfs.storage.lease.LeaseDbTest.filled;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.storage.FakeClock;
import org.cairnfs.storage.share.ShareKey;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The import of an old (MapDB) lease database: every record carried over byte for byte, the
 * accounting recomputed, the implicit-lease salt kept, the old file moved aside only after the
 * new one is complete, and every crash point and stray file handled without losing either.
 */
class MapDbImportTest {
  static final Duration DAYS_31 = Duration.ofDays(31);
  static final LeaseOwner ALICE = LeaseOwner.of(filled(32, 0xa1));
  static final LeaseOwner BOB = LeaseOwner.of(filled(20, 0xb0));
  static final byte[] SALT = filled(32, 0x5a);

  @TempDir Path dir;
  final FakeClock clock = new FakeClock();
  Path old;
  Path target;
  final Map<ShareKey, ShareRecord> records = new LinkedHashMap<>();

  static ShareKey key(int i) {
    return ShareKey.immutable(StorageIndex.of(filled(16, i)), i % 3);
  }

  @BeforeEach
  void oldDatabase() throws Exception {
    old = dir.resolve("private/leases.db");
    target = dir.resolve("private/leases.sqlite");
    Files.createDirectories(old.getParent());
    Instant expiry = clock.instant().plus(Duration.ofDays(10));
    for (int i = 1; i <= 50; i++) {
      Lease a = new Lease(ALICE, filled(32, i), filled(32, i + 1), expiry);
      Lease b = new Lease(BOB, filled(32, i + 2), filled(32, i + 3), expiry.plusMillis(i));
      records.put(key(i), new ShareRecord(100L * i, i % 2 == 0 ? i : ShareRecord.NO_SEQNUM,
          i % 5 == 0 ? List.of(a, b) : List.of(a)));
    }
    OldLeaseDbFile.write(old, records, SALT);
  }

  LeaseDb openTarget() throws Exception {
    return LeaseDb.open(target, clock, DAYS_31);
  }

  @Test
  void everyRecordTheAccountingAndTheSaltAreCarriedOver() throws Exception {
    MapDbImport.run(List.of(old, dir.resolve("storage/leases.db")), target);
    assertThat(old).doesNotExist();
    assertThat(dir.resolve("private/leases.db.imported")).exists();
    assertThat(target.resolveSibling("leases.sqlite.new")).doesNotExist();
    try (LeaseDb db = openTarget()) {
      for (Map.Entry<ShareKey, ShareRecord> e : records.entrySet()) {
        assertThat(ShareRecordCodec.encode(db.find(e.getKey()).orElseThrow()))
            .isEqualTo(ShareRecordCodec.encode(e.getValue()));
      }
      assertThat(db.recordedKeys(null, 1000)).hasSize(50);
      long total = 0;
      long bob = 0;
      for (int i = 1; i <= 50; i++) {
        long charge = ShareCharge.of(100L * i); // the import charges; v1 counted sizes
        total += charge;
        bob += i % 5 == 0 ? charge : 0;
      }
      assertThat(db.totalShareBytes()).isEqualTo(total);
      assertThat(db.ownerBytes(ALICE)).isEqualTo(total);
      assertThat(db.ownerBytes(BOB)).isEqualTo(bob);
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(SALT);
      sha.update((byte) 1);
      sha.update(ALICE.toBytes());
      byte[] renew = sha.digest();
      assertThat(db.implicitSecrets(ALICE).renewHash())
          .isEqualTo(LeaseSecrets.of(renew, filled(32, 0)).renewHash());
    }
  }

  @Test
  void anOldFileInTheStorageDirIsImportedToo() throws Exception {
    Path older = dir.resolve("storage/leases.db");
    Files.createDirectories(older.getParent());
    Files.move(old, older);
    MapDbImport.run(List.of(old, older), target);
    assertThat(older).doesNotExist();
    assertThat(older.resolveSibling("leases.db.imported")).exists();
    try (LeaseDb db = openTarget()) {
      assertThat(db.recordedKeys(null, 1000)).hasSize(50);
    }
  }

  @Test
  void nothingToImportDoesNothing() throws Exception {
    Files.delete(old);
    MapDbImport.run(List.of(old, target), target);
    assertThat(target).doesNotExist();
  }

  /** A crash after the rename, before the old file was moved aside: only the clean-up is left. */
  @Test
  void anImportInterruptedBeforeTheCleanUpIsFinished() throws Exception {
    MapDbImport.run(List.of(old), target);
    try (LeaseDb db = openTarget()) {
      db.removeShare(key(1)); // the new database is in use
    }
    Files.move(dir.resolve("private/leases.db.imported"), old); // as if never moved aside
    MapDbImport.run(List.of(old), target);
    assertThat(old).doesNotExist();
    assertThat(dir.resolve("private/leases.db.imported")).exists();
    try (LeaseDb db = openTarget()) {
      assertThat(db.find(key(1))).isEmpty();
      assertThat(db.recordedKeys(null, 1000)).hasSize(49);
    }
  }

  /** A crash while the new file was written: it was never renamed, so all is redone. */
  @Test
  void aHalfWrittenNewFileIsRedoneFromScratch() throws Exception {
    Files.write(target.resolveSibling("leases.sqlite.new"), filled(5000, 7));
    MapDbImport.run(List.of(old), target);
    assertThat(target.resolveSibling("leases.sqlite.new")).doesNotExist();
    try (LeaseDb db = openTarget()) {
      assertThat(db.recordedKeys(null, 1000)).hasSize(50);
    }
  }

  @Test
  void anOldFileBesideANewDatabaseNotImportedFromItIsRefusedAndBothKept() throws Exception {
    openTarget().close();
    byte[] before = Files.readAllBytes(target);
    assertThatThrownBy(() -> MapDbImport.run(List.of(old), target))
        .hasMessageContaining("two lease databases").hasMessageContaining(old.toString())
        .hasMessageContaining(target.toString());
    assertThat(old).exists();
    assertThat(Files.readAllBytes(target)).isEqualTo(before);
  }

  @Test
  void twoOldFilesAreRefused() throws Exception {
    Path older = dir.resolve("storage/leases.db");
    Files.createDirectories(older.getParent());
    Files.copy(old, older);
    assertThatThrownBy(() -> MapDbImport.run(List.of(old, older), target))
        .hasMessageContaining("two old lease databases");
    assertThat(old).exists();
    assertThat(older).exists();
    assertThat(target).doesNotExist();
  }

  @Test
  void aDamagedOldFileIsNamedAndNothingIsCreated() throws Exception {
    Files.delete(old);
    Files.write(old, filled(3000, 0x33));
    assertThatThrownBy(() -> MapDbImport.run(List.of(old), target))
        .isInstanceOf(LeaseDbDamagedException.class).hasMessageContaining(old.toString());
    assertThat(old).exists();
    assertThat(target).doesNotExist();
  }

  /**
   * After an import, an older version run again wrote a new file at the old path: it is not the
   * leftover of the import, so it is refused, not set aside unread.
   */
  @Test
  void anotherFileAtTheImportedPathIsRefused() throws Exception {
    MapDbImport.run(List.of(old), target);
    OldLeaseDbFile.write(old, Map.of(key(99), new ShareRecord(5, ShareRecord.NO_SEQNUM,
        List.of())), SALT);
    assertThatThrownBy(() -> MapDbImport.run(List.of(old), target))
        .hasMessageContaining("two lease databases").hasMessageContaining("was not imported");
    assertThat(old).exists();
  }

  /** A move of an earlier version cut short: the partial copy is set aside, the original used. */
  @Test
  void aPartialCopyOfAnInterruptedOldMoveIsSetAsideAndTheOriginalImported() throws Exception {
    Path original = dir.resolve("storage/leases.db");
    Files.createDirectories(original.getParent());
    Files.move(old, original);
    Files.write(old, filled(100, 1)); // the partial copy
    Files.write(old.resolveSibling("leases.db.wal.0.part"), filled(10, 2));
    Files.write(old.resolveSibling("leases.db.part"), filled(10, 3));
    Files.createFile(old.resolveSibling("leases.db.moving"));
    Files.createFile(old.resolveSibling("leases.db.partial")); // an earlier one: kept
    MapDbImport.run(List.of(old, original), target);
    assertThat(old.resolveSibling("leases.db.moving")).doesNotExist();
    assertThat(old.resolveSibling("leases.db.partial")).isEmptyFile();
    assertThat(old.resolveSibling("leases.db.partial.2")).hasSize(100);
    assertThat(old.resolveSibling("leases.db.part.partial")).hasSize(10);
    assertThat(old.resolveSibling("leases.db.wal.0.part.partial")).exists();
    assertThat(original.resolveSibling("leases.db.imported")).exists();
    try (LeaseDb db = openTarget()) {
      assertThat(db.recordedKeys(null, 1000)).hasSize(50);
    }
  }

  /** The same, with the original already deleted: the copy was whole. */
  @Test
  void aCompleteCopyOfAnInterruptedOldMoveIsImported() throws Exception {
    Files.createFile(old.resolveSibling("leases.db.moving"));
    MapDbImport.run(List.of(old, dir.resolve("storage/leases.db")), target);
    assertThat(old.resolveSibling("leases.db.moving")).doesNotExist();
    try (LeaseDb db = openTarget()) {
      assertThat(db.recordedKeys(null, 1000)).hasSize(50);
    }
  }

  @Test
  void anOldFileOfAnotherSchemaIsRefusedAndKept() throws Exception {
    OldLeaseDbFile.setSchema(old, "cairn-lease-db-v0");
    assertThatThrownBy(() -> MapDbImport.run(List.of(old), target))
        .hasMessageContaining("cairn-lease-db-v0").hasMessageContaining(old.toString());
    assertThat(old).exists();
    assertThat(target).doesNotExist();
  }

  /** An old file that never got its salt (no server committed anything) gets a new one. */
  @Test
  void anOldFileWithoutASaltGetsANewOne() throws Exception {
    Files.delete(old);
    OldLeaseDbFile.write(old, records, null);
    MapDbImport.run(List.of(old), target);
    try (LeaseDb db = openTarget()) {
      assertThat(db.recordedKeys(null, 1000)).hasSize(50);
      assertThat(db.implicitSecrets(ALICE).renewHash()).hasSize(32);
    }
  }

  /**
   * Bytes overwritten anywhere the old file holds data: the import either reads through (unused
   * space) or refuses the file as damaged or unreadable, naming it; never a raw exception from
   * MapDB's deserializers (NegativeArraySizeException, BufferUnderflowException and an
   * OutOfMemoryError for an overwritten length escaped before, so a server with such a file died
   * with a stack trace instead of saying what to do).
   */
  @Test
  void overwrittenBytesAnywhereInTheOldFileAreRefusedNamingIt() throws Exception {
    byte[] clean = Files.readAllBytes(old);
    int refused = 0;
    for (int window = 0; window < clean.length; window += 256) {
      if (allZero(clean, window, Math.min(window + 256, clean.length))) {
        continue; // space MapDB has not used
      }
      byte[] damaged = clean.clone();
      java.util.Arrays.fill(damaged, window, Math.min(window + 64, damaged.length), (byte) 0xff);
      Path copy = dir.resolve("damaged-" + window + "/leases.db");
      Files.createDirectories(copy.getParent());
      Files.write(copy, damaged);
      try {
        MapDbImport.run(List.of(copy), copy.resolveSibling("leases.sqlite"));
      } catch (IOException e) {
        assertThat(e).as("at byte %d", window).hasMessageContaining(copy.toString())
            .as("MapDB's own damage keeps its reason").hasMessageNotContaining(
                "read back (org.mapdb.DBException$");
        refused++;
      }
    }
    assertThat(refused).as("some damage is seen").isPositive();
  }

  private static boolean allZero(byte[] b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return true;
  }

  /** A record that does not decode is damage; the old file is closed again (not left locked). */
  @Test
  void anUndecodableRecordIsDamageAndTheOldFileIsReleased() throws Exception {
    org.mapdb.DB db = org.mapdb.DBMaker.fileDB(old.toFile()).transactionEnable().make();
    db.treeMap("shares", org.mapdb.Serializer.BYTE_ARRAY, org.mapdb.Serializer.BYTE_ARRAY)
        .createOrOpen().put(key(77).toBytes(), new byte[] {1, 2, 3});
    db.commit();
    db.close();
    assertThatThrownBy(() -> MapDbImport.run(List.of(old), target))
        .isInstanceOf(LeaseDbDamagedException.class).hasMessageContaining(old.toString())
        .as("the decoder's own reason, not wrapped as an unknown failure")
        .hasMessageNotContaining("do not read back");
    assertThat(target).doesNotExist();
    OldLeaseDbFile.setSchema(old, MapDbImport.MAPDB_SCHEMA); // opens: MapDB's lock was released
  }

  /** An earlier import's kept file is not overwritten. */
  @Test
  void aKeptFileOfAnEarlierImportIsNotOverwritten() throws Exception {
    Files.write(dir.resolve("private/leases.db.imported"), filled(7, 7));
    MapDbImport.run(List.of(old), target);
    assertThat(dir.resolve("private/leases.db.imported")).hasSize(7);
    assertThat(dir.resolve("private/leases.db.imported.2")).exists();
  }
}
