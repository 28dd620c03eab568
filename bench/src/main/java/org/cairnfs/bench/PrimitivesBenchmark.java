package org.cairnfs.bench;

import java.security.MessageDigest;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import org.cairnfs.caps.crypto.AesCtr;
import org.cairnfs.caps.erasure.ErasureCodec;
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
 * The bare passes the immutable pipeline is built from, one pass over 64 MiB each: AES-256-CTR,
 * SHA-256 and the codec's k-of-n Reed-Solomon parity encode. Their sum is the ceiling the codec
 * is judged against (see {@link CodecCeilingReport}).
 *
 * <p>Warm-up is long on purpose: the JDK's AES intrinsics engage only after several seconds of
 * calls. Run: {@code bench/run-codec.sh} or
 * {@code java -cp 'bench/target/classes:bench/target/lib/*' org.openjdk.jmh.Main PrimitivesBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 6, time = 3)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PrimitivesBenchmark {
  static final int DATA_SIZE = 64 << 20;
  static final int CHUNK = 1 << 20;

  @Param({"131072"})
  public int segmentSize;

  @Param({"3"})
  public int k;

  @Param({"10"})
  public int n;

  byte[] data;
  byte[] out;
  byte[] key;
  byte[][] shards;
  ErasureCodec rs;
  MessageDigest sha;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    data = new byte[DATA_SIZE];
    new SplittableRandom(1).nextBytes(data);
    out = new byte[CHUNK];
    key = new byte[32];
    int blockSize = (segmentSize + k - 1) / k;
    shards = new byte[n][blockSize];
    for (int i = 0; i < k; i++) {
      System.arraycopy(data, i * blockSize, shards[i], 0, blockSize);
    }
    rs = ErasureCodec.of(k, n);
    sha = MessageDigest.getInstance("SHA-256");
  }

  /** One AES-256-CTR pass over the data, in 1 MiB calls. */
  @Benchmark
  public byte[] aesCtr() throws Exception {
    Cipher c = AesCtr.at(key, 0);
    for (int off = 0; off < DATA_SIZE; off += CHUNK) {
      c.update(data, off, CHUNK, out, 0);
    }
    return out;
  }

  /** One SHA-256 pass over the data, hashed per block of segmentSize/k as the codec does. */
  @Benchmark
  public byte[] sha256() {
    int block = (segmentSize + k - 1) / k;
    for (int off = 0; off < DATA_SIZE; off += block) {
      sha.update(data, off, Math.min(block, DATA_SIZE - off));
      sha.digest();
    }
    return sha.digest();
  }

  /**
   * One Reed-Solomon parity pass over the data, segment by segment (no copying in), through the
   * codec's own encoder (its parity tables; the Backblaze byte-table loop it replaced ran at
   * about 0.4 of this).
   */
  @Benchmark
  public byte[][] reedSolomonEncode() {
    int block = shards[0].length;
    for (int off = 0; off < DATA_SIZE; off += segmentSize) {
      rs.encode(shards, 0, block);
    }
    return shards;
  }
}
