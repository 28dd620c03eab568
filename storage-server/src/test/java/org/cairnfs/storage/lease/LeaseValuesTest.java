package org.cairnfs.storage.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The lease value types refuse what a record must never hold. */
class LeaseValuesTest {
  static byte[] filled(int n, int v) {
    byte[] b = new byte[n];
    Arrays.fill(b, (byte) v);
    return b;
  }

  static Lease lease(int owner, long expirySeconds) {
    return new Lease(LeaseOwner.of(filled(32, owner)), filled(32, 1), filled(32, 2),
        Instant.ofEpochSecond(expirySeconds));
  }

  @Test
  void ownerIdsAreOneTo64Bytes() {
    assertThat(LeaseOwner.of(filled(1, 1)).toBytes()).hasSize(1);
    assertThat(LeaseOwner.of(filled(64, 1)).toBytes()).hasSize(64);
    assertThatThrownBy(() -> LeaseOwner.of(new byte[0])).hasMessageContaining("got 0");
    assertThatThrownBy(() -> LeaseOwner.of(filled(65, 1))).hasMessageContaining("got 65");
  }

  @Test
  void ownersCompareByIdAndPrintAsHex() {
    LeaseOwner a = LeaseOwner.of(new byte[] {1, 2, (byte) 0xab});
    assertThat(a).isEqualTo(LeaseOwner.of(new byte[] {1, 2, (byte) 0xab}))
        .isNotEqualTo(LeaseOwner.of(new byte[] {1, 2}));
    assertThat(a.hashCode()).isEqualTo(Arrays.hashCode(new byte[] {1, 2, (byte) 0xab}))
        .isNotEqualTo(LeaseOwner.of(new byte[] {1, 3}).hashCode());
    assertThat(a).hasToString("0102ab");
  }

  @Test
  void leaseHashesMustBe32BytesEach() {
    LeaseOwner o = LeaseOwner.of(filled(32, 1));
    Instant t = Instant.EPOCH;
    assertThatThrownBy(() -> new Lease(o, filled(31, 1), filled(32, 2), t))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Lease(o, filled(32, 1), filled(33, 2), t))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void secretsMustBe32Bytes() {
    assertThatThrownBy(() -> LeaseSecrets.hash(filled(31, 1), "renew"))
        .hasMessageContaining("renew secret must be 32 bytes, got 31");
    assertThatThrownBy(() -> LeaseSecrets.of(filled(32, 1), filled(0, 1)))
        .hasMessageContaining("cancel secret");
  }

  @Test
  void recordsRefuseANegativeSizeABadSeqnumOrTooManyLeases() {
    assertThat(new ShareRecord(0, ShareRecord.NO_SEQNUM, List.of()).size()).isZero();
    assertThatThrownBy(() -> new ShareRecord(-1, 0, List.of())).hasMessageContaining("-1");
    assertThatThrownBy(() -> new ShareRecord(1, -2, List.of())).hasMessageContaining("seqnum -2");
    List<Lease> leases = new ArrayList<>();
    for (int i = 0; i < ShareRecord.MAX_LEASES; i++) {
      leases.add(lease(i, i));
    }
    assertThat(new ShareRecord(1, 0, leases).leases()).hasSize(ShareRecord.MAX_LEASES);
    leases.add(lease(99, 1));
    assertThatThrownBy(() -> new ShareRecord(1, 0, leases)).hasMessageContaining("more than 64 leases: 65");
  }

  @Test
  void lastExpiryIsTheLatestLease() {
    assertThat(new ShareRecord(1, 0, List.of()).lastExpiry()).isEmpty();
    assertThat(new ShareRecord(1, 0, List.of(lease(1, 50), lease(2, 90), lease(3, 70)))
        .lastExpiry()).contains(Instant.ofEpochSecond(90));
  }
}
