package org.cairnfs.storage.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.cairnfs.storage.lease.LeaseDbTest.ALICE;
import static org.cairnfs.storage.lease.LeaseDbTest.BOB;
import static org.cairnfs.storage.lease.LeaseDbTest.DAYS_31;
import static org.cairnfs.storage.lease.LeaseDbTest.KEY;
import static org.cairnfs.storage.lease.LeaseDbTest.filled;
import static org.cairnfs.storage.lease.LeaseDbTest.secrets;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.cairnfs.storage.FakeClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A renewal that moves an expiry by less than the granularity (an hour with a 31-day period)
 * changes nothing and writes nothing; anything else that changes a lease is written.
 */
class LeaseRenewalGranularityTest {
  @TempDir Path dir;
  final FakeClock clock = new FakeClock();
  /** Operation counts of each commit that ran. */
  final List<Integer> commits = new CopyOnWriteArrayList<>();
  LeaseDb db;

  @BeforeEach
  void open() throws Exception {
    db = LeaseDb.open(dir.resolve("leases.db"), clock, DAYS_31, (commit, operations) -> {
      commit.run();
      commits.add(operations);
    });
    db.recordShare(KEY, 100, ShareRecord.NO_SEQNUM, ALICE, secrets(1));
    commits.clear();
  }

  @AfterEach
  void close() {
    db.close();
  }

  Instant expiryOf(LeaseOwner owner) {
    return db.find(KEY).orElseThrow().leases().stream().filter(l -> l.owner().equals(owner))
        .findFirst().orElseThrow().expiry();
  }

  @Test
  void renewingWithinTheGranularityWritesNothing() {
    Instant first = expiryOf(ALICE);
    clock.advance(Duration.ofMinutes(59));
    assertThat(db.addLease(KEY, ALICE, secrets(1))).isTrue();
    assertThat(db.renewLease(KEY, filled(32, 1))).as("still matched").isTrue();
    assertThat(commits).isEmpty();
    assertThat(expiryOf(ALICE)).isEqualTo(first);
    clock.advance(Duration.ofMinutes(1));
    assertThat(db.renewLease(KEY, filled(32, 1))).isTrue();
    assertThat(commits).containsExactly(1);
    assertThat(expiryOf(ALICE)).isEqualTo(first.plus(Duration.ofHours(1)));
  }

  @Test
  void changedSecretsAreWrittenAtOnce() {
    clock.advance(Duration.ofSeconds(1));
    db.addLease(KEY, ALICE, secrets(2));
    assertThat(commits).containsExactly(1);
    assertThat(db.renewLease(KEY, filled(32, 2))).isTrue();
    assertThat(db.renewLease(KEY, filled(32, 1))).as("the old secret is gone").isFalse();
  }

  @Test
  void aNewOwnerIsWrittenAndThenRenewsForFree() {
    db.addLease(KEY, BOB, secrets(3));
    db.addLease(KEY, BOB, secrets(3));
    assertThat(commits).containsExactly(1);
    assertThat(db.find(KEY).orElseThrow().owners()).contains(ALICE, BOB);
  }

  @Test
  void theOverflowLeaseRenewsWithTheSameGranularity() {
    db.addLease(KEY, BOB, secrets(3), false);
    assertThat(db.find(KEY).orElseThrow().owners()).contains(LeaseOwner.OVERFLOW)
        .doesNotContain(BOB);
    commits.clear();
    clock.advance(Duration.ofMinutes(10));
    db.addLease(KEY, LeaseOwner.of(filled(32, 0xc)), secrets(4), false);
    assertThat(commits).as("another owner sent to the overflow lease minutes later").isEmpty();
  }

  @Test
  void pruningAnExpiredLeaseIsWrittenEvenWhenNoExpiryMoves() {
    clock.advance(DAYS_31.minus(Duration.ofMinutes(30)));
    db.addLease(KEY, BOB, secrets(3)); // Bob's lease runs to well after Alice's
    commits.clear();
    clock.advance(Duration.ofMinutes(31)); // Alice's has run out; Bob's is 31 minutes old
    db.addLease(KEY, BOB, secrets(3));
    assertThat(commits).containsExactly(1);
    assertThat(db.find(KEY).orElseThrow().owners()).containsExactly(BOB);
  }

  @Test
  void aNoOpReturnsOnlyOnceWhatItFoundIsCommitted() {
    clock.advance(Duration.ofDays(1));
    LeaseCommit renewal = db.applyLease(KEY, ALICE, secrets(1), true);
    assertThat(renewal.recordBytes()).isPositive();
    assertThat(commits).as("applied, not committed").isEmpty();
    LeaseCommit again = db.applyLease(KEY, ALICE, secrets(1), true);
    assertThat(again.recordBytes()).isZero();
    again.await();
    assertThat(commits).as("the no-op's wait committed the renewal it relied on")
        .containsExactly(1);
    renewal.await();
    assertThat(commits).hasSize(1);
  }
}
