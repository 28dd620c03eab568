package org.cairnfs.storage.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
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

/** The lease database as a file: its schema, its private salt, what a restart keeps. */
class LeaseDbFileTest {
  /**
   * Share sizes in this class are multiples of U: above {@link ShareCharge#MIN_BYTES}, so each
   * share is charged exactly its size and the accounting's moves stay visible.
   */
  static final long U = 10_000;
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

  /** A plain SQLite connection to a closed database file. */
  Connection raw(String name) throws Exception {
    return DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(name));
  }

  Object rawValue(String file, String name) throws Exception {
    try (Connection c = raw(file);
        PreparedStatement q = c.prepareStatement("SELECT value FROM meta WHERE name = ?")) {
      q.setString(1, name);
      try (ResultSet rs = q.executeQuery()) {
        return rs.next() ? rs.getObject(1) : null;
      }
    }
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
    assertThat(rawValue("a.db", "schema")).isEqualTo("cairn-lease-db-v3");
    assertThat((byte[]) rawValue("a.db", "implicit-lease-salt")).hasSize(32);
    assertThat(dir.resolve("a.db.new")).doesNotExist();
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
    open("full.db").close();
    try (Connection raw = raw("full.db");
        PreparedStatement put = raw.prepareStatement("INSERT INTO shares VALUES (?, ?)")) {
      put.setBytes(1, KEY.toBytes());
      put.setBytes(2, ShareRecordCodec.encode(new ShareRecord(10, -1, leases)));
      put.executeUpdate();
    }
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
      db.recordShare(KEY, U * 1, ShareRecord.NO_SEQNUM, owner(1),
          LeaseSecrets.of(filled(32, 1), filled(32, 2)));
      assertThat(db.recordedKeys(null, 1)).containsExactly(KEY);
      assertThat(db.recordedKeys(KEY, 1)).isEmpty();
    }
  }
  @Test
  void aFileOfAnotherSchemaIsRefusedNamingBothAndLeftUnlocked() throws Exception {
    open("old.db").close();
    try (Connection raw = raw("old.db"); Statement s = raw.createStatement()) {
      s.executeUpdate("UPDATE meta SET value = 'cairn-lease-db-v0' WHERE name = 'schema'");
    }
    assertThatThrownBy(() -> open("old.db")).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("cairn-lease-db-v0").hasMessageContaining("cairn-lease-db-v3");
    // the refusal closed the file and released its lock
    try (Connection again = raw("old.db"); Statement s = again.createStatement()) {
      s.executeUpdate("UPDATE meta SET value = 'x' WHERE name = 'total-share-bytes'");
    }
    open("held-after-refusal.db").close();
    assertThatThrownBy(() -> open("old.db")).hasMessageContaining("cairn-lease-db-v0");
    assertThat(rawValue("old.db", "schema")).isEqualTo("cairn-lease-db-v0");
  }

  /**
   * A v2 file counted share sizes; v3 counts each share at least {@link ShareCharge#MIN_BYTES}.
   * Opening a v2 file recomputes the total and every owner's bytes from the records, once.
   */
  @Test
  void aV2FileIsMigratedToChargesOnOpen() throws Exception {
    LeaseSecrets secrets = LeaseSecrets.of(filled(32, 1), filled(32, 2));
    ShareKey big = ShareKey.immutable(StorageIndex.of(filled(16, 2)), 0);
    ShareKey empty = ShareKey.immutable(StorageIndex.of(filled(16, 3)), 1);
    try (LeaseDb db = open("v2.db")) {
      db.recordShare(KEY, 10, ShareRecord.NO_SEQNUM, owner(1), secrets);
      db.recordShare(big, 10_000, ShareRecord.NO_SEQNUM, owner(1), secrets);
      db.recordShare(empty, 0, ShareRecord.NO_SEQNUM, owner(2), secrets);
    }
    // what a v2 server had stored for the same records: sizes
    try (Connection raw = raw("v2.db"); Statement s = raw.createStatement()) {
      s.executeUpdate("UPDATE meta SET value = 'cairn-lease-db-v2' WHERE name = 'schema'");
      s.executeUpdate("UPDATE meta SET value = 10010 WHERE name = 'total-share-bytes'");
      s.executeUpdate("UPDATE owners SET bytes = 10010 WHERE owner = X'"
          + java.util.HexFormat.of().formatHex(owner(1).toBytes()) + "'");
      s.executeUpdate("DELETE FROM owners WHERE owner = X'"
          + java.util.HexFormat.of().formatHex(owner(2).toBytes()) + "'");
    }
    try (LeaseDb db = open("v2.db")) {
      assertThat(db.totalShareBytes()).isEqualTo(4096 + 10_000 + 4096);
      assertThat(db.ownerBytes(owner(1))).isEqualTo(4096 + 10_000);
      assertThat(db.ownerBytes(owner(2))).isEqualTo(4096);
      db.removeShare(empty);
      assertThat(db.totalShareBytes()).isEqualTo(4096 + 10_000);
      assertThat(db.ownerBytes(owner(2))).isZero();
    }
    assertThat(rawValue("v2.db", "schema")).isEqualTo("cairn-lease-db-v3");
    assertThat(rawValue("v2.db", "total-share-bytes")).isEqualTo(4096 + 10_000);
  }

  /** A record that does not decode stops the migration as damage, naming the file. */
  @Test
  void aV2FileWithADamagedRecordIsRefusedAsDamageAndLeftV2() throws Exception {
    try (LeaseDb db = open("v2bad.db")) {
      db.recordShare(KEY, 10, ShareRecord.NO_SEQNUM, owner(1),
          LeaseSecrets.of(filled(32, 1), filled(32, 2)));
    }
    try (Connection raw = raw("v2bad.db"); Statement s = raw.createStatement()) {
      s.executeUpdate("UPDATE meta SET value = 'cairn-lease-db-v2' WHERE name = 'schema'");
      s.executeUpdate("UPDATE shares SET record = X'FFFFFFFFFFFFFFFFFFFFFFFF'");
    }
    assertThatThrownBy(() -> open("v2bad.db")).isInstanceOf(LeaseDbDamagedException.class)
        .hasMessageContaining(dir.resolve("v2bad.db").toString())
        .hasMessageContaining("does not decode").hasMessageContaining("move it aside");
    assertThat(rawValue("v2bad.db", "schema")).isEqualTo("cairn-lease-db-v2");
    open("another.db").close(); // the refusal released the lock and the file
    try (Connection raw = raw("v2bad.db"); Statement s = raw.createStatement()) {
      s.executeUpdate("DELETE FROM shares");
    }
    try (LeaseDb db = open("v2bad.db")) {
      assertThat(db.totalShareBytes()).isZero();
    }
  }

  @Test
  void everyLeaseChangeIsCommittedWhenItReturns() throws Exception {
    LeaseSecrets aliceSecrets = LeaseSecrets.of(filled(32, 1), filled(32, 2));
    ShareKey other = ShareKey.immutable(StorageIndex.of(filled(16, 2)), 0);
    try (LeaseDb db = open("a.db")) {
      db.recordShare(KEY, U * 10, ShareRecord.NO_SEQNUM, owner(1), aliceSecrets);
      db.recordShare(other, U * 20, ShareRecord.NO_SEQNUM, owner(1), aliceSecrets);
    }
    try (LeaseDb db = open("a.db")) {
      assertThat(db.addLease(KEY, owner(2), LeaseSecrets.of(filled(32, 3), filled(32, 4))))
          .isTrue();
    }
    try (LeaseDb db = open("a.db")) {
      assertThat(db.find(KEY).orElseThrow().owners()).contains(owner(1), owner(2));
      assertThat(db.ownerBytes(owner(2))).isEqualTo(U * 10);
      db.removeShare(other);
    }
    try (LeaseDb db = open("a.db")) {
      assertThat(db.find(other)).isEmpty();
      assertThat(db.totalShareBytes()).isEqualTo(U * 10);
    }
  }

  /** A database another server holds open is refused by its lock file, and is not damage. */
  @Test
  void aFileHeldOpenIsRefusedByItsLockNotAsDamage() throws Exception {
    try (LeaseDb first = open("held.db")) {
      assertThatThrownBy(() -> open("held.db"))
          .isInstanceOf(java.io.IOException.class)
          .isNotInstanceOf(LeaseDbDamagedException.class)
          .hasMessage("lease database " + dir.resolve("held.db") + " is in use: its lock "
              + dir.resolve("held.db.lock") + " is held (is another server running with it?)");
      first.recordShare(KEY, U * 1, ShareRecord.NO_SEQNUM, owner(1),
          LeaseSecrets.of(filled(32, 1), filled(32, 2)));
    }
    try (LeaseDb again = open("held.db")) {
      assertThat(again.totalShareBytes()).isEqualTo(U * 1);
    }
  }

  /** Another process holding the lock (not this JVM's bookkeeping) refuses it too. */
  @Test
  void aLockHeldByAnotherProcessRefusesTheOpen() throws Exception {
    open("a.db").close();
    // A POSIX record lock (fcntl), the kind the JDK takes, held by another process.
    Process holder = new ProcessBuilder("python3", "-c", "import fcntl, sys, time\n"
        + "f = open(sys.argv[1], 'a')\nfcntl.lockf(f, fcntl.LOCK_EX)\nprint('locked', flush=True)\n"
        + "time.sleep(30)", dir.resolve("a.db.lock").toString()).start();
    try {
      assertThat(new java.io.BufferedReader(new java.io.InputStreamReader(
          holder.getInputStream())).readLine()).isEqualTo("locked");
      assertThatThrownBy(() -> open("a.db")).hasMessageContaining("is in use");
    } finally {
      holder.destroy();
      holder.waitFor();
    }
    open("a.db").close();
  }

  /** A log moved or left without its database would be replayed into a new one: refused. */
  @Test
  void aLogWithoutItsDatabaseIsRefused() throws Exception {
    Files.write(dir.resolve("gone.db-wal"), filled(100, 1));
    assertThatThrownBy(() -> open("gone.db")).isInstanceOf(java.io.IOException.class)
        .hasMessageContaining("exists without its database");
    assertThat(dir.resolve("gone.db")).doesNotExist();
    assertThat(dir.resolve("gone.db-wal")).hasSize(100);
  }

  @Test
  void aNativeLibraryThatCannotLoadIsNamedWithTheFix() {
    java.sql.SQLException e = new java.sql.SQLException("Error opening connection",
        new UnsatisfiedLinkError("failed to map segment from shared object"));
    assertThat(LeaseTables.describe(e)).contains("SQLite's native library could not be loaded")
        .contains("noexec").contains("-Dorg.sqlite.tmpdir");
    assertThat(LeaseTables.describe(new java.sql.SQLException("disk I/O error")))
        .isEqualTo("disk I/O error");
  }

  @Test
  void aPageThatCouldNotBeReadIsAnIoErrorNotDamage() {
    assertThat(LeaseTables.isReadError("*** in database main ***\nPage 5: unable to get the"
        + " page. error code=8458")).isTrue();
    assertThat(LeaseTables.isReadError("Page 5: unable to get the page. error code=11"))
        .isFalse();
    assertThat(LeaseTables.isReadError("row 3 missing from index")).isFalse();
  }

  /**
   * A failed read fails the batch open beside it (its changes may be gone with SQLite's own
   * rollback) and the next operations work on a reopened connection.
   */
  @Test
  void aFailedReadFailsTheOpenBatchAndTheDatabaseRecovers() throws Exception {
    LeaseSecrets secrets = LeaseSecrets.of(filled(32, 1), filled(32, 2));
    ShareKey other = ShareKey.immutable(StorageIndex.of(filled(16, 2)), 0);
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newSingleThreadExecutor();
    try (LeaseDb db = open("a.db")) {
      db.recordShare(KEY, U * 10, ShareRecord.NO_SEQNUM, owner(1), secrets);
      java.util.concurrent.Future<?> waiting;
      db.commitLock().lock();
      try {
        waiting = pool.submit(() -> db.recordShare(other, U * 20, ShareRecord.NO_SEQNUM, owner(1),
            secrets));
        while (db.commitLock().getQueueLength() < 1) {
          Thread.sleep(1);
        }
        db.breakFind();
        assertThatThrownBy(() -> db.find(KEY)).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("lease database read failed");
      } finally {
        db.commitLock().unlock();
      }
      assertThatThrownBy(() -> waiting.get(20, java.util.concurrent.TimeUnit.SECONDS))
          .hasCauseInstanceOf(IllegalStateException.class);
      assertThat(db.find(KEY)).isPresent();
      assertThat(db.find(other)).isEmpty();
      assertThat(db.totalShareBytes()).isEqualTo(U * 10);
      db.recordShare(other, U * 20, ShareRecord.NO_SEQNUM, owner(1), secrets);
    } finally {
      pool.shutdownNow();
    }
    try (LeaseDb db = open("a.db")) {
      assertThat(db.totalShareBytes()).isEqualTo(U * 30);
      assertThat(db.ownerBytes(owner(1))).isEqualTo(U * 30);
    }
  }

  @Test
  void anEmptyFileIsDamageNotANewDatabase() throws Exception {
    Files.write(dir.resolve("empty.db"), new byte[0]);
    assertThatThrownBy(() -> open("empty.db")).isInstanceOf(LeaseDbDamagedException.class)
        .hasMessageContaining("it is empty");
    assertThat(dir.resolve("empty.db")).isEmptyFile();
  }

  /** Cut short, or a page overwritten: refused at start, the file left as it is. */
  @Test
  void aTruncatedOrOverwrittenFileIsDamage() throws Exception {
    try (LeaseDb db = open("a.db")) {
      for (int i = 0; i < 2000; i++) {
        byte[] si = filled(16, 0);
        si[0] = (byte) i;
        si[1] = (byte) (i >> 8);
        db.recordShare(ShareKey.immutable(StorageIndex.of(si), 0), U * 100, ShareRecord.NO_SEQNUM,
            owner(1), LeaseSecrets.of(filled(32, 1), filled(32, 2)));
      }
    }
    byte[] whole = Files.readAllBytes(dir.resolve("a.db"));
    assertThat(whole.length).isGreaterThan(40_000);
    Files.write(dir.resolve("cut.db"), Arrays.copyOf(whole, whole.length / 2));
    assertThatThrownBy(() -> open("cut.db")).isInstanceOf(LeaseDbDamagedException.class);
    assertThat(dir.resolve("cut.db")).hasSize(whole.length / 2);
    byte[] scribbled = whole.clone();
    Arrays.fill(scribbled, 3 * 4096, 5 * 4096, (byte) 0x5a);
    Files.write(dir.resolve("scribbled.db"), scribbled);
    assertThatThrownBy(() -> open("scribbled.db")).isInstanceOf(LeaseDbDamagedException.class)
        .hasMessageContaining("mv " + dir.resolve("scribbled.db"));
  }

  /**
   * A full disk fails the operations it hits and loses nothing acknowledged: the connection is
   * dropped with the failed batch and reopened at the last commit, so operations go on once
   * there is room and the accounting matches the records.
   */
  @Test
  void aFullDiskFailsWhatItHitsLosesNothingAcknowledgedAndRecovers() throws Exception {
    LeaseSecrets secrets = LeaseSecrets.of(filled(32, 1), filled(32, 2));
    List<ShareKey> acked = new ArrayList<>();
    int failures = 0;
    try (LeaseDb db = open("a.db")) {
      db.fillDisk();
      for (int i = 0; i < 400; i++) {
        byte[] si = filled(16, 0);
        si[0] = (byte) i;
        si[1] = (byte) (i >> 8);
        ShareKey key = ShareKey.immutable(StorageIndex.of(si), 0);
        try {
          db.recordShare(key, U * 10, ShareRecord.NO_SEQNUM, owner(1), secrets);
          acked.add(key);
        } catch (IllegalStateException e) {
          assertThat(e).hasMessageContaining("SQLITE_FULL");
          failures++;
          assertThat(db.totalShareBytes()).isEqualTo(U * (10L * acked.size()));
          if (failures < 3) {
            db.fillDisk(); // still full after the reopen
          }
        }
      }
      assertThat(failures).isEqualTo(3);
      assertThat(acked).hasSize(397);
      assertThat(db.ownerBytes(owner(1))).isEqualTo(U * 3970);
    }
    try (LeaseDb db = open("a.db")) {
      for (ShareKey key : acked) {
        assertThat(db.find(key)).isPresent();
      }
      assertThat(db.recordedKeys(null, 1000)).hasSize(397);
      assertThat(db.totalShareBytes()).isEqualTo(U * 3970);
      assertThat(db.ownerBytes(owner(1))).isEqualTo(U * 3970);
    }
  }

  /** A database without its salt or total is refused, naming what is missing. */
  @Test
  void aDatabaseMissingItsSaltOrTotalIsRefused() throws Exception {
    open("salt.db").close();
    try (Connection raw = raw("salt.db"); Statement s = raw.createStatement()) {
      s.executeUpdate("UPDATE meta SET value = x'0102' WHERE name = 'implicit-lease-salt'");
    }
    assertThatThrownBy(() -> open("salt.db")).hasMessageContaining("implicit-lease-salt");
    open("total.db").close();
    try (Connection raw = raw("total.db"); Statement s = raw.createStatement()) {
      s.executeUpdate("DELETE FROM meta WHERE name = 'total-share-bytes'");
    }
    assertThatThrownBy(() -> open("total.db")).hasMessageContaining("total-share-bytes");
  }

  /**
   * A page the open does not read (a leaf of the share table), subtly wrong, is still checked at
   * start.
   */
  @Test
  void aDamagedPageDeepInTheShareTableStopsTheStart() throws Exception {
    try (LeaseDb db = open("a.db")) {
      for (int i = 0; i < 2000; i++) {
        byte[] si = filled(16, 0);
        si[0] = (byte) i;
        si[1] = (byte) (i >> 8);
        db.recordShare(ShareKey.immutable(StorageIndex.of(si), 0), U * 100, ShareRecord.NO_SEQNUM,
            owner(1), LeaseSecrets.of(filled(32, 1), filled(32, 2)));
      }
    }
    byte[] whole = Files.readAllBytes(dir.resolve("a.db"));
    int pages = whole.length / 4096;
    assertThat(pages).isGreaterThan(40);
    // The page's count of fragmented free bytes (page header offset 7): readable, but wrong.
    whole[(pages - 3) * 4096 + 7] = 37;
    Files.write(dir.resolve("leaf.db"), whole);
    assertThatThrownBy(() -> open("leaf.db")).isInstanceOf(LeaseDbDamagedException.class)
        .hasMessageContaining("quick_check");
  }

  /** An owner left without shares leaves no row behind. */
  @Test
  void anOwnerChargedNothingHasNoRow() throws Exception {
    try (LeaseDb db = open("a.db")) {
      db.recordShare(KEY, U * 10, ShareRecord.NO_SEQNUM, owner(1),
          LeaseSecrets.of(filled(32, 1), filled(32, 2)));
      db.removeShare(KEY);
      assertThat(db.ownerBytes(owner(1))).isZero();
    }
    try (Connection raw = raw("a.db"); Statement s = raw.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM owners")) {
      rs.next();
      assertThat(rs.getInt(1)).isZero();
    }
  }

  /** What the driver throws when its native library is missing, by name. */
  static final class NativeLibraryNotFoundException extends Exception {
    NativeLibraryNotFoundException() {
      super("No native library found for os.name=Linux");
    }
  }

  @Test
  void theDriversMissingLibraryIsNamedWithTheFixToo() {
    assertThat(LeaseTables.describe(new java.sql.SQLException("Error opening connection",
        new RuntimeException(new NativeLibraryNotFoundException())))).contains("noexec");
  }

  /** Refused opens and closes leave no file open (the lock's channel is closed). */
  @Test
  void lockFilesAreNotLeaked() throws Exception {
    long before;
    try (LeaseDb db = open("a.db")) {
      before = openFiles();
      assertThat(before).as("the open database's files").isPositive();
      for (int i = 0; i < 20; i++) {
        assertThatThrownBy(() -> open("a.db")).hasMessageContaining("is in use");
      }
      assertThat(openFiles()).isEqualTo(before);
    }
    assertThat(openFiles()).isZero();
    for (int i = 0; i < 20; i++) {
      open("a.db").close();
    }
    assertThat(openFiles()).isZero();
  }

  /**
   * This process's open files under the test's directory: counting every descriptor of the
   * process would also count files other threads open meanwhile (class loading, the build).
   */
  long openFiles() throws Exception {
    Path root = dir.toRealPath();
    try (var fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.filter(fd -> {
        try {
          return Files.readSymbolicLink(fd).startsWith(root);
        } catch (java.io.IOException gone) {
          return false; // closed meanwhile, or the listing's own descriptor
        }
      }).count();
    }
  }

  /**
   * A record or a key overwritten inside its row passes {@code quick_check} (SQLite checks pages,
   * not what they hold): reading it says the database is damaged and how to recover, naming the
   * file, instead of a decoding exception the server would answer as the client's bad request.
   * The other records still read.
   */
  @Test
  void aRowThatDoesNotDecodeIsDamageNamingTheFile() throws Exception {
    ShareKey other = ShareKey.immutable(StorageIndex.of(filled(16, 2)), 0);
    try (LeaseDb db = open("rows")) {
      db.recordShare(KEY, U * 10, ShareRecord.NO_SEQNUM, owner(1), LeaseSecrets.of(filled(32, 1),
          filled(32, 2)));
      db.recordShare(other, U * 20, ShareRecord.NO_SEQNUM, owner(1), LeaseSecrets.of(filled(32, 1),
          filled(32, 2)));
    }
    try (Connection c = raw("rows");
        PreparedStatement u = c.prepareStatement("UPDATE shares SET record = ? WHERE key = ?")) {
      u.setBytes(1, filled(12, 0xff));
      u.setBytes(2, KEY.toBytes());
      assertThat(u.executeUpdate()).isEqualTo(1);
    }
    try (LeaseDb db = open("rows")) {
      assertThatThrownBy(() -> db.find(KEY)).isInstanceOf(java.io.UncheckedIOException.class)
          .cause().isInstanceOf(LeaseDbDamagedException.class)
          .hasMessageContaining(dir.resolve("rows").toString())
          .hasMessageContaining("the record of " + KEY + " does not decode");
      assertThat(db.find(other)).get().extracting(ShareRecord::size).isEqualTo(U * 20);
    }
    try (Connection c = raw("rows");
        PreparedStatement u = c.prepareStatement("UPDATE shares SET key = ? WHERE key = ?")) {
      u.setBytes(1, filled(3, 0xff));
      u.setBytes(2, other.toBytes());
      assertThat(u.executeUpdate()).isEqualTo(1);
    }
    try (LeaseDb db = open("rows")) {
      assertThatThrownBy(() -> db.recordedKeys(null, 10))
          .isInstanceOf(java.io.UncheckedIOException.class)
          .cause().isInstanceOf(LeaseDbDamagedException.class)
          .hasMessageContaining("a stored share key does not decode");
    }
  }

}
