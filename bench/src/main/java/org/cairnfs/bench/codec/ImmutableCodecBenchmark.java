package org.cairnfs.bench.codec;

import java.io.IOException;
import java.io.OutputStream;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.cairnfs.caps.Cap;
import org.cairnfs.caps.ImmutableReadCap;
import org.cairnfs.caps.immutable.EncodingParams;
import org.cairnfs.caps.immutable.ImmutableDecoder;
import org.cairnfs.caps.immutable.ImmutableEncoder;
import org.cairnfs.caps.immutable.PlaintextSource;
import org.cairnfs.caps.share.ByteArrayShare;
import org.cairnfs.caps.share.ShareSink;
import org.cairnfs.caps.share.ShareSource;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Single-thread encode and decode of one 64 MiB immutable file, k-of-n, shares kept in memory.
 *
 * <p>Encode writes into sinks that drop the bytes (the pipeline, not a memcpy, is measured);
 * decode reads the k data shares (0..k-1) from memory into a null stream. Compared against
 * {@link org.cairnfs.bench.PrimitivesBenchmark} by {@link CodecCeilingReport}. Run:
 * {@code bench/run-codec.sh}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 6, time = 3)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ImmutableCodecBenchmark {
  static final int DATA_SIZE = 64 << 20;

  @Param({"131072"})
  public int segmentSize;

  @Param({"3"})
  public int k;

  @Param({"10"})
  public int n;

  byte[] plaintext;
  EncodingParams params;
  ImmutableEncoder convergent;
  ImmutableEncoder randomKey;
  ImmutableReadCap cap;
  Map<Integer, ShareSource> dataShares;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    plaintext = new byte[DATA_SIZE];
    new SplittableRandom(7).nextBytes(plaintext);
    params = EncodingParams.builder().k(k).happy(Math.min(n, Math.max(k, 7))).n(n)
        .segmentSize(segmentSize).build();
    convergent = ImmutableEncoder.convergent(params, new byte[32]);
    randomKey = ImmutableEncoder.randomKey(params, new SecureRandom());
    Map<Integer, ByteArrayShare> shares = new HashMap<>();
    cap = (ImmutableReadCap) convergent.encode(PlaintextSource.of(plaintext), (i, len) -> {
      ByteArrayShare s = new ByteArrayShare(len);
      shares.put(i, s);
      return s;
    });
    dataShares = new HashMap<>();
    for (int i = 0; i < k; i++) {
      dataShares.put(i, shares.get(i));
    }
  }

  /** Convergent encode: plaintext hash pass, then encrypt, erasure-code and hash blocks. */
  @Benchmark
  public Cap encodeConvergent() throws IOException {
    return convergent.encode(PlaintextSource.of(plaintext), (i, len) -> DiscardingSink.INSTANCE);
  }

  /** Random-key encode: one pass (no plaintext hash). */
  @Benchmark
  public Cap encodeRandomKey() throws IOException {
    return randomKey.encode(PlaintextSource.of(plaintext), (i, len) -> DiscardingSink.INSTANCE);
  }

  /** Decode from the k data shares: verify block hashes, decrypt. */
  @Benchmark
  public long decodeDataShares() throws IOException {
    CountingStream out = new CountingStream();
    ImmutableDecoder.of(cap, dataShares).decode(out);
    if (out.count != DATA_SIZE) {
      throw new IllegalStateException("decoded " + out.count + " bytes");
    }
    return out.count;
  }

  static final class DiscardingSink implements ShareSink {
    static final DiscardingSink INSTANCE = new DiscardingSink();

    @Override
    public void write(long offset, byte[] data, int off, int len) {}

    @Override
    public void close() {}
  }

  static final class CountingStream extends OutputStream {
    long count;

    @Override
    public void write(int b) {
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      count += len;
    }
  }
}
