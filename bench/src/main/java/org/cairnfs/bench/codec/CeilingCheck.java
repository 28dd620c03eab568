package org.cairnfs.bench.codec;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * Whether a ceiling row can be trusted. A ceiling adds up primitives each measured alone; it
 * is only right when every primitive ran at its warm speed. The JDK's AES-CTR is the one that
 * misleads: its intrinsic is compiled only after seconds of calls, and in an unlucky JMH fork
 * not at all within the run, so AES alone can read 230 MB/s when it really runs at several
 * GB/s inside the codec, and the "ratio" comes out above 100 %.
 *
 * <p>Two checks, both pure so they are tested on recorded series:
 * <ul>
 *   <li>{@link #stability}: the measured iterations of a primitive must agree within
 *       {@link #MAX_SPREAD} and show no rise from first to last (a rise means it was still
 *       warming up). The report re-runs an unstable AES with a longer warm-up before it gives
 *       up and flags the row.</li>
 *   <li>{@link #impossibleRatio}: a pipeline cannot beat the sum of its own passes; a ratio
 *       above {@link #MAX_RATIO} (noise allowed for) means a primitive was measured slower
 *       alone than it runs in the pipeline, so the row's ceiling is wrong.</li>
 * </ul>
 */
final class CeilingCheck {
  /** Largest (max - min) / median of the measured iterations still called stable. */
  static final double MAX_SPREAD = 0.10;
  /** Least number of measured iterations that can show stability. */
  static final int MIN_ITERATIONS = 3;
  /** Largest believable ceiling ratio (measurement noise on a pipeline near its ceiling). */
  static final double MAX_RATIO = 1.05;

  private CeilingCheck() {}

  /**
   * Empty when the iteration times (ms per op, lower is faster, in run order) are stable;
   * otherwise why not.
   */
  static Optional<String> stability(double[] msPerOp) {
    if (msPerOp.length < MIN_ITERATIONS) {
      return Optional.of("only " + msPerOp.length + " measured iteration(s), need "
          + MIN_ITERATIONS + " to judge");
    }
    double[] sorted = msPerOp.clone();
    Arrays.sort(sorted);
    double median = sorted[sorted.length / 2];
    double spread = (sorted[sorted.length - 1] - sorted[0]) / median;
    double first = msPerOp[0];
    double last = msPerOp[msPerOp.length - 1];
    if (first > last * (1 + MAX_SPREAD)) {
      return Optional.of(String.format(Locale.ROOT,
          "still speeding up: first iteration %.1f ms, last %.1f ms", first, last));
    }
    if (spread > MAX_SPREAD) {
      return Optional.of(String.format(Locale.ROOT,
          "iterations spread %.0f %% (over %.0f %%)", 100 * spread, 100 * MAX_SPREAD));
    }
    return Optional.empty();
  }

  /**
   * Whether AES-CTR measured slower than SHA-256 in the same run: with AES instructions the
   * JDK's engaged AES-CTR is several times faster than SHA-256, so this means its intrinsic
   * had not engaged (or the CPU has no AES instructions, which the flag's text says too).
   */
  static boolean aesBelowSha(double aesMBps, double shaMBps) {
    return aesMBps < shaMBps;
  }

  /** Whether a measured ratio (ceiling time / pipeline time) is beyond what is possible. */
  static boolean impossibleRatio(double ratio) {
    return ratio > MAX_RATIO;
  }
}
