package org.cairnfs.caps.mutable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.cairnfs.caps.crypto.Tag;
import org.cairnfs.caps.crypto.TaggedHash;
import org.cairnfs.caps.share.ByteArrayShare;
import org.cairnfs.caps.share.ShareSource;
import org.junit.jupiter.api.Test;

/**
 * Issue 10, finding 4: readers sized buffers from {@code n * segmentSize / k} of the signed
 * header, so one small signed version with huge parameters made every reader allocate gigabytes.
 * Anyone who can write a directory others read can plant such a version.
 */
class MutableReaderMemoryTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
  private final MutableKeys keys = MutableKeys.generate(RANDOM);

  /**
   * A 1-byte version with k=1, n=256, whose header is re-signed to claim {@code segmentSize}:
   * the layout of one 1-byte segment does not depend on the segment size, so apart from the
   * claim every share is genuine.
   */
  private List<byte[]> oneByteVersionClaiming(int segmentSize) {
    byte[][] shares = MutableFileWriter.write(keys, 1, new byte[] {42},
        new MutableParams(1, 256, 1), RANDOM);
    List<byte[]> out = new ArrayList<>();
    byte[] signature = null;
    for (byte[] share : shares) {
      ByteBuffer.wrap(share).putInt(65, segmentSize);
      if (signature == null) {
        signature = keys.sign(TaggedHash.of(Tag.MUTABLE_SIGNATURE, Arrays.copyOf(share, 77)));
      }
      System.arraycopy(signature, 0, share, SignedHeader.LENGTH + 32, 64);
      out.add(share);
    }
    return out;
  }

  private static VersionId versionOf(byte[] share) {
    return MutableShare.parse(share).header().versionId();
  }

  private static long allocatedBy(Runnable r) {
    long before = THREADS.getCurrentThreadAllocatedBytes();
    r.run();
    return THREADS.getCurrentThreadAllocatedBytes() - before;
  }

  @Test
  void aOneByteVersionAtTheStripeLimitCostsWhatItHolds() {
    // 256 blocks of 256 KiB = the 64 MiB stripe limit: allowed, but the one segment is 1 byte.
    List<byte[]> shares = oneByteVersionClaiming(256 * 1024);
    VersionId v = versionOf(shares.get(0));
    byte[][] out = new byte[1][];
    // Parity shares only (data share 0 is missing), so the reader must rebuild.
    List<byte[]> parity = shares.subList(200, 256);
    long allocated = allocatedBy(() -> out[0] = MutableFileReader.read(keys.readCap(), v,
        parity));
    assertThat(out[0]).containsExactly(42);
    // Old readers: 256 x 256 KiB buffers plus a 256 KiB segment, over 64 MiB.
    assertThat(allocated).isLessThan(4L << 20);

    List<ShareSource> sources = new ArrayList<>();
    parity.forEach(s -> sources.add(ByteArrayShare.wrap(s)));
    long verifyAllocated = allocatedBy(() -> assertThat(
        MutableFileReader.verify(keys.verifyCap(), v, sources).goodShares()).hasSize(56));
    assertThat(verifyAllocated).isLessThan(4L << 20);
  }

  @Test
  void aStripeOverTheLimitIsRefusedWithoutAllocatingIt() {
    // The reproduction: k=1, n=256, 64 MiB segments asked every reader for 16 GiB.
    List<byte[]> shares = oneByteVersionClaiming(SignedHeader.MAX_SEGMENT_SIZE);
    byte[] header = Arrays.copyOf(shares.get(0), SignedHeader.LENGTH);
    VersionId claimed = new VersionId(1, Arrays.copyOfRange(header, 13, 45));
    Runnable read = () -> {
      try {
        MutableFileReader.read(keys.readCap(), claimed, shares.subList(0, 3));
        throw new AssertionError("read a version whose stripe is over the limit");
      } catch (MutableIntegrityException e) {
        assertThat(e).hasMessageContaining("stripe");
      }
    };
    read.run(); // loads the classes of the failure path
    assertThat(allocatedBy(read)).isLessThan(1L << 20);
  }

  @Test
  void writersRefuseParametersReadersWouldRefuse() {
    assertThatThrownBy(() -> new MutableParams(1, 256, 256 * 1024 + 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("stripe");
    assertThat(new MutableParams(1, 256, 256 * 1024).n()).isEqualTo(256);
    assertThat(MutableParams.DEFAULT.segmentSize()).isEqualTo(131_070);
  }
}
