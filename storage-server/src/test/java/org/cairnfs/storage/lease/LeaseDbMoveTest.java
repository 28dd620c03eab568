package org.cairnfs.storage.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.storage.FakeClock;
import org.cairnfs.storage.share.ShareKey;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The move of a lease database out of the storage dir, at every point a crash can cut it. */
class LeaseDbMoveTest {
  static final Duration DAYS_31 = Duration.ofDays(31);
  static final ShareKey KEY = ShareKey.immutable(StorageIndex.of(filled(16, 7)), 3);
  static final LeaseOwner ALICE = LeaseOwner.of(filled(32, 1));

  @TempDir
  Path dir;
  final FakeClock clock = new FakeClock();
  Path legacy;
  Path target;

  static byte[] filled(int n, int v) {
    byte[] b = new byte[n];
    Arrays.fill(b, (byte) v);
    return b;
  }

  @BeforeEach
  void makeLegacyDatabase() throws IOException {
    legacy = dir.resolve("storage/leases.db");
    target = dir.resolve("private/leases.db");
    Files.createDirectories(legacy.getParent());
    try (LeaseDb db = LeaseDb.open(legacy, clock, DAYS_31)) {
      db.recordShare(KEY, 1234, ShareRecord.NO_SEQNUM, ALICE,
          LeaseSecrets.of(filled(32, 2), filled(32, 3)));
    }
  }

  void assertMovedWithItsLease() throws IOException {
    assertThat(legacy).doesNotExist();
    assertThat(LeaseDbMove.marker(target)).doesNotExist();
    try (var s = Files.list(legacy.getParent())) {
      assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("leases"));
    }
    try (LeaseDb db = LeaseDb.open(target, clock, DAYS_31)) {
      ShareRecord r = db.find(KEY).orElseThrow();
      assertThat(r.size()).isEqualTo(1234);
      assertThat(r.leases()).singleElement().satisfies(l -> assertThat(l.owner()).isEqualTo(ALICE));
    }
  }

  @Test
  void movesTheDatabaseAndKeepsItsLeases() throws IOException {
    LeaseDbMove.run(legacy, target);
    assertMovedWithItsLease();
    LeaseDbMove.run(legacy, target); // nothing left to move: a no-op
    assertMovedWithItsLease();
  }

  @Test
  void aCopyCutShortIsRedoneFromTheOldDatabase() throws IOException {
    Files.createDirectories(target.getParent());
    Files.write(LeaseDbMove.marker(target), new byte[0]);
    Files.write(target, filled(100, 9)); // half a copy
    Files.write(target.resolveSibling("leases.db.wal.0.part"), filled(10, 9));
    Files.write(target.resolveSibling("leases.db.part"), filled(10, 9));
    LeaseDbMove.run(legacy, target);
    assertMovedWithItsLease();
    assertThat(target.resolveSibling("leases.db.wal.0.part")).doesNotExist();
    assertThat(target.resolveSibling("leases.db.part")).doesNotExist();
  }

  @Test
  void aMoveCutAfterTheOldMainFileWentOnlyCleansUp() throws IOException {
    Files.createDirectories(target.getParent());
    Files.copy(legacy, target);
    Files.write(LeaseDbMove.marker(target), new byte[0]);
    Files.delete(legacy);
    Files.write(legacy.resolveSibling("leases.db.wal.0"), filled(10, 9)); // a leftover log
    LeaseDbMove.run(legacy, target);
    assertMovedWithItsLease();
    assertThat(legacy.resolveSibling("leases.db.wal.0")).doesNotExist();
  }

  @Test
  void aPartialCopyBesideTheOldDatabaseIsNotCarriedOverButRemoved() throws IOException {
    Path stray = legacy.resolveSibling("leases.db.wal.0.part");
    Files.write(stray, filled(10, 9));
    Path strayMain = legacy.resolveSibling("leases.db.part");
    Files.write(strayMain, filled(10, 9));
    LeaseDbMove.run(legacy, target);
    assertMovedWithItsLease();
    assertThat(stray).doesNotExist();
    assertThat(strayMain).doesNotExist();
    try (var s = Files.list(target.getParent())) {
      assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".part"));
    }
  }

  @Test
  void aMoveCutAfterTheOldDirectoryWentOnlyCleansUp() throws IOException {
    Files.createDirectories(target.getParent());
    Files.copy(legacy, target);
    Files.write(LeaseDbMove.marker(target), new byte[0]);
    try (var s = Files.list(legacy.getParent())) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Files.delete(p);
      }
    }
    Files.delete(legacy.getParent());
    LeaseDbMove.run(legacy, target);
    assertThat(LeaseDbMove.marker(target)).doesNotExist();
    try (LeaseDb db = LeaseDb.open(target, clock, DAYS_31)) {
      assertThat(db.find(KEY).orElseThrow().size()).isEqualTo(1234);
    }
  }

  @Test
  void twoDatabasesWithoutAMoveUnderWayAreRefusedAndBothKept() throws IOException {
    Files.createDirectories(target.getParent());
    Files.write(target, filled(50, 5));
    assertThatThrownBy(() -> LeaseDbMove.run(legacy, target)).isInstanceOf(IOException.class)
        .hasMessageContaining("two lease databases").hasMessageContaining(legacy.toString())
        .hasMessageContaining(target.toString()).hasMessageContaining("move");
    assertThat(legacy).exists();
    assertThat(Files.readAllBytes(target)).isEqualTo(filled(50, 5));
  }

  @Test
  void theSamePlaceIsLeftAlone() throws IOException {
    LeaseDbMove.run(legacy, legacy);
    assertThat(legacy).exists();
  }
}
