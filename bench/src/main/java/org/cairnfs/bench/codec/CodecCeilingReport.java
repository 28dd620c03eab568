package org.cairnfs.bench.codec;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.cairnfs.bench.PrimitivesBenchmark;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the bare primitives and the immutable codec in one JMH run and prints the codec's
 * throughput beside the ceiling the primitives imply, per segment size.
 *
 * <p>Ceiling = the time of each pass the pipeline makes, added up. Encode (convergent): one
 * SHA-256 pass over the plaintext, one AES-CTR pass, one Reed-Solomon pass and n/k SHA-256
 * passes over the blocks. Encode (random key) drops the first SHA-256 pass. Decode from the data
 * shares: one SHA-256 pass over the blocks and one AES-CTR pass (no Reed-Solomon: the code is
 * systematic).
 *
 * <p>A ceiling is only right when each primitive ran warm (see {@link CeilingCheck}): an AES
 * whose measured iterations are not stable is run again with twice, then four times the
 * warm-up; a row that still fails a check is printed with its ratios marked {@code ?} and the
 * reason below the table, so no misleading ratio goes out unmarked.
 *
 * <p>Run: {@code bench/run-codec.sh [segment sizes, comma-separated]}; system properties
 * {@code warmups} (default 6) and {@code iterations} (default 4) set the JMH run.
 */
public final class CodecCeilingReport {
  /** Re-runs of an unstable AES measurement, each with twice the warm-up of the last. */
  static final int AES_RETRIES = 2;

  private CodecCeilingReport() {}

  public static void main(String[] args) throws Exception {
    String sizes = args.length > 0 ? args[0] : "65536,131072,524288,2097152";
    int warmups = Integer.getInteger("warmups", 6);
    int iterations = Integer.getInteger("iterations", 4);
    ChainedOptionsBuilder opts = options(sizes.split(","), warmups, iterations)
        .include(PrimitivesBenchmark.class.getSimpleName())
        .include(ImmutableCodecBenchmark.class.getSimpleName());
    List<Row> rows = rowsOf(new Runner(opts.build()).run());
    List<String> notes = new ArrayList<>();
    for (String s : sizes.split(",")) {
      int seg = Integer.parseInt(s);
      Row aes = find(rows, "aesCtr", seg).orElse(null);
      int w = warmups;
      Optional<String> cold;
      for (int retry = 0; aes != null && retry < AES_RETRIES
          && (cold = aesNotWarm(rows, seg)).isPresent(); retry++) {
        w *= 2;
        System.out.printf(Locale.ROOT, "AES at %s not warm (%s): again with %d warm-ups%n",
            human(seg), cold.get(), w);
        Row again = rerunAes(s, w, iterations);
        rows.remove(aes);
        rows.add(again);
        aes = again;
      }
    }
    print(rows, sizes.split(","), notes);
  }

  private static ChainedOptionsBuilder options(String[] sizes, int warmups, int iterations) {
    return new OptionsBuilder()
        .param("segmentSize", sizes)
        .warmupIterations(warmups).warmupTime(TimeValue.seconds(2))
        .measurementIterations(iterations).measurementTime(TimeValue.seconds(1))
        .forks(1)
        .jvmArgsAppend("-Xmx4g");
  }

  private static Row rerunAes(String size, int warmups, int iterations) throws RunnerException {
    ChainedOptionsBuilder opts = options(new String[] {size}, warmups, iterations)
        .include(PrimitivesBenchmark.class.getSimpleName() + "\\.aesCtr$");
    return rowsOf(new Runner(opts.build()).run()).get(0);
  }

  static List<Row> rowsOf(Collection<RunResult> results) {
    List<Row> rows = new ArrayList<>();
    for (RunResult r : results) {
      String name = r.getParams().getBenchmark();
      List<Double> its = new ArrayList<>();
      for (BenchmarkResult b : r.getBenchmarkResults()) {
        for (IterationResult it : b.getIterationResults()) {
          its.add(it.getPrimaryResult().getScore());
        }
      }
      rows.add(new Row(name.substring(name.lastIndexOf('.') + 1),
          Integer.parseInt(r.getParams().getParam("segmentSize")),
          Integer.parseInt(r.getParams().getParam("k")),
          Integer.parseInt(r.getParams().getParam("n")),
          r.getPrimaryResult().getScore(), r.getPrimaryResult().getScoreError(),
          its.stream().mapToDouble(Double::doubleValue).toArray()));
    }
    return rows;
  }

  /** One benchmark at one segment size: mean ms per op, its error, and each iteration's. */
  record Row(String bench, int segmentSize, int k, int n, double ms, double error,
      double[] iterations) {}

