package org.cairnfs.storage.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.cairnfs.storage.store.StoreFixture.ALICE;
import static org.cairnfs.storage.store.StoreFixture.BOB;
import static org.cairnfs.storage.store.StoreFixture.pattern;
import static org.cairnfs.storage.store.StoreFixture.secrets;
import static org.cairnfs.storage.store.StoreFixture.si;
import static org.cairnfs.storage.store.StoreFixture.slotShare;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import org.cairnfs.storage.store.StoreException.Reason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reservations counted per account (a client's address): one that declares uploads it does not
 * write holds at most its share of the free space, so others still find room (a hostile review
 * found a single ALLOCATE, or a slot write's 1-byte first chunk, reserving the whole disk and
 * leaving every other client SERVER_FULL).
 */
class AccountReservationTest {
  static final long MIB = 1L << 20;
  @TempDir Path dbDir;

  StoreFixture fixture() throws Exception {
    StoreFixture f = new StoreFixture(dbDir, new StoreLimits(Long.MAX_VALUE, 0, Long.MAX_VALUE));
    f.freeBytes = 1024 * MIB;
    return f;
  }

  static void full(ThrowingRunnable r) {
    assertThatThrownBy(r::run).isInstanceOf(StoreException.class)
        .satisfies(e -> assertThat(((StoreException) e).reason()).isEqualTo(Reason.SERVER_FULL))
        .hasMessageContaining("for this address");
  }

  interface ThrowingRunnable {
    void run() throws Exception;
  }

  @Test
  void oneAddressHoldsAtMostAQuarterOfWhatIsFree() throws Exception {
    try (StoreFixture f = fixture()) {
      SpaceBudget budget = f.store.budget();
      full(() -> f.store.allocatePending(si(1), List.of(0), 900 * MIB, ALICE, secrets(1), "a"));
      assertThat(budget.outstandingBytes()).as("nothing reserved by the refusal").isZero();
      f.store.allocatePending(si(1), List.of(0), 200 * MIB, ALICE, secrets(1), "a")
          .awaitDurable();
      assertThat(budget.outstandingBytes("a")).isEqualTo(200 * MIB);
      // free for uploads now 824 MiB; a's share of 1024 is 256, of which it holds 200
      full(() -> f.store.allocatePending(si(2), List.of(0), 100 * MIB, ALICE, secrets(1), "a"));
      f.store.allocatePending(si(3), List.of(0), 150 * MIB, BOB, secrets(2), "b")
          .awaitDurable();
      f.store.allocatePending(si(4), List.of(0, 1), 300 * MIB, BOB, secrets(2), null)
          .awaitDurable(); // no account: bounded by the disk only, as before
      assertThat(budget.outstandingBytes("b")).isEqualTo(150 * MIB);

      f.store.write(ALICE, si(1), 0, 0, ByteBuffer.wrap(pattern((int) MIB, 1)));
      assertThat(budget.outstandingBytes("a")).as("written bytes are no longer owed")
          .isEqualTo(199 * MIB);
      f.store.abort(ALICE, si(1), 0);
      assertThat(budget.outstandingBytes("a")).isZero();
      assertThat(budget.outstandingBytes("b")).isEqualTo(150 * MIB);
    }
  }

  @Test
  void aSlotWritesFirstChunkCannotReserveTheDisk() throws Exception {
    try (StoreFixture f = fixture()) {
      byte[] share = slotShare(1, 64);
      full(() -> f.store.writeSlotChunk(si(5), 0, 1000 * MIB, 0, ByteBuffer.wrap(share, 0, 1),
          ALICE, secrets(1), "a"));
      assertThat(f.store.budget().outstandingBytes()).isZero();
      assertThat(f.store.writeSlotChunk(si(5), 0, share.length, 0, ByteBuffer.wrap(share),
          ALICE, secrets(1), "a")).isPresent();
      assertThat(f.store.budget().outstandingBytes("a")).isZero();
    }
  }

  /**
   * A restart by its owner replaces its own reservation, at an upload's ALLOCATE and at a slot
   * write's offset-0 chunk alike: the old bytes do not count against the new (from the review
   * of this change: a restarted slot write of over half the share was refused).
   */
  @Test
  void aRestartIsNotHeldAgainstItsOwnOldReservation() throws Exception {
    try (StoreFixture f = fixture()) {
      SpaceBudget budget = f.store.budget();
      f.store.allocatePending(si(1), List.of(0), 200 * MIB, ALICE, secrets(1), "a")
          .awaitDurable();
      f.store.allocatePending(si(1), List.of(0), 200 * MIB, ALICE, secrets(1), "a")
          .awaitDurable();
      assertThat(budget.outstandingBytes("a")).isEqualTo(200 * MIB);
      f.store.abort(ALICE, si(1), 0);
      byte[] share = slotShare(1, 64);
      for (int i = 0; i < 3; i++) {
        f.store.writeSlotChunk(si(5), 0, 200 * MIB, 0, ByteBuffer.wrap(share, 0, 1), ALICE,
            secrets(1), "a");
        assertThat(budget.outstandingBytes("a")).isEqualTo(200 * MIB - 1);
      }
      // another owner behind the same address does not get the credit
      full(() -> f.store.writeSlotChunk(si(5), 0, 200 * MIB, 0, ByteBuffer.wrap(share, 0, 1),
          BOB, secrets(2), "a"));
    }
  }

  @Test
  void aSmallOrNearlyFullServerStillTakesAFloorPerAddress() throws Exception {
    try (StoreFixture f = fixture()) {
      f.freeBytes = 80 * MIB;
      f.store.allocatePending(si(6), List.of(0, 1, 2), 20 * MIB, ALICE, secrets(1), "a")
          .awaitDurable(); // 60 MiB: over a quarter of 80, under the 64 MiB floor
      full(() -> f.store.allocatePending(si(7), List.of(0), 5 * MIB, ALICE, secrets(1), "a"));
    }
  }
}
