package org.cairnfs.caps.immutable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import org.cairnfs.caps.Cap;
import org.cairnfs.caps.ImmutableReadCap;
import org.cairnfs.caps.LiteralCap;
import org.cairnfs.caps.share.ByteArrayShare;
import org.cairnfs.caps.share.ShareSource;

/**
 * Encode/decode identity of immutable files over arbitrary sizes, parameters, keys and share
 * subsets, and "plaintext or IntegrityException, never wrong bytes" under corruption.
 */
class ImmutableCodecPropertiesTest {
  static final int MAX_SIZE = 200 * 1024;
  /** Caps the segment count so tiny segment sizes stay fast. */
  static final int MAX_SEGMENTS = 300;
  /** Includes 1, sizes below and above k, primes, powers of two and non-multiples of any k. */
  static final Integer[] SEGMENT_SIZES = {1, 2, 7, 64, 1000, 4096, 10_007, 65_536};

  /** A plaintext by size and seed, so large inputs are cheap to generate and print. */
  record Input(EncodingParams params, int size, long seed) {
    byte[] plaintext() {
      byte[] data = new byte[size];
      new Random(seed).nextBytes(data);
      return data;
    }

    int segmentCount() {
      return (int) ((size + (long) params.segmentSize() - 1) / params.segmentSize());
    }
  }

  /** How the file key is chosen. */
  enum Keying { CONVERGENT, RANDOM }

  /** The shares an encode produced, by share number. */
  record Encoded(Cap cap, byte[][] shares) {
    Map<Integer, ShareSource> sources(List<Integer> numbers) {
      Map<Integer, ShareSource> map = new LinkedHashMap<>();
      for (int i : numbers) {
        map.put(i, ByteArrayShare.wrap(shares[i]));
      }
      return map;
    }
  }

  @Provide
  Arbitrary<EncodingParams> params() {
    return Arbitraries.integers().between(1, 12).flatMap(k ->
        Arbitraries.integers().between(k, 20).flatMap(n ->
            Combinators.combine(Arbitraries.integers().between(k, n),
                    Arbitraries.of(SEGMENT_SIZES))
                .as((happy, segment) -> new EncodingParams(k, happy, n, segment))));
  }

