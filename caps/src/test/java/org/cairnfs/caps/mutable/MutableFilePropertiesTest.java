package org.cairnfs.caps.mutable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.cairnfs.caps.MutableReadCap;
import org.cairnfs.caps.MutableVerifyCap;
import org.cairnfs.caps.share.ByteArrayShare;
import org.cairnfs.caps.share.ShareSource;

/**
 * Write/read identity of mutable versions over arbitrary sizes, parameters and share subsets,
 * verify-cap checking, and the seqnum rule of {@link SlotWriteCheck}.
 */
class MutableFilePropertiesTest {
  static final int MAX_SIZE = 100 * 1024;
  static final int MAX_SEGMENTS = 300;
  /** Segment sizes as multiples of k. */
  static final Integer[] SEGMENT_MULTIPLES = {1, 2, 5, 33, 100, 1000, 5461};

  /** A plaintext by size and seed, so large inputs are cheap to generate and print. */
  record Input(MutableParams params, int size, long seed) {
    byte[] plaintext() {
      byte[] data = new byte[size];
      new Random(seed).nextBytes(data);
      return data;
    }
  }

  @Provide
  Arbitrary<MutableParams> params() {
    return Arbitraries.integers().between(1, 12).flatMap(k ->
        Combinators.combine(Arbitraries.integers().between(k, 20),
                Arbitraries.of(SEGMENT_MULTIPLES))
            .as((n, m) -> new MutableParams(k, n, k * m)));
  }

  static Arbitrary<Integer> sizes(int segment) {
    int max = (int) Math.min(MAX_SIZE, (long) segment * MAX_SEGMENTS);
    TreeSet<Integer> edges = new TreeSet<>(List.of(0, 1, max));
    for (long m : new long[] {1, 2, max / segment}) {
      for (long d = -1; d <= 1; d++) {
        long size = m * segment + d;
        if (size >= 0 && size <= max) {
          edges.add((int) size);
        }
      }
    }
    return Arbitraries.frequencyOf(
        Tuple.of(2, Arbitraries.of(edges)),
        Tuple.of(3, Arbitraries.integers().between(0, max)));
  }

  @Provide
  Arbitrary<Input> inputs() {
    return params().flatMap(p -> Combinators.combine(sizes(p.segmentSize()), Arbitraries.longs())
        .as((size, seed) -> new Input(p, size, seed)));
  }

  @Provide
  Arbitrary<MutableKeys> keys() {
    return Arbitraries.bytes().array(byte[].class).ofSize(32).map(MutableKeys::fromSeed);
  }

  @Provide
  Arbitrary<Long> seqnums() {
    return Arbitraries.longs().between(0, Long.MAX_VALUE);
  }

