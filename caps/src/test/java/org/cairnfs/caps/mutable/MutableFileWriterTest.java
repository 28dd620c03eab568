package org.cairnfs.caps.mutable;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.cairnfs.caps.share.ShareSink;
import org.junit.jupiter.api.Test;

class MutableFileWriterTest {
  private static final byte[] SEED = HexFormat.of().parseHex(
      "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");

  private static byte[] counting(int size) {
    byte[] b = new byte[size];
    for (int i = 0; i < size; i++) {
      b[i] = (byte) (i * 7);
    }
    return b;
  }

  /**
   * Pins the whole share layout: fixed key, seqnum, salt source and plaintext give fixed bytes.
   * If this fails, the format changed: bump the version and update docs/specs/mutable-share.md.
   */
  @Test
  void goldenShares() throws Exception {
    MutableKeys keys = MutableKeys.fromSeed(SEED);
    byte[][] shares = MutableFileWriter.write(keys, 7, counting(1000),
        new MutableParams(3, 5, 300), new FixedRandom(0));
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    for (byte[] s : shares) {
      sha.update(s);
    }
    assertThat(shares[0].length).isEqualTo(MutableShare.parse(shares[0]).layout().end());
    assertThat(MutableFileReader.read(keys.readCap(),
        MutableShare.parse(shares[0]).header().versionId(), List.of(shares[3], shares[4],
            shares[1]))).isEqualTo(counting(1000));
    assertThat(HexFormat.of().formatHex(sha.digest())).isEqualTo("d70e19d3e786b165891dc1bbc09aee3d4bdb412264657c096bb3fdb2e56acd86");
  }

  @Test
  void layoutOfTheGoldenExample() {
    ShareLayout l = new ShareLayout(3, 5, 300, 1000);
    assertThat(l.segments()).isEqualTo(4);
    assertThat(l.blockSize(3)).isEqualTo(34); // 100 bytes over 3 blocks, rounded up
    assertThat(l.chainOffset()).isEqualTo(239);
    assertThat(l.blockTreeOffset()).isEqualTo(239 + 3 * 32);
    assertThat(l.blocksOffset()).isEqualTo(335 + 7 * 32);
    assertThat(l.end()).isEqualTo(559 + 3 * 100 + 34);
  }

  /** An empty file still has one (empty) segment, so there is a block to sign and read. */
  @Test
  void anEmptyFileHasOneSegmentAndReadsBackEmpty() throws Exception {
    assertThat(new ShareLayout(3, 5, 3, 0).segments()).isEqualTo(1);
    MutableKeys keys = MutableKeys.fromSeed(SEED);
    byte[][] shares = MutableFileWriter.write(keys, 1, new byte[0],
        new MutableParams(3, 5, 300), new FixedRandom(0));
    MutableShare first = MutableShare.parse(shares[4]);
    assertThat(first.layout().segments()).isEqualTo(1);
    assertThat(MutableFileReader.read(keys.readCap(), first.header().versionId(),
        List.of(shares[4], shares[0], shares[2]))).isEmpty();
  }

  @Test
  void smallFilesGetOneSegmentJustBigEnough() {
    assertThat(new MutableParams(3, 10, 300).effectiveSegmentSize(0)).isEqualTo(3);
    assertThat(new MutableParams(3, 10, 300).effectiveSegmentSize(10)).isEqualTo(12);
    assertThat(new MutableParams(3, 10, 300).effectiveSegmentSize(10_000)).isEqualTo(300);
  }

  @Test
  void streamingWritesEachShareByteOnceAndMatchesTheArrayForm() throws IOException {
    MutableKeys keys = MutableKeys.fromSeed(SEED);
    byte[] plain = counting(2000);
    MutableParams params = new MutableParams(3, 5, 300);
    byte[][] arrays = MutableFileWriter.write(keys, 2, plain, params, new FixedRandom(5));
    int[][] writes = new int[5][arrays[0].length];
    byte[][] streamed = new byte[5][arrays[0].length];
    List<ShareSink> sinks = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      int share = i;
      sinks.add((pos, d, off, len) -> {
        System.arraycopy(d, off, streamed[share], (int) pos, len);
        for (int b = 0; b < len; b++) {
          writes[share][(int) pos + b]++;
        }
      });
    }
    SignedHeader h = MutableFileWriter.write(keys, 2, new ByteArrayInputStream(plain),
        plain.length, params, new FixedRandom(5), sinks);
    assertThat(h.dataLength()).isEqualTo(2000);
    for (int i = 0; i < 5; i++) {
      assertThat(streamed[i]).isEqualTo(arrays[i]);
      assertThat(writes[i]).containsOnly(1);
    }
  }

  @Test
  void everyVersionGetsAFreshSaltSoEqualPlaintextsDiffer() {
    MutableKeys keys = MutableKeys.fromSeed(SEED);
    byte[] plain = counting(100);
    MutableParams params = new MutableParams(3, 5, 300);
    java.security.SecureRandom random = new java.security.SecureRandom();
    byte[][] a = MutableFileWriter.write(keys, 1, plain, params, random);
    byte[][] b = MutableFileWriter.write(keys, 1, plain, params, random);
    long blocks = MutableShare.parse(a[0]).layout().blocksOffset();
    assertThat(java.util.Arrays.copyOfRange(a[0], (int) blocks, a[0].length))
        .isNotEqualTo(java.util.Arrays.copyOfRange(b[0], (int) blocks, b[0].length));
  }
}
