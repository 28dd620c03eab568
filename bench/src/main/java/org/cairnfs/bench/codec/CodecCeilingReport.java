package org.cairnfs.bench.codec;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.cairnfs.bench.PrimitivesBenchmark;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
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
 * <p>Run: {@code bench/run-codec.sh [segment sizes, comma-separated]}.
 */
public final class CodecCeilingReport {
  private CodecCeilingReport() {}

  public static void main(String[] args) throws Exception {
    String sizes = args.length > 0 ? args[0] : "65536,131072,524288,2097152";
    int warmups = Integer.getInteger("warmups", 6);
    ChainedOptionsBuilder opts = new OptionsBuilder()
        .include(PrimitivesBenchmark.class.getSimpleName())
        .include(ImmutableCodecBenchmark.class.getSimpleName())
        .param("segmentSize", sizes.split(","))
        .warmupIterations(warmups).warmupTime(TimeValue.seconds(2))
        .measurementIterations(4).measurementTime(TimeValue.seconds(1))
        .forks(1)
        .jvmArgsAppend("-Xmx4g");
    Collection<RunResult> results = new Runner(opts.build()).run();
    List<Row> rows = new ArrayList<>();
    for (RunResult r : results) {
      String name = r.getParams().getBenchmark();
      rows.add(new Row(name.substring(name.lastIndexOf('.') + 1),
          Integer.parseInt(r.getParams().getParam("segmentSize")),
          Integer.parseInt(r.getParams().getParam("k")),
          Integer.parseInt(r.getParams().getParam("n")),
          r.getPrimaryResult().getScore(), r.getPrimaryResult().getScoreError()));
    }
    print(rows, sizes.split(","));
  }

  record Row(String bench, int segmentSize, int k, int n, double ms, double error) {}

  static void print(List<Row> rows, String[] sizes) {
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
      long memory = seg + (long) any.n * ((seg + any.k - 1) / any.k);
      System.out.printf(Locale.ROOT,
          "%-9s %7.0f %7.0f %7.0f | %8.0f %8.0f %5.0f%% | %8.0f %8.0f %5.0f%% | %8.0f %8.0f %5.0f%% | %s / %s%n",
          human(seg), mib * 1000 / aes, mib * 1000 / sha, mib * 1000 / rs,
          mib * 1000 / encConv, mib * 1000 / encConvCeil, 100 * encConvCeil / encConv,
          mib * 1000 / encRand, mib * 1000 / encRandCeil, 100 * encRandCeil / encRand,
          mib * 1000 / dec, mib * 1000 / decCeil, 100 * decCeil / dec,
          human(memory), human(seg));
    }
    System.out.println("ratio = ceiling time / measured time (goal: encode >= 60%, decode >= 70%).");
  }

  private static double ms(List<Row> rows, String bench, int seg) {
    return rows.stream().filter(r -> r.bench.equals(bench) && r.segmentSize == seg)
        .mapToDouble(Row::ms).findFirst().orElse(Double.NaN);
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