  static void print(List<Row> rows, String[] sizes, List<String> notes) {
    double mib = 64;
    System.out.println();
    System.out.println("Single thread, 64 MiB, one JMH run (MB/s = MiB of plaintext per second).");
    System.out.printf(Locale.ROOT, "%-9s %7s %7s %7s | %8s %8s %6s | %8s %8s %6s | %8s %8s %6s | %s%n",
        "segment", "AES", "SHA256", "RS", "encConv", "ceiling", "ratio", "encRand", "ceiling",
        "ratio", "decode", "ceiling", "ratio", "memory (enc) / 4K random read fetches");
    for (String s : sizes) {
      int seg = Integer.parseInt(s);
      double aes = ms(rows, "aesCtr", seg);
      double sha = ms(rows, "sha256", seg);
      double rs = ms(rows, "reedSolomonEncode", seg);
      Row any = rows.stream().filter(r -> r.segmentSize == seg).findFirst().orElseThrow();
      double expansion = (double) any.n / any.k;
      double encConvCeil = sha + aes + rs + expansion * sha;
      double encRandCeil = aes + rs + expansion * sha;
      double decCeil = sha + aes;
      double encConv = ms(rows, "encodeConvergent", seg);
      double encRand = ms(rows, "encodeRandomKey", seg);
      double dec = ms(rows, "decodeDataShares", seg);
      List<String> why = suspicions(rows, seg, mib * 1000 / aes, mib * 1000 / sha,
          new double[] {encConvCeil / encConv, encRandCeil / encRand, decCeil / dec});
      String mark = why.isEmpty() ? "%" : "?";
      why.forEach(w -> notes.add(human(seg) + ": " + w));
      long memory = seg + (long) any.n * ((seg + any.k - 1) / any.k);
      System.out.printf(Locale.ROOT,
          "%-9s %7.0f %7.0f %7.0f | %8.0f %8.0f %5.0f%s | %8.0f %8.0f %5.0f%s | %8.0f %8.0f %5.0f%s | %s / %s%n",
          human(seg), mib * 1000 / aes, mib * 1000 / sha, mib * 1000 / rs,
          mib * 1000 / encConv, mib * 1000 / encConvCeil, 100 * encConvCeil / encConv, mark,
          mib * 1000 / encRand, mib * 1000 / encRandCeil, 100 * encRandCeil / encRand, mark,
          mib * 1000 / dec, mib * 1000 / decCeil, 100 * decCeil / dec, mark,
          human(memory), human(seg));
    }
    System.out.println("ratio = ceiling time / measured time (goal: encode >= 60%, decode >= 70%).");
    if (!notes.isEmpty()) {
      System.out.println("? = this row's ceiling is not trustworthy, its ratios mislead:");
      notes.forEach(n -> System.out.println("  " + n));
    }
  }

  /**
   * Why the AES measurement at {@code seg} does not look warm (unstable, or slower than
   * SHA-256 in the same run), or empty.
   */
  static Optional<String> aesNotWarm(List<Row> rows, int seg) {
    Optional<Row> aes = find(rows, "aesCtr", seg);
    Optional<Row> sha = find(rows, "sha256", seg);
    if (aes.isEmpty()) {
      return Optional.empty();
    }
    Optional<String> unstable = CeilingCheck.stability(aes.get().iterations());
    if (unstable.isPresent()) {
      return unstable;
    }
    if (sha.isPresent() && CeilingCheck.aesBelowSha(1 / aes.get().ms(), 1 / sha.get().ms())) {
      return Optional.of("slower than SHA-256");
    }
    return Optional.empty();
  }

  /** Why the row of {@code seg} cannot be trusted; empty when nothing is wrong. */
  static List<String> suspicions(List<Row> rows, int seg, double aesMBps, double shaMBps,
      double[] ratios) {
    List<String> why = new ArrayList<>();
    for (String primitive : List.of("aesCtr", "sha256", "reedSolomonEncode")) {
      find(rows, primitive, seg).flatMap(r -> CeilingCheck.stability(r.iterations()))
          .ifPresent(w -> why.add(primitive + " not stable: " + w));
    }
    if (CeilingCheck.aesBelowSha(aesMBps, shaMBps)) {
      why.add(String.format(Locale.ROOT, "AES-CTR measured %.0f MB/s, below SHA-256's %.0f: its"
          + " intrinsic had not engaged (or this CPU lacks AES instructions)", aesMBps, shaMBps));
    }
    for (double r : ratios) {
      if (CeilingCheck.impossibleRatio(r)) {
        why.add(String.format(Locale.ROOT, "a ratio of %.0f %% is above the ceiling: a primitive"
            + " ran slower alone than inside the pipeline", 100 * r));
        break;
      }
    }
    return why;
  }

  private static Optional<Row> find(List<Row> rows, String bench, int seg) {
    return rows.stream().filter(r -> r.bench.equals(bench) && r.segmentSize == seg).findFirst();
  }

  private static double ms(List<Row> rows, String bench, int seg) {
    return find(rows, bench, seg).map(Row::ms).orElse(Double.NaN);
  }

  static String human(long bytes) {
    if (bytes >= 1 << 20 && bytes % (1 << 20) == 0) {
      return (bytes >> 20) + "M";
    }
    if (bytes >= 1 << 20) {
      return String.format(Locale.ROOT, "%.1fM", bytes / 1048576.0);
    }
    return (bytes >> 10) + "K";
  }
}
