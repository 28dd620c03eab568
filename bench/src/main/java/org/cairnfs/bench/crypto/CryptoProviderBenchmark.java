package org.cairnfs.bench.crypto;

import java.security.GeneralSecurityException;
import java.util.concurrent.TimeUnit;
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
 * Warm throughput of each caps primitive (see {@link CryptoWorkload}) under the JDK's
 * providers and under Conscrypt (BoringSSL behind JCA), one call per operation. Warm-up is
 * long because the JDK's AES intrinsics engage only after seconds of calls. Run:
 * {@code bench/run-crypto.sh} (cold and warm), or
 * {@code java -cp 'bench/target/classes:bench/target/lib/*' org.openjdk.jmh.Main CryptoProviderBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 8, time = 2)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CryptoProviderBenchmark {
  @Param({"aes-ctr", "sha256", "sha256-node", "gcm", "ecdsa-verify"})
  public String primitive;

  @Param({"jdk", "conscrypt"})
  public String provider;

  CryptoWorkload workload;

  @Setup(Level.Trial)
  public void setUp() {
    workload = new CryptoWorkload(primitive, ColdCrypto.provider(provider));
  }

  /** Calls per second; the report multiplies by the bytes per call. */
  @Benchmark
  public byte call() throws GeneralSecurityException {
    return workload.call();
  }
}