  /** Sizes up to 200 KiB, weighted toward 0, the literal limit and segment boundaries. */
  static Arbitrary<Integer> sizes(int segment) {
    int max = (int) Math.min(MAX_SIZE, (long) segment * MAX_SEGMENTS);
    TreeSet<Integer> edges = new TreeSet<>(List.of(0, 1, LiteralCap.MAX_SIZE,
        LiteralCap.MAX_SIZE + 1, LiteralCap.MAX_SIZE + 2, max));
    for (long m : new long[] {1, 2, 3, max / segment}) {
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
  Arbitrary<Input> shareInputs() {
    return inputs().filter(in -> in.size() > LiteralCap.MAX_SIZE);
  }

  @Provide
  Arbitrary<byte[]> secrets() {
    return Arbitraries.bytes().array(byte[].class).ofMaxSize(64);
  }

  static SecureRandom seeded(long seed) {
    try {
      SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
      random.setSeed(seed);
      return random;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static ImmutableEncoder encoder(Keying keying, EncodingParams params, byte[] secret,
      long seed) {
    return keying == Keying.CONVERGENT ? ImmutableEncoder.convergent(params, secret)
        : ImmutableEncoder.randomKey(params, seeded(seed));
  }

  static Encoded encode(ImmutableEncoder encoder, byte[] plaintext) throws IOException {
    Map<Integer, ByteArrayShare> sinks = new TreeMap<>();
    Cap cap = encoder.encode(PlaintextSource.of(plaintext), (i, length) -> {
      ByteArrayShare sink = new ByteArrayShare(length);
      assertThat(sinks.put(i, sink)).as("share %d opened twice", i).isNull();
      return sink;
    });
    byte[][] shares = new byte[sinks.size()][];
    for (Map.Entry<Integer, ByteArrayShare> e : sinks.entrySet()) {
      assertThat(e.getKey()).isLessThan(shares.length);
      shares[e.getKey()] = e.getValue().bytes();
    }
    return new Encoded(cap, shares);
  }

  /** Share numbers 0..n-1 in random order. */
  static List<Integer> shuffled(int n, Random random) {
    List<Integer> numbers = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      numbers.add(i);
    }
    Collections.shuffle(numbers, random);
    return numbers;
  }

  static byte[] slice(byte[] plaintext, int segmentSize, int segment) {
    int from = segment * segmentSize;
    return Arrays.copyOfRange(plaintext, from, Math.min(plaintext.length, from + segmentSize));
  }

  @Property(tries = 100)
  void anyKOrMoreSharesInAnyOrderDecodeToThePlaintext(@ForAll("inputs") Input in,
      @ForAll Keying keying, @ForAll("secrets") byte[] secret, @ForAll long choice)
      throws IOException {
    byte[] plain = in.plaintext();
    EncodingParams p = in.params();
    Encoded e = encode(encoder(keying, p, secret, choice), plain);

    if (plain.length <= LiteralCap.MAX_SIZE) {
      assertThat(e.cap()).isEqualTo(new LiteralCap(plain));
      assertThat(e.shares()).isEmpty();
      return;
    }
    assertThat(e.cap()).isInstanceOf(ImmutableReadCap.class);
    ImmutableReadCap cap = (ImmutableReadCap) e.cap();
    assertThat(cap.size()).isEqualTo(plain.length);
    assertThat(cap.k()).isEqualTo(p.k());
    assertThat(cap.n()).isEqualTo(p.n());
    assertThat(e.shares().length).isEqualTo(p.n());
    assertThat(Cap.parse(cap.toString())).isEqualTo(cap);

    Random random = new Random(choice);
    List<Integer> numbers = shuffled(p.n(), random);
    List<Integer> chosen = numbers.subList(0, p.k() + random.nextInt(p.n() - p.k() + 1));

    ImmutableDecoder decoder = ImmutableDecoder.of(cap, e.sources(chosen));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    decoder.decode(out);
    assertThat(out.toByteArray()).as("decode from shares %s", chosen).isEqualTo(plain);
    assertThat(decoder.badShares()).isEmpty();
    assertThat(decoder.layout().segmentCount()).isEqualTo(in.segmentCount());

    try (InputStream stream = ImmutableDecoder.of(cap, e.sources(chosen)).openStream()) {
      assertThat(stream.readAllBytes()).as("stream from shares %s", chosen).isEqualTo(plain);
    }

    int segment = random.nextInt(in.segmentCount());
    ImmutableDecoder single = ImmutableDecoder.of(cap, e.sources(chosen));
    assertThat(single.readSegment(segment)).as("segment %d from shares %s", segment, chosen)
        .isEqualTo(slice(plain, p.segmentSize(), segment));
    assertThatThrownBy(() -> single.readSegment(in.segmentCount()))
        .isInstanceOf(IndexOutOfBoundsException.class);

    if (p.k() > 1) {
      List<Integer> tooFew = numbers.subList(0, p.k() - 1);
      assertThatThrownBy(() -> ImmutableDecoder.of(cap, e.sources(tooFew))
          .decode(new ByteArrayOutputStream())).isInstanceOf(IntegrityException.class);
    }
  }

  @Property(tries = 40)
  void convergentEncodingIsDeterministicAndBoundToTheSecret(@ForAll("shareInputs") Input in,
      @ForAll("secrets") byte[] secret, @ForAll("secrets") byte[] otherSecret,
      @ForAll long seed) throws IOException {
    byte[] plain = in.plaintext();
    EncodingParams p = in.params();
    Encoded first = encode(ImmutableEncoder.convergent(p, secret), plain);
    Encoded again = encode(ImmutableEncoder.convergent(p, secret), plain);

    assertThat(again.cap()).isEqualTo(first.cap());
    assertThat(again.cap().toString()).isEqualTo(first.cap().toString());
    assertThat(again.shares()).isDeepEqualTo(first.shares());

    if (!Arrays.equals(secret, otherSecret)) {
      ImmutableReadCap a = (ImmutableReadCap) first.cap();
      ImmutableReadCap b =
          (ImmutableReadCap) encode(ImmutableEncoder.convergent(p, otherSecret), plain).cap();
      assertThat(b).isNotEqualTo(a);
      assertThat(b.key()).isNotEqualTo(a.key());
      assertThat(b.index()).isNotEqualTo(a.index());
    }

    ImmutableEncoder random = ImmutableEncoder.randomKey(p, seeded(seed));
    ImmutableReadCap r1 = (ImmutableReadCap) encode(random, plain).cap();
    ImmutableReadCap r2 = (ImmutableReadCap) encode(random, plain).cap();
    assertThat(r2.key()).isNotEqualTo(r1.key());
    assertThat(r2.index()).isNotEqualTo(r1.index());
  }

  /**
   * Decoding {@code sources} gives exactly the plaintext, or an IntegrityException that names
   * {@code victim}; bytes written before the exception are a prefix of the plaintext.
   */
  static void plaintextOrIntegrityException(ImmutableReadCap cap, byte[] plain,
      Map<Integer, ShareSource> sources, int victim, String what) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImmutableDecoder.of(cap, sources).decode(out);
      assertThat(out.toByteArray()).as(what).isEqualTo(plain);
    } catch (IntegrityException e) {
      assertThat(e.badShares()).as(what).containsOnlyKeys(victim);
      byte[] written = out.toByteArray();
      assertThat(written).as("%s: bytes before the exception", what)
          .isEqualTo(Arrays.copyOf(plain, written.length));
    } catch (IOException | RuntimeException e) {
      fail(what + " threw " + e, e);
    }
  }

  @Property(tries = 100)
  void aCorruptedByteNeverYieldsWrongPlaintext(@ForAll("shareInputs") Input in,
      @ForAll long choice, @ForAll @IntRange(min = 1, max = 255) int mask) throws IOException {
    byte[] plain = in.plaintext();
    EncodingParams p = in.params();
    Encoded e = encode(ImmutableEncoder.convergent(p, Shares.SECRET), plain);
    ImmutableReadCap cap = (ImmutableReadCap) e.cap();
    Random random = new Random(choice);
    int victim = random.nextInt(p.n());
    byte[] bad = e.shares()[victim].clone();
    // Half the flips land in the front (header, extension block, chain, trees), half anywhere.
    int at = random.nextBoolean() ? random.nextInt(Math.min(bad.length, 1024))
        : random.nextInt(bad.length);
    bad[at] ^= (byte) mask;
    String what = "share " + victim + " byte " + at + " ^ " + mask;

    List<Integer> others = shuffled(p.n(), random);
    others.remove(Integer.valueOf(victim));
    List<Integer> order = new ArrayList<>(others.subList(0, p.k() - 1));
    order.add(random.nextInt(order.size() + 1), victim);
    Map<Integer, ShareSource> exactlyK = e.sources(order);
    exactlyK.put(victim, ByteArrayShare.wrap(bad));
    plaintextOrIntegrityException(cap, plain, exactlyK, victim, what + " among " + order);

    int segment = random.nextInt(in.segmentCount());
    try {
      assertThat(ImmutableDecoder.of(cap, exactlyK).readSegment(segment))
          .as("%s, segment %d", what, segment)
          .isEqualTo(slice(plain, p.segmentSize(), segment));
    } catch (IntegrityException ex) {
      assertThat(ex.badShares()).as(what).containsOnlyKeys(victim);
    }

    if (p.n() > p.k()) {
      List<Integer> spare = new ArrayList<>(order);
      spare.add(others.get(p.k() - 1));
      Map<Integer, ShareSource> withSpare = e.sources(spare);
      withSpare.put(victim, ByteArrayShare.wrap(bad));
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ImmutableDecoder.of(cap, withSpare).decode(out);
      assertThat(out.toByteArray()).as("%s with a spare share: %s", what, spare)
          .isEqualTo(plain);
    }
  }
}
