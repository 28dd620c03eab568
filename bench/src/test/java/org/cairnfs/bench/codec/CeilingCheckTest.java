package org.cairnfs.bench.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.cairnfs.bench.codec.CodecCeilingReport.Row;
import org.junit.jupiter.api.Test;

class CeilingCheckTest {
  /** 64 MiB of AES per op: 3.6 ms is ~17,800 MB/s (engaged), 278 ms is ~230 MB/s (not). */
  @Test
  void warmSeriesWithinTenPercentIsStable() {
    assertThat(CeilingCheck.stability(new double[] {3.6, 3.7, 3.5, 3.6})).isEmpty();
  }

  @Test
  void aSeriesThatIsStillSpeedingUpIsNot() {
    assertThat(CeilingCheck.stability(new double[] {278, 270, 41, 3.6}))
        .hasValueSatisfying(why -> assertThat(why).contains("still speeding up"));
  }

  @Test
  void aSeriesThatJumpsAroundIsNot() {
    assertThat(CeilingCheck.stability(new double[] {3.6, 4.5, 3.6, 3.6}))
        .hasValueSatisfying(why -> assertThat(why).contains("spread 25 %"));
  }

  @Test
  void aSlowdownInTheMiddleIsNotHiddenByEqualEnds() {
    assertThat(CeilingCheck.stability(new double[] {3.6, 3.6, 50, 3.6})).isPresent();
  }

  @Test
  void tooFewIterationsCannotShowStability() {
    assertThat(CeilingCheck.stability(new double[] {3.6, 3.6}))
        .hasValueSatisfying(why -> assertThat(why).contains("only 2"));
  }

  @Test
  void noiseJustInsideTheBoundIsStableAndJustOutsideIsNot() {
    assertThat(CeilingCheck.stability(new double[] {10.0, 10.5, 10.9, 10.2})).isEmpty();
    assertThat(CeilingCheck.stability(new double[] {10.0, 10.5, 11.2, 10.2})).isPresent();
  }

  @Test
  void ratiosAboveTheCeilingAreFlagged() {
    assertThat(CeilingCheck.impossibleRatio(1.38)).as("the issue's 138 %").isTrue();
    assertThat(CeilingCheck.impossibleRatio(2.00)).isTrue();
    assertThat(CeilingCheck.impossibleRatio(1.05)).isFalse();
    assertThat(CeilingCheck.impossibleRatio(1.01)).as("noise at the ceiling").isFalse();
    assertThat(CeilingCheck.impossibleRatio(0.66)).isFalse();
  }

  @Test
  void aesSlowerThanShaIsSuspect() {
    assertThat(CeilingCheck.aesBelowSha(230, 1759)).isTrue();
    assertThat(CeilingCheck.aesBelowSha(1188, 1721)).as("codec.md's 1 MiB row").isTrue();
    assertThat(CeilingCheck.aesBelowSha(17857, 1734)).isFalse();
  }

  private static Row row(String bench, double... iterations) {
    double mean = java.util.Arrays.stream(iterations).average().orElseThrow();
    return new Row(bench, 131072, 3, 10, mean, 0, iterations);
  }

  /** The issue's run: AES stable at 230 MB/s in a 4-iteration fork, encode ratio 138 %. */
  @Test
  void theIssuesRowIsFlaggedWithBothReasons() {
    List<Row> rows = List.of(row("aesCtr", 278, 279, 278, 277), row("sha256", 36, 37, 36, 36),
        row("reedSolomonEncode", 160, 161, 160, 162));
    List<String> why = CodecCeilingReport.suspicions(rows, 131072, 230, 1759,
        new double[] {1.38, 1.2, 0.9});
    assertThat(why).hasSize(2);
    assertThat(why.get(0)).contains("AES-CTR measured 230 MB/s, below SHA-256's 1759");
    assertThat(why.get(1)).contains("ratio of 138 %");
  }

  @Test
  void aWarmRowHasNoSuspicion() {
    List<Row> rows = List.of(row("aesCtr", 3.6, 3.5, 3.6, 3.6), row("sha256", 36, 37, 36, 36),
        row("reedSolomonEncode", 160, 161, 160, 162));
    assertThat(CodecCeilingReport.suspicions(rows, 131072, 17857, 1734,
        new double[] {0.96, 1.01, 0.87})).isEmpty();
  }

  @Test
  void anAesStillWarmingUpIsNamed() {
    List<Row> rows = List.of(row("aesCtr", 278, 40, 3.6, 3.6), row("sha256", 36, 37, 36, 36));
    assertThat(CodecCeilingReport.suspicions(rows, 131072, 17857, 1734, new double[] {0.9}))
        .singleElement().asString().startsWith("aesCtr not stable: still speeding up");
  }

  @Test
  void anAesSlowerThanShaOrUnstableIsRunAgainAndAWarmOneIsNot() {
    Row sha = row("sha256", 36, 37, 36, 36);
    assertThat(CodecCeilingReport.aesNotWarm(List.of(row("aesCtr", 278, 279, 278), sha), 131072))
        .hasValue("slower than SHA-256");
    assertThat(CodecCeilingReport.aesNotWarm(List.of(row("aesCtr", 278, 9, 3.6), sha), 131072))
        .hasValueSatisfying(w -> assertThat(w).contains("still speeding up"));
    assertThat(CodecCeilingReport.aesNotWarm(List.of(row("aesCtr", 3.6, 3.6, 3.7), sha), 131072))
        .isEmpty();
  }
}