  static List<Integer> shuffled(int n, Random random) {
    List<Integer> numbers = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      numbers.add(i);
    }
    Collections.shuffle(numbers, random);
    return numbers;
  }

  @Property(tries = 60)
  void anyKOrMoreSharesInAnyOrderReadBackThePlaintext(@ForAll("inputs") Input in,
      @ForAll("keys") MutableKeys keys, @ForAll("seqnums") long seqnum, @ForAll long choice) {
    byte[] plain = in.plaintext();
    MutableParams p = in.params();
    byte[][] shares =
        MutableFileWriter.write(keys, seqnum, plain, p, new FixedRandom((int) choice));

    assertThat(shares.length).isEqualTo(p.n());
    SignedHeader header = MutableShare.parse(shares[0]).header();
    assertThat(header.seqnum()).isEqualTo(seqnum);
    assertThat(header.k()).isEqualTo(p.k());
    assertThat(header.n()).isEqualTo(p.n());
    assertThat(header.dataLength()).isEqualTo(plain.length);
    for (int i = 0; i < shares.length; i++) {
      MutableShare share = MutableShare.parse(shares[i]);
      assertThat(share.shareNumber()).isEqualTo(i);
      assertThat(share.header()).isEqualTo(header);
    }
    VersionId version = header.versionId();

    MutableReadCap readCap = keys.writeCap().readOnly();
    MutableVerifyCap verifyCap = (MutableVerifyCap) readCap.verifyCap().orElseThrow();
    assertThat(verifyCap).isEqualTo(keys.verifyCap());

    Random random = new Random(choice);
    List<Integer> numbers = shuffled(p.n(), random);
    List<Integer> chosen = numbers.subList(0, p.k() + random.nextInt(p.n() - p.k() + 1));
    List<byte[]> subset = new ArrayList<>();
    List<ShareSource> sources = new ArrayList<>();
    for (int i : chosen) {
      subset.add(shares[i]);
      sources.add(ByteArrayShare.wrap(shares[i]));
    }
    assertThat(MutableFileReader.read(readCap, version, subset))
        .as("read from shares %s", chosen).isEqualTo(plain);

    MutableFileReader.VerifyReport report = MutableFileReader.verify(verifyCap, version, sources);
    assertThat(report.goodShares()).containsExactlyInAnyOrderElementsOf(chosen);
    assertThat(report.badSources()).isEmpty();
    assertThat(report.recoverable()).isTrue();

    if (p.k() > 1) {
      List<byte[]> tooFew = subset.subList(0, p.k() - 1);
      assertThatThrownBy(() -> MutableFileReader.read(readCap, version, tooFew))
          .isInstanceOf(MutableIntegrityException.class);
      List<ShareSource> fewSources = sources.subList(0, p.k() - 1);
      assertThat(MutableFileReader.verify(verifyCap, version, fewSources).recoverable())
          .isFalse();
    }
  }

  /** A seqnum the server holds, or none, chosen around the submitted one. */
  @Provide
  Arbitrary<long[]> seqnumPairs() {
    return seqnums().flatMap(s -> {
      List<Long> near = new ArrayList<>(List.of(0L, s, Long.MAX_VALUE));
      if (s > 0) {
        near.add(s - 1);
      }
      if (s < Long.MAX_VALUE) {
        near.add(s + 1);
      }
      Arbitrary<long[]> held = Arbitraries.frequencyOf(
          Tuple.of(3, Arbitraries.of(near)),
          Tuple.of(2, seqnums()),
          Tuple.of(1, Arbitraries.longs().between(Long.MIN_VALUE, -1))
      ).map(h -> new long[] {s, h});
      return Arbitraries.oneOf(held, Arbitraries.just(new long[] {s}));
    });
  }

  @Property(tries = 60)
  void slotWriteCheckAcceptsOnlyAHigherSeqnum(@ForAll("keys") MutableKeys keys,
      @ForAll("keys") MutableKeys other, @ForAll("seqnumPairs") long[] pair,
      @ForAll long choice) {
    long seqnum = pair[0];
    OptionalLong held = pair.length > 1 ? OptionalLong.of(pair[1]) : OptionalLong.empty();
    Random random = new Random(choice);
    MutableParams params = new MutableParams(1 + random.nextInt(3), 4, 12);
    byte[] plain = new byte[random.nextInt(100)];
    random.nextBytes(plain);
    byte[][] shares = MutableFileWriter.write(keys, seqnum, plain, params,
        new FixedRandom((int) choice));
    int number = random.nextInt(shares.length);
    byte[] share = shares[number];
    byte[] prefix = Arrays.copyOf(share, SlotWriteCheck.PREFIX_LENGTH);

    boolean fresh = held.isEmpty() || held.getAsLong() < seqnum;
    if (fresh) {
      SlotWriteCheck.Accepted accepted =
          SlotWriteCheck.check(keys.storageIndex(), number, share, held);
      assertThat(accepted.seqnum()).isEqualTo(seqnum);
      assertThat(accepted.header()).isEqualTo(MutableShare.parse(share).header());
    } else {
      assertThatThrownBy(() -> SlotWriteCheck.check(keys.storageIndex(), number, share, held))
          .isInstanceOfSatisfying(SlotWriteRejectedException.class, e -> assertThat(e.reason())
              .isEqualTo(SlotWriteRejectedException.Reason.STALE_SEQNUM));
    }
    // The signed prefix alone authenticates but is never a share a server may store.
    assertThat(SlotWriteCheck.authenticate(keys.storageIndex(), prefix).seqnum())
        .isEqualTo(seqnum);
    assertThatThrownBy(() -> SlotWriteCheck.check(keys.storageIndex(), number, prefix, held))
        .isInstanceOfSatisfying(SlotWriteRejectedException.class, e -> assertThat(e.reason())
            .isEqualTo(SlotWriteRejectedException.Reason.MALFORMED));
    if (!other.storageIndex().equals(keys.storageIndex())) {
      assertThatThrownBy(() -> SlotWriteCheck.check(other.storageIndex(), number, share, held))
          .isInstanceOfSatisfying(SlotWriteRejectedException.class, e -> assertThat(e.reason())
              .isEqualTo(SlotWriteRejectedException.Reason.WRONG_KEY));
    }
  }
}
