package org.cairnfs.caps.immutable;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.cairnfs.caps.Cap;
import org.cairnfs.caps.ImmutableReadCap;
import org.cairnfs.caps.LiteralCap;
import org.cairnfs.caps.share.ByteArrayShare;
import org.cairnfs.caps.share.FileChannelShare;
import org.cairnfs.caps.share.ShareSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ImmutableRoundTripTest {
  static final int SEGMENT = 1000;

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2, 3, 55})
  void tinyFilesBecomeLiteralCaps(int size) throws IOException {
    byte[] data = Shares.random(size, size);
    List<Integer> opened = new ArrayList<>();
    Cap cap = ImmutableEncoder.convergent(EncodingParams.DEFAULTS, Shares.SECRET)
        .encode(PlaintextSource.of(data), (i, length) -> {
          opened.add(i);
          return new ByteArrayShare(length);
        });
    assertThat(cap).isEqualTo(new LiteralCap(data));
    assertThat(opened).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(ints = {56, 57, SEGMENT - 1, SEGMENT, SEGMENT + 1, 3 * SEGMENT + 7, 10 * SEGMENT})
  void sizesAroundSegmentBoundaries(int size) throws IOException {
    Shares s = Shares.encode(Shares.params(3, 10, SEGMENT), Shares.random(size, size));
    assertThat(s.cap().size()).isEqualTo(size);
    assertThat(Shares.decode(s.cap(), s.all())).isEqualTo(s.plaintext());
    assertThat(Shares.decode(s.cap(), s.sources(7, 8, 9))).isEqualTo(s.plaintext());
  }

  @Test
  void segmentSizeSmallerThanK() throws IOException {
    Shares s = Shares.encode(Shares.params(5, 7, 3), Shares.random(100, 1));
    assertThat(Shares.decode(s.cap(), s.sources(1, 3, 4, 5, 6))).isEqualTo(s.plaintext());
  }

  @Test
  void everySubsetOfAtLeastKSharesDecodes() throws IOException {
    Shares s = Shares.encode(Shares.params(3, 10, 64), Shares.random(300, 2));
    int decoded = 0;
    for (int mask = 0; mask < 1 << 10; mask++) {
      if (Integer.bitCount(mask) < 3) {
        continue;
      }
      int[] numbers = new int[Integer.bitCount(mask)];
      for (int i = 0, j = 0; i < 10; i++) {
        if ((mask & (1 << i)) != 0) {
          numbers[j++] = i;
        }
      }
      assertThat(Shares.decode(s.cap(), s.sources(numbers)))
          .as("shares %s", Arrays.toString(numbers)).isEqualTo(s.plaintext());
      decoded++;
    }
    assertThat(decoded).isEqualTo(1024 - 1 - 10 - 45);
  }

  @ParameterizedTest
  @ValueSource(strings = {"20,200,700", "1,1,100", "4,4,50", "1,5,64", "7,9,333", "2,256,90"})
  void randomSubsetsForOtherParameters(String spec) throws IOException {
    String[] p = spec.split(",");
    int k = Integer.parseInt(p[0]);
    int n = Integer.parseInt(p[1]);
    Shares s = Shares.encode(Shares.params(k, n, Integer.parseInt(p[2])),
        Shares.random(5000, k * 1000 + n));
    Random random = new Random(n);
    List<Integer> numbers = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      numbers.add(i);
    }
    for (int trial = 0; trial < 5; trial++) {
      Collections.shuffle(numbers, random);
      int take = k + random.nextInt(n - k + 1);
      int[] chosen = numbers.subList(0, take).stream().mapToInt(Integer::intValue).toArray();
      assertThat(Shares.decode(s.cap(), s.sources(chosen)))
          .as("%s with shares %s", spec, Arrays.toString(chosen)).isEqualTo(s.plaintext());
    }
  }

  @Test
  void tenMebibytesWithDefaults() throws IOException {
    Shares s = Shares.encode(EncodingParams.DEFAULTS, Shares.random(10 << 20, 3));
    assertThat(Shares.decode(s.cap(), s.all())).isEqualTo(s.plaintext());
    assertThat(Shares.decode(s.cap(), s.sources(2, 5, 9))).isEqualTo(s.plaintext());
  }

  @Test
  void streamReadsTheSameBytes() throws IOException {
    Shares s = Shares.encode(Shares.params(3, 10, 100), Shares.random(1234, 4));
    try (InputStream in = ImmutableDecoder.of(s.cap(), s.sources(0, 4, 8)).openStream()) {
      byte[] first = new byte[7];
      assertThat(in.readNBytes(first, 0, 7)).isEqualTo(7);
      int single = in.read();
      byte[] rest = in.readAllBytes();
      byte[] all = new byte[1234];
      System.arraycopy(first, 0, all, 0, 7);
      all[7] = (byte) single;
      System.arraycopy(rest, 0, all, 8, rest.length);
      assertThat(rest).hasSize(1234 - 8);
      assertThat(all).isEqualTo(s.plaintext());
      assertThat(in.read()).isEqualTo(-1);
      assertThat(in.read(new byte[3], 0, 0)).as("a zero-length read at the end").isZero();
    }
  }

  @Test
  void singleSegmentReadEqualsTheSlice() throws IOException {
    Shares s = Shares.encode(Shares.params(3, 10, 100), Shares.random(1050, 5));
    ImmutableDecoder systematic = ImmutableDecoder.of(s.cap(), s.all());
    ImmutableDecoder degraded = ImmutableDecoder.of(s.cap(), s.sources(1, 6, 9));
    for (int seg : new int[] {3, 0, 10, 7}) {
      byte[] slice = Arrays.copyOfRange(s.plaintext(), seg * 100, Math.min(1050, seg * 100 + 100));
      assertThat(systematic.readSegment(seg)).as("segment %d", seg).isEqualTo(slice);
      assertThat(degraded.readSegment(seg)).as("degraded segment %d", seg).isEqualTo(slice);
    }
  }

  @Test
  void aCiphertextDecoderBoundsSegmentsAndHoldsNoKey() throws IOException {
    Shares s = Shares.encode(Shares.params(3, 10, 100), Shares.random(1050, 7));
    ImmutableDecoder d = ImmutableDecoder.ofCiphertext(s.cap().verifier(), s.all(),
        java.util.Comparator.naturalOrder());
    int segments = d.layout().segmentCount();
    assertThat(segments).isEqualTo(11);
    byte[][] into = new byte[3][d.layout().maxBlockLength()];
    d.readCiphertext(segments - 1, 1, into);
    for (int bad : new int[] {segments, -1}) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> d.readCiphertext(bad, 1, into))
          .isInstanceOf(IndexOutOfBoundsException.class)
          .hasMessage("segment " + bad + " of a file with " + segments);
    }
    // Without the read key there is no plaintext to give, by any of the three ways.
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> d.decode(new ByteArrayOutputStream()))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("holds no read key");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> d.readSegment(0))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("holds no read key");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> d.openStream().read())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("holds no read key");
  }

  @Test
  void convergenceGivesTheSameCapAndRandomKeysDoNot() throws IOException {
    EncodingParams params = Shares.params(3, 10, 100);
    byte[] data = Shares.random(500, 6);
    Shares a = Shares.encode(params, data);
    Shares b = Shares.encode(params, data);
    assertThat(b.cap()).isEqualTo(a.cap());
    assertThat(b.shares()).isDeepEqualTo(a.shares());
    Cap other = ImmutableEncoder.convergent(params, "other secret".getBytes())
        .encode(PlaintextSource.of(data), (i, length) -> new ByteArrayShare(length));
    assertThat(((ImmutableReadCap) other).key()).isNotEqualTo(a.cap().key());
    ImmutableEncoder random = ImmutableEncoder.randomKey(params, new java.security.SecureRandom());
    Cap r1 = random.encode(PlaintextSource.of(data), (i, length) -> new ByteArrayShare(length));
    Cap r2 = random.encode(PlaintextSource.of(data), (i, length) -> new ByteArrayShare(length));
    assertThat(r1).isNotEqualTo(r2);
  }

  @Test
  void convergentKeyCoversParams() {
    byte[] hash = new byte[32];
    assertThat(ConvergentKey.derive(Shares.SECRET, Shares.params(3, 10, 100), hash))
        .isNotEqualTo(ConvergentKey.derive(Shares.SECRET, Shares.params(3, 10, 101), hash))
        .isNotEqualTo(ConvergentKey.derive(Shares.SECRET, Shares.params(3, 11, 100), hash))
        .isNotEqualTo(ConvergentKey.derive(Shares.SECRET, Shares.params(4, 10, 100), hash));
  }

  @Test
  void encodesToFilesAndDecodesFromThem(@TempDir Path dir) throws IOException {
    byte[] data = Shares.random(5000, 1);
    EncodingParams params = Shares.params(3, 5, 700);
    ImmutableReadCap cap = (ImmutableReadCap) ImmutableEncoder.convergent(params, Shares.SECRET)
        .encode(PlaintextSource.of(data), (i, length) -> new FileChannelShare(FileChannel.open(
            dir.resolve("share" + i), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)));
    assertThat(Files.size(dir.resolve("share0")))
        .isEqualTo(ShareLayout.of(params, 5000).shareLength());
    Map<Integer, ShareSource> sources = new TreeMap<>();
    for (int i : new int[] {1, 3, 4}) {
      sources.put(i, new FileChannelShare(FileChannel.open(dir.resolve("share" + i))));
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImmutableDecoder.of(cap, sources).decode(out);
    assertThat(out.toByteArray()).isEqualTo(data);
  }
}
