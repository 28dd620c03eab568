package org.cairnfs.caps.mutable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.EOFException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.cairnfs.caps.share.ByteArrayShare;
import org.cairnfs.caps.share.ShareSink;
import org.cairnfs.caps.share.ShareSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MutableFileReaderTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final MutableParams SMALL = new MutableParams(3, 10, 30);
  private final MutableKeys keys = MutableKeys.generate(RANDOM);

  private static byte[] data(int size, int seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static VersionId versionOf(byte[] share) {
    return MutableShare.parse(share).header().versionId();
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2, 3, 29, 30, 31, 89, 90, 91, 1000})
  void roundTripsEverySizeIncludingEmptyAndMultiSegment(int size) {
    byte[] plain = data(size, size);
    byte[][] shares = MutableFileWriter.write(keys, 1, plain, SMALL, RANDOM);
    assertThat(shares.length).isEqualTo(10);
    byte[] back = MutableFileReader.read(keys.readCap(), versionOf(shares[0]), List.of(shares));
    assertThat(back).isEqualTo(plain);
  }

  @Test
  void roundTripsWithDefaultParamsOverSeveralSegments() {
    byte[] plain = data(3 * MutableParams.DEFAULT.segmentSize() + 17, 7);
    byte[][] shares = MutableFileWriter.write(keys, 9, plain, MutableParams.DEFAULT, RANDOM);
    assertThat(MutableFileReader.read(keys.readCap(), versionOf(shares[4]),
        List.of(shares[9], shares[4], shares[5]))).isEqualTo(plain);
  }

  @Test
  void everyThreeOfTenSubsetRecoversTheFile() {
    byte[] plain = data(100, 3); // four segments of 30, 30, 30, 10
    byte[][] shares = MutableFileWriter.write(keys, 2, plain, SMALL, RANDOM);
    VersionId v = versionOf(shares[0]);
    int subsets = 0;
    for (int a = 0; a < 10; a++) {
      for (int b = a + 1; b < 10; b++) {
        for (int c = b + 1; c < 10; c++) {
          assertThat(MutableFileReader.read(keys.readCap(), v,
              List.of(shares[a], shares[b], shares[c])))
              .as("shares %d,%d,%d", a, b, c).isEqualTo(plain);
          subsets++;
        }
      }
    }
    assertThat(subsets).isEqualTo(120);
  }

  @Test
  void fewerThanKSharesIsAnIntegrityException() {
    byte[][] shares = MutableFileWriter.write(keys, 2, data(50, 1), SMALL, RANDOM);
    assertThatThrownBy(() -> MutableFileReader.read(keys.readCap(), versionOf(shares[0]),
        List.of(shares[0], shares[1])))
        .isInstanceOf(MutableIntegrityException.class).hasMessageContaining("only 2 of the 3");
  }

  @Test
  void flippedBytesInUpToNMinusKSharesNeverChangeThePlaintext() {
    byte[] plain = data(100, 5);
    byte[][] clean = MutableFileWriter.write(keys, 3, plain, SMALL, RANDOM);
    VersionId v = versionOf(clean[0]);
    Random r = new Random(42);
    for (int round = 0; round < 150; round++) {
      byte[][] shares = new byte[10][];
      for (int i = 0; i < 10; i++) {
        shares[i] = clean[i].clone();
      }
      int corrupted = 1 + r.nextInt(7);
      for (int c = 0; c < corrupted; c++) {
        byte[] s = shares[r.nextInt(10)];
        s[r.nextInt(s.length)] ^= (byte) (1 + r.nextInt(255));
      }
      assertThat(MutableFileReader.read(keys.readCap(), v, List.of(shares)))
          .as("round %d", round).isEqualTo(plain);
    }
  }

  @Test
  void corruptingEveryByteOfOneShareInTurnIsDetectedOrHarmless() {
    byte[] plain = data(70, 6);
    byte[][] clean = MutableFileWriter.write(keys, 3, plain, SMALL, RANDOM);
    VersionId v = versionOf(clean[0]);
    // Only shares 0, 1 and 2: a flip anywhere in share 0 must either be caught or not matter.
    for (int pos = 0; pos < clean[0].length; pos++) {
      byte[] bad = clean[0].clone();
      bad[pos] ^= 0x41;
      try {
        assertThat(MutableFileReader.read(keys.readCap(), v, List.of(bad, clean[1], clean[2])))
            .as("flip at %d", pos).isEqualTo(plain);
      } catch (MutableIntegrityException e) {
        assertThat(e.badSources()).containsOnlyKeys(0);
      }
    }
  }

  @Test
  void tooManyBadSharesNameTheDroppedSources() {
    byte[][] shares = MutableFileWriter.write(keys, 3, data(100, 8), SMALL, RANDOM);
    VersionId v = versionOf(shares[0]);
    byte[] firstBlockFlipped = shares[1].clone();
    firstBlockFlipped[(int) MutableShare.parse(shares[1]).layout().blockOffset(0)] ^= 1;
    byte[] truncated = java.util.Arrays.copyOf(shares[2], 100);
    assertThatThrownBy(() -> MutableFileReader.read(keys.readCap(), v,
        List.of(shares[0], firstBlockFlipped, truncated, shares[3])))
        .isInstanceOfSatisfying(MutableIntegrityException.class, e ->
            assertThat(e.badSources()).containsOnlyKeys(1, 2)
                // an integrity failure is named by its own message, not wrapped as an error
                .containsEntry(1, "share 1: block 0 does not match its block hash tree"));
  }

  /** The share hash chain is not signed: only its check against the signed root catches it. */
  @Test
  void aShareWithAWrongHashChainIsDropped() {
    byte[] plain = data(100, 21);
    byte[][] shares = MutableFileWriter.write(keys, 2, plain, SMALL, RANDOM);
    VersionId v = versionOf(shares[0]);
    byte[] badChain = shares[1].clone();
    badChain[ShareLayout.FIXED_LENGTH] ^= 1; // first byte of the chain
    List<ShareSource> sources = List.of(ByteArrayShare.wrap(shares[0]),
        ByteArrayShare.wrap(badChain), ByteArrayShare.wrap(shares[2]),
        ByteArrayShare.wrap(shares[3]));
    MutableFileReader.VerifyReport report = MutableFileReader.verify(keys.verifyCap(), v, sources);
    assertThat(report.goodShares()).containsExactly(0, 2, 3);
    assertThat(report.badSources()).containsOnlyKeys(1);
    assertThat(report.badSources().get(1))
        .contains("block tree root or share hash chain does not match the signed root");
    assertThat(MutableFileReader.read(keys.readCap(), v,
        List.of(shares[0], badChain, shares[2], shares[3]))).isEqualTo(plain);
  }

  @Test
  void aFileWithKEqualToNReadsBackFromAllItsShares() {
    byte[] plain = data(100, 22);
    byte[][] shares = MutableFileWriter.write(keys, 1, plain, new MutableParams(3, 3, 30),
        RANDOM);
    assertThat(MutableFileReader.read(keys.readCap(), versionOf(shares[0]), List.of(shares)))
        .isEqualTo(plain);
  }

  @Test
  void noValidShareAtAllIsAnIntegrityExceptionNamingEachSource() {
    byte[][] mine = MutableFileWriter.write(keys, 4, data(60, 23), SMALL, RANDOM);
    byte[][] older = MutableFileWriter.write(keys, 3, data(60, 24), SMALL, RANDOM);
    VersionId v = versionOf(mine[0]);
    assertThatThrownBy(() -> MutableFileReader.read(keys.readCap(), v,
        List.of(older[0], older[1])))
        .isInstanceOfSatisfying(MutableIntegrityException.class, e -> {
          assertThat(e).hasMessageStartingWith("no valid share of " + v);
          assertThat(e.badSources()).containsOnlyKeys(0, 1);
        });
  }

  @Test
  void sharesOfAnotherSlotOrVersionAreDropped() {
    MutableKeys other = MutableKeys.generate(RANDOM);
    byte[] plain = data(60, 9);
    byte[][] mine = MutableFileWriter.write(keys, 4, plain, SMALL, RANDOM);
    byte[][] older = MutableFileWriter.write(keys, 3, data(60, 10), SMALL, RANDOM);
    byte[][] theirs = MutableFileWriter.write(other, 4, plain, SMALL, RANDOM);
    VersionId v = versionOf(mine[0]);
    List<byte[]> mixed = new ArrayList<>(List.of(theirs[0], older[1], theirs[2]));
    mixed.addAll(List.of(mine[3], mine[7], mine[8]));
    assertThat(MutableFileReader.read(keys.readCap(), v, mixed)).isEqualTo(plain);
    assertThatThrownBy(() -> MutableFileReader.read(keys.readCap(), v,
        List.of(theirs[0], older[1], mine[2])))
        .isInstanceOfSatisfying(MutableIntegrityException.class, e -> {
          assertThat(e.badSources().get(0)).contains("another slot");
          assertThat(e.badSources().get(1)).contains("not " + v);
        });
  }

  @Test
  void verifyCapHoldersCheckWithoutDecrypting() {
    byte[][] shares = MutableFileWriter.write(keys, 5, data(100, 11), SMALL, RANDOM);
    VersionId v = versionOf(shares[0]);
    byte[] bad = shares[6].clone();
    bad[bad.length - 5] ^= 1;
    List<ShareSource> sources = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      sources.add(ByteArrayShare.wrap(i == 6 ? bad : shares[i]));
    }
    MutableFileReader.VerifyReport report =
        MutableFileReader.verify(keys.verifyCap(), v, sources);
    assertThat(report.goodShares()).containsExactly(0, 1, 2, 3, 4, 5, 7, 8, 9);
    assertThat(report.badSources()).containsOnlyKeys(6);
    assertThat(report.recoverable()).isTrue();
  }

  @Test
  void aWriteCapHolderRecoversTheSigningKeyFromAShareAndPublishesTheNextVersion() {
    byte[][] v1 = MutableFileWriter.write(keys, 1, data(40, 12), SMALL, RANDOM);
    MutableShare front = MutableShare.parse(v1[3]);
    MutableKeys recovered = MutableKeys.recover(keys.writeCap(), front.encryptedSeed(),
        front.verifyingKey());
    byte[] plain = data(40, 13);
    byte[][] v2 = MutableFileWriter.write(recovered, 2, plain, SMALL, RANDOM);
    assertThat(MutableFileReader.read(keys.readCap(), versionOf(v2[0]), List.of(v2)))
        .isEqualTo(plain);
  }

  @Test
  void theSameShareNumberFromTwoServersCountsOnce() {
    byte[] plain = data(100, 14);
    byte[][] shares = MutableFileWriter.write(keys, 1, plain, SMALL, RANDOM);
    VersionId v = versionOf(shares[0]);
    assertThat(MutableFileReader.read(keys.readCap(), v,
        List.of(shares[0], shares[0].clone(), shares[1], shares[2]))).isEqualTo(plain);
    assertThat(MutableFileReader.read(keys.readCap(), v,
        List.of(shares[4], shares[4].clone(), shares[4].clone(), shares[7], shares[9])))
        .isEqualTo(plain);
    assertThatThrownBy(() -> MutableFileReader.read(keys.readCap(), v,
        List.of(shares[0], shares[0].clone(), shares[1])))
        .isInstanceOf(MutableIntegrityException.class)
        .hasMessageContaining("only 2 of the 3 needed shares of " + v + " are valid");
  }

  @Test
  void aDuplicateStandsInWhenItsTwinFailsVerification() {
    byte[] plain = data(100, 15);
    byte[][] shares = MutableFileWriter.write(keys, 1, plain, SMALL, RANDOM);
    VersionId v = versionOf(shares[0]);
    byte[] bad = shares[0].clone();
    bad[(int) MutableShare.parse(bad).layout().blockOffset(1)] ^= 1;
    assertThat(MutableFileReader.read(keys.readCap(), v,
        List.of(bad, shares[0], shares[1], shares[2]))).isEqualTo(plain);
  }

  /** A share whose block fails verification is dropped for good: never read again. */
  @Test
  void aShareWithABadBlockIsNotReadForLaterSegments() {
    byte[] plain = data(100, 16); // four segments
    byte[][] shares = MutableFileWriter.write(keys, 1, plain, SMALL, RANDOM);
    VersionId v = versionOf(shares[0]);
    byte[] bad = shares[0].clone();
    ShareLayout layout = MutableShare.parse(bad).layout();
    bad[(int) layout.blockOffset(0)] ^= 1;
    List<Long> readsAfterBlock0 = new ArrayList<>();
    ShareSource badSource = (offset, dst, off, len) -> {
      if (offset >= layout.blockOffset(1)) {
        readsAfterBlock0.add(offset);
      }
      ByteArrayShare.wrap(bad).read(offset, dst, off, len);
    };
    List<ShareSource> sources = List.of(badSource, ByteArrayShare.wrap(shares[1]),
        ByteArrayShare.wrap(shares[2]), ByteArrayShare.wrap(shares[3]));
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    try {
      MutableFileReader.read(keys.readCap(), v, sources, out);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
    assertThat(out.toByteArray()).isEqualTo(plain);
    assertThat(readsAfterBlock0).isEmpty();
  }

  /** {@code shares[number]} with its signed header changed by {@code change} and re-signed. */
  private byte[] resigned(byte[] share, java.util.function.UnaryOperator<SignedHeader> change) {
    SignedHeader header = change.apply(MutableShare.parse(share).header());
    byte[] out = share.clone();
    System.arraycopy(header.encode(), 0, out, 0, SignedHeader.LENGTH);
    byte[] signature = keys.sign(header.signedDigest());
    System.arraycopy(signature, 0, out, SignedHeader.LENGTH + 32, signature.length);
    return out;
  }

  /**
   * The writer signed two headers for one version (same seqnum and root, another salt): the
   * reader keeps to the header of the first valid share it opened and drops the others, so it
   * never decrypts under a key the blocks were not encrypted with.
   */
  @Test
  void sharesOfOneVersionWithDifferentSignedHeadersAreNotMixed() {
    byte[] plain = data(100, 17);
    byte[][] shares = MutableFileWriter.write(keys, 1, plain, SMALL, RANDOM);
    VersionId v = versionOf(shares[0]);
    byte[] otherSalt = resigned(shares[3], h -> new SignedHeader(h.seqnum(), h.rootHash(),
        new byte[16], h.k(), h.n(), h.segmentSize(), h.dataLength()));
    assertThat(MutableShare.parse(otherSalt).header().versionId()).isEqualTo(v);
    MutableShare.parse(otherSalt).authenticate(keys.fingerprint());

    List<ShareSource> sources = new ArrayList<>();
    for (byte[] s : List.of(shares[0], shares[1], otherSalt, shares[2])) {
      sources.add(ByteArrayShare.wrap(s));
    }
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    try {
      MutableFileReader.read(keys.readCap(), v, sources, out);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
    assertThat(out.toByteArray()).isEqualTo(plain);
    MutableFileReader.VerifyReport report = MutableFileReader.verify(keys.verifyCap(), v, sources);
    assertThat(report.goodShares()).containsExactly(0, 1, 2);
    assertThat(report.badSources()).containsOnlyKeys(2);
    assertThat(report.badSources().get(2)).contains("header differs from share 0");

    // Listed first, the odd share sets the header; the honest ones are dropped, and with too
    // few left the read fails rather than decrypt under the wrong salt.
    assertThatThrownBy(() -> MutableFileReader.read(keys.readCap(), v,
        List.of(otherSalt, shares[0], shares[1], shares[2])))
        .isInstanceOfSatisfying(MutableIntegrityException.class, e ->
            assertThat(e.badSources()).containsOnlyKeys(1, 2, 3));
  }

  @Test
  void verifyReportsUnrecoverableWhenFewerThanKSharesAreGood() {
    byte[][] shares = MutableFileWriter.write(keys, 5, data(100, 18), SMALL, RANDOM);
    VersionId v = versionOf(shares[0]);
    MutableFileReader.VerifyReport two = MutableFileReader.verify(keys.verifyCap(), v,
        List.of(ByteArrayShare.wrap(shares[0]), ByteArrayShare.wrap(shares[1])));
    assertThat(two.recoverable()).isFalse();
    assertThat(two.k()).isEqualTo(3);
    MutableFileReader.VerifyReport three = MutableFileReader.verify(keys.verifyCap(), v,
        List.of(ByteArrayShare.wrap(shares[0]), ByteArrayShare.wrap(shares[1]),
            ByteArrayShare.wrap(shares[2])));
    assertThat(three.recoverable()).isTrue();
  }

  @Test
  void streamingWriteRejectsShortPlaintext() {
    List<ShareSink> sinks = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      sinks.add((pos, d, off, len) -> { });
    }
    assertThatThrownBy(() -> MutableFileWriter.write(keys, 1,
        new java.io.ByteArrayInputStream(new byte[10]), 50, SMALL, RANDOM, sinks))
        .isInstanceOf(EOFException.class);
  }

  /** A source that records whether a block or inner tree node of its share was read. */
  private static ShareSource watched(byte[] share, List<Integer> readBeyondFront, int tag) {
    long front = MutableShare.parse(share).prefixLength();
    return (offset, dst, off, len) -> {
      if (offset > front) { // the block tree root at the front's end is read on opening
        readBeyondFront.add(tag);
      }
      ByteArrayShare.wrap(share).read(offset, dst, off, len);
    };
  }

  /**
   * Whatever order the servers answered in, the data shares (numbered below k) are used when
   * they are good: a parity share listed first is opened but none of its blocks is read.
   */
  @Test
  void dataSharesArePreferredWhateverTheOrderGiven() throws java.io.IOException {
    byte[] plain = data(100, 19);
    byte[][] shares = MutableFileWriter.write(keys, 1, plain, SMALL, RANDOM);
    VersionId v = versionOf(shares[0]);
    List<Integer> read = new ArrayList<>();
    List<ShareSource> sources = List.of(watched(shares[9], read, 9), watched(shares[2], read, 2),
        watched(shares[5], read, 5), watched(shares[0], read, 0), watched(shares[1], read, 1));
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    MutableFileReader.read(keys.readCap(), v, sources, out);
    assertThat(out.toByteArray()).isEqualTo(plain);
    assertThat(read).doesNotContain(9, 5).contains(0, 1, 2);
  }

  /** A server that fails mid-read is dropped and named with the failure. */
  @Test
  void aSourceFailingOnABlockIsNamedWithItsError() {
    byte[] plain = data(100, 20);
    byte[][] shares = MutableFileWriter.write(keys, 1, plain, SMALL, RANDOM);
    VersionId v = versionOf(shares[0]);
    long front = MutableShare.parse(shares[1]).prefixLength();
    ShareSource failing = (offset, dst, off, len) -> {
      if (offset > front) {
        throw new java.io.IOException("server went away");
      }
      ByteArrayShare.wrap(shares[1]).read(offset, dst, off, len);
    };
    List<ShareSource> sources = List.of(ByteArrayShare.wrap(shares[0]), failing,
        ByteArrayShare.wrap(shares[2]));
    assertThatThrownBy(() -> MutableFileReader.read(keys.readCap(), v, sources,
        new java.io.ByteArrayOutputStream()))
        .isInstanceOfSatisfying(MutableIntegrityException.class, e -> {
          assertThat(e).hasMessageStartingWith("segment 0 of " + v + ": only 2 of the 3");
          assertThat(e.badSources()).containsOnlyKeys(1);
          assertThat(e.badSources().get(1))
              .isEqualTo("share 1: java.io.IOException: server went away");
        });
    MutableFileReader.VerifyReport report = MutableFileReader.verify(keys.verifyCap(), v, sources);
    assertThat(report.goodShares()).containsExactly(0, 2);
    assertThat(report.badSources().get(1))
        .isEqualTo("share 1: java.io.IOException: server went away");
  }
}
