package org.cairnfs.storage.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicLong;
import org.cairnfs.protocol.message.ErrorCode;
import org.cairnfs.protocol.server.StorageException;
import org.junit.jupiter.api.Test;

class LeaseWriteBudgetTest {
  static final long SECOND = 1_000_000_000L;
  /** Starts near the wrap of nanoTime: the budget must compare times by difference. */
  final AtomicLong now = new AtomicLong(Long.MAX_VALUE - 5 * SECOND);
  final LeaseWriteBudget budget = new LeaseWriteBudget(1000, 4000, 3, now::get);

  @Test
  void anAddressIsRefusedOnlyOnceItOwesMoreThanTheBurst() throws Exception {
    budget.check("a");
    budget.charge("a", 3000);
    budget.check("a");
    budget.charge("a", 1000);
    budget.check("a"); // owes exactly the burst
    budget.charge("a", 2500); // the request that overdraws still ran
    assertThatThrownBy(() -> budget.check("a")).isInstanceOfSatisfying(StorageException.class,
        e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.BUSY);
          assertThat(e.getMessage()).contains("lease records", "try again in 3 s");
        });
    assertThatCode(() -> budget.check("b")).as("other addresses are not held up")
        .doesNotThrowAnyException();
    now.addAndGet(2 * SECOND);
    assertThatThrownBy(() -> budget.check("a")).as("6500 owed minus 2000 paid is over 4000")
        .isInstanceOf(StorageException.class);
    now.addAndGet(SECOND);
    budget.check("a");
  }

  @Test
  void paidOffTimeDoesNotAccumulateIntoCredit() throws Exception {
    budget.charge("a", 100);
    now.addAndGet(3600 * SECOND); // an hour idle earns no more than the burst
    budget.charge("a", 4000);
    budget.check("a");
    budget.charge("a", 1);
    assertThatThrownBy(() -> budget.check("a")).isInstanceOf(StorageException.class);
  }

  @Test
  void requestsThatWriteNothingAreNotTracked() throws Exception {
    budget.check("a");
    budget.charge("a", 0);
    assertThat(budget.tracked()).isZero();
  }

  @Test
  void aFullTableDropsPaidOffAddressesAndOtherwiseRefusesNewOnes() throws Exception {
    budget.charge("a", 1000);
    budget.charge("b", 1000);
    budget.charge("c", 3000);
    assertThatThrownBy(() -> budget.check("d")).isInstanceOfSatisfying(StorageException.class,
        e -> assertThat(e.code()).isEqualTo(ErrorCode.BUSY));
    budget.check("a"); // held addresses still pass
    now.addAndGet(SECOND);
    budget.check("d");
    assertThat(budget.tracked()).as("a and b paid off and dropped").isEqualTo(1);
  }

  @Test
  void aHugeChargeIsCappedNotOverflowed() throws Exception {
    budget.charge("a", Long.MAX_VALUE);
    assertThatThrownBy(() -> budget.check("a")).isInstanceOf(StorageException.class);
    now.addAndGet(1L << 60);
    assertThatThrownBy(() -> budget.check("a")).isInstanceOf(StorageException.class);
    now.addAndGet(1L << 60);
    budget.check("a");
  }

  @Test
  void anAdvanceIsSettledToWhatTheRequestWrote() throws Exception {
    budget.reserve("a", 3500);
    budget.reserve("a", 1000); // a request running beside it: 3500 owed, passes
    assertThatThrownBy(() -> budget.reserve("a", 1)).as("4500 owed in advance, over 4000")
        .isInstanceOf(StorageException.class);
    budget.settle("a", 3500, 500);
    budget.settle("a", 1000, 0);
    budget.reserve("a", 3500); // 500 owed: passes
    budget.check("a"); // 4000 owed: at the burst, passes
    budget.settle("a", 3500, 4000); // wrote more than its advance: 4500 owed
    assertThatThrownBy(() -> budget.check("a")).isInstanceOf(StorageException.class);
    now.addAndGet(SECOND);
    budget.check("a");
    budget.reserve("b", 100);
    budget.settle("b", 100, 0);
    assertThat(budget.tracked()).as("a refund to nothing drops the address").isEqualTo(1);
  }

  @Test
  void aRefundEarnsNoCredit() throws Exception {
    budget.reserve("a", 2000);
    now.addAndGet(2 * SECOND); // the advance is paid off by time
    budget.settle("a", 2000, 0);
    budget.charge("a", 4001);
    assertThatThrownBy(() -> budget.check("a")).isInstanceOf(StorageException.class);
  }

  @Test
  void badSettingsAreRefused() {
    assertThatThrownBy(() -> new LeaseWriteBudget(0, 1, 1, now::get))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new LeaseWriteBudget(1, -1, 1, now::get))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new LeaseWriteBudget(1, 1, 0, now::get))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
