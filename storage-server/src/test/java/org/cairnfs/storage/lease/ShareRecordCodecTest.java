package org.cairnfs.storage.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.MessageDigest;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShareRecordCodecTest {
  static byte[] filled(int n, int v) {
    byte[] b = new byte[n];
    Arrays.fill(b, (byte) v);
    return b;
  }

  static ShareRecord sample() {
    return new ShareRecord(1000, 7, List.of(
        new Lease(LeaseOwner.of(filled(32, 1)), filled(32, 2), filled(32, 3),
            Instant.ofEpochMilli(1_900_000_000_000L)),
        new Lease(LeaseOwner.of(filled(5, 4)), filled(32, 5), filled(32, 6),
            Instant.ofEpochMilli(1_900_000_000_001L))));
  }

  @Test
  void roundTrips() {
    ShareRecord decoded = ShareRecordCodec.decode(ShareRecordCodec.encode(sample()));
    assertThat(decoded.size()).isEqualTo(1000);
    assertThat(decoded.seqnum()).isEqualTo(7);
    assertThat(decoded.leases()).hasSize(2);
    assertThat(decoded.leases().get(1).owner()).isEqualTo(LeaseOwner.of(filled(5, 4)));
    assertThat(decoded.leases().get(1).renewHash()).isEqualTo(filled(32, 5));
    assertThat(decoded.leases().get(1).expiry()).isEqualTo(Instant.ofEpochMilli(1_900_000_000_001L));
  }

  @Test
  void layoutIsPinned() throws Exception {
    byte[] bytes = ShareRecordCodec.encode(sample());
    assertThat(bytes).hasSize(21 + (1 + 32 + 64 + 8) + (1 + 5 + 64 + 8));
    assertThat(Arrays.copyOf(bytes, 3)).isEqualTo(new byte[] {(byte) 0xCA, 0x52, 1});
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    assertThat(sha).isEqualTo(GOLDEN);
  }

  static final String GOLDEN = 
      "235cbcea35598073ecd877c01eb7f4baa278b81005cc8146a3101f482a14bb67";

  @Test
  void rejectsMalformed() {
    byte[] good = ShareRecordCodec.encode(sample());
    assertThatThrownBy(() -> ShareRecordCodec.decode(Arrays.copyOf(good, good.length - 1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("truncated");
    byte[] longer = Arrays.copyOf(good, good.length + 1);
    assertThatThrownBy(() -> ShareRecordCodec.decode(longer))
        .hasMessageContaining("trailing");
    byte[] version = good.clone();
    version[2] = 2;
    assertThatThrownBy(() -> ShareRecordCodec.decode(version)).hasMessageContaining("version 2");
    byte[] magic = good.clone();
    magic[0] = 0;
    assertThatThrownBy(() -> ShareRecordCodec.decode(magic)).hasMessageContaining("magic");
    byte[] count = good.clone();
    count[19] = (byte) 0xff;
    assertThatThrownBy(() -> ShareRecordCodec.decode(count)).hasMessageContaining("leases");
    byte[] ownerLength = good.clone();
    ownerLength[21] = 0;
    assertThatThrownBy(() -> ShareRecordCodec.decode(ownerLength))
        .hasMessageContaining("owner length 0");
  }

  @Test
  void anOwnerOfTheLongestLengthDecodesAndOneByteMoreIsRefusedByTheCodec() {
    ShareRecord longest = new ShareRecord(10, 1, List.of(new Lease(
        LeaseOwner.of(filled(LeaseOwner.MAX_LENGTH, 7)), filled(32, 2), filled(32, 3),
        Instant.ofEpochMilli(1_900_000_000_000L))));
    byte[] bytes = ShareRecordCodec.encode(longest);
    assertThat(ShareRecordCodec.decode(bytes).leases().get(0).owner())
        .isEqualTo(LeaseOwner.of(filled(LeaseOwner.MAX_LENGTH, 7)));
    // One owner byte more, the rest of the record unchanged in length.
    byte[] tooLong = new byte[bytes.length + 1];
    System.arraycopy(bytes, 0, tooLong, 0, 21);
    tooLong[21] = (byte) (LeaseOwner.MAX_LENGTH + 1);
    System.arraycopy(bytes, 22, tooLong, 23, bytes.length - 22);
    assertThatThrownBy(() -> ShareRecordCodec.decode(tooLong))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("lease 0 has owner length " + (LeaseOwner.MAX_LENGTH + 1));
  }
}
