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
                .hasEntrySatisfying(1, reason -> assertThat(reason).contains("share 1")));
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
  void streamingWriteRejectsShortPlaintext() {
    List<ShareSink> sinks = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      sinks.add((pos, d, off, len) -> { });
    }
    assertThatThrownBy(() -> MutableFileWriter.write(keys, 1,
        new java.io.ByteArrayInputStream(new byte[10]), 50, SMALL, RANDOM, sinks))
        .isInstanceOf(EOFException.class);
  }
}
