package org.cairnfs.caps;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** Caps of every kind for tests: fixed ones and jqwik generators. */
final class CapSamples {
  private CapSamples() {}

  /** {@code length} bytes counting up from {@code first}, wrapping at 256. */
  static byte[] bytes(int length, int first) {
    byte[] b = new byte[length];
    for (int i = 0; i < length; i++) {
      b[i] = (byte) (first + i);
    }
    return b;
  }

  static MutableWriteCap mutableWrite() {
    return new MutableWriteCap(bytes(32, 1), bytes(32, 101));
  }

  static ImmutableReadCap immutableRead() {
    return new ImmutableReadCap(bytes(32, 201), bytes(32, 51), 3, 10, 123_456_789L);
  }

  static ChunkedReadCap chunkedRead() {
    return new ChunkedReadCap(bytes(32, 61), bytes(32, 171), 3, 10, 4 << 20, 200L << 30);
  }

  /** One cap of every known kind, write caps first, then read, then verify. */
  static List<Cap> oneOfEachKind() {
    MutableWriteCap mut = mutableWrite();
    ImmutableReadCap chk = immutableRead();
    LiteralCap lit = new LiteralCap(bytes(20, 7));
    ChunkedReadCap cf = chunkedRead();
    return List.of(
        mut,
        new DirectoryWriteCap(new MutableWriteCap(bytes(32, 9), bytes(32, 77))),
        lit,
        new LiteralDirectoryCap(lit),
        chk,
        new ImmutableDirectoryReadCap(chk),
        cf,
        mut.readOnly(),
        new DirectoryReadCap(new MutableReadCap(bytes(32, 13), bytes(32, 88))),
        chk.verifier(),
        new ImmutableDirectoryVerifyCap(chk.verifier()),
        new MutableVerifyCap(bytes(32, 31)),
        new DirectoryVerifyCap(new MutableVerifyCap(bytes(32, 41))),
        cf.verifier());
  }

  static Arbitrary<byte[]> bytes(int length) {
    return Arbitraries.bytes().array(byte[].class).ofSize(length);
  }

  static Arbitrary<ImmutableReadCap> immutableReads() {
    Arbitrary<Integer> n = Arbitraries.integers().between(1, 256);
    Arbitrary<int[]> kn = n.flatMap(nn -> Arbitraries.integers().between(1, nn)
        .map(kk -> new int[] {kk, nn}));
    Arbitrary<Long> size = Arbitraries.oneOf(
        Arbitraries.longs().between(0, Long.MAX_VALUE), Arbitraries.of(0L, Long.MAX_VALUE));
    return Combinators.combine(bytes(32), bytes(32), kn, size)
        .as((key, hash, p, s) -> new ImmutableReadCap(key, hash, p[0], p[1], s));
  }

  static Arbitrary<ChunkedReadCap> chunkedReads() {
    Arbitrary<Integer> n = Arbitraries.integers().between(1, 256);
    Arbitrary<int[]> kn = n.flatMap(nn -> Arbitraries.integers().between(1, nn)
        .map(kk -> new int[] {kk, nn}));
    Arbitrary<Integer> chunk = Arbitraries.oneOf(
        Arbitraries.integers().between(ChunkedReadCap.MIN_CHUNK_SIZE,
            ChunkedReadCap.MAX_CHUNK_SIZE),
        Arbitraries.of(ChunkedReadCap.MIN_CHUNK_SIZE, ChunkedReadCap.MAX_CHUNK_SIZE));
    Arbitrary<Long> size = Arbitraries.oneOf(
        Arbitraries.longs().between(1, Long.MAX_VALUE), Arbitraries.of(1L, Long.MAX_VALUE));
    return Combinators.combine(bytes(32), bytes(32), kn, chunk, size)
        .as((key, hash, p, c, s) -> new ChunkedReadCap(key, hash, p[0], p[1], c, s));
  }

  static Arbitrary<MutableWriteCap> mutableWrites() {
    return Combinators.combine(bytes(32), bytes(32)).as(MutableWriteCap::new);
  }

  static Arbitrary<LiteralCap> literals() {
    return Arbitraries.bytes().array(byte[].class).ofMinSize(0).ofMaxSize(LiteralCap.MAX_SIZE)
        .map(LiteralCap::new);
  }

  /** Any valid cap of a known kind, reached by building and diminishing. */
  static Arbitrary<Cap> caps() {
    Arbitrary<Cap> mutables = mutableWrites().flatMap(w -> Arbitraries.of(
        w, w.readOnly(), w.verifyCap().orElseThrow(), new DirectoryWriteCap(w),
        new DirectoryWriteCap(w).readOnly(), new DirectoryWriteCap(w).verifyCap().orElseThrow()));
    Arbitrary<Cap> immutables = immutableReads().flatMap(r -> Arbitraries.of(
        r, r.verifier(), new ImmutableDirectoryReadCap(r),
        new ImmutableDirectoryReadCap(r).verifyCap().orElseThrow()));
    Arbitrary<Cap> literals = literals().flatMap(l -> Arbitraries.of(
        l, new LiteralDirectoryCap(l)));
    Arbitrary<Cap> chunked = chunkedReads().flatMap(c -> Arbitraries.of(c, c.verifier()));
    return Arbitraries.oneOf(mutables, immutables, literals, chunked);
  }
}
