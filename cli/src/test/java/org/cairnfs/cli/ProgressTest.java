package org.cairnfs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The progress line drawn through progressbar, and its quiet form. */
class ProgressTest {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream to = new PrintStream(bytes, true, StandardCharsets.UTF_8);

  private String drawn() {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  /**
   * Waits for the bar's first frame. progressbar 0.10.1 draws it at once on its own thread and
   * then records the count it saw only after rendering, unlocked: a step that lands during that
   * first render is drawn as 0 yet counted as drawn, and no later tick redraws it until the next
   * step (seen in CI as "0/8 MiB"). Stepping after the first frame keeps the test off that race.
   */
  private void awaitFirstFrame() throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (drawn().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    Thread.sleep(50);
  }

  /** Waits up to ten seconds for a frame holding all of {@code parts}; returns what was drawn. */
  private String awaitFrameWith(String... parts) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    String line = drawn();
    while (!containsAll(line, parts) && System.nanoTime() < deadline) {
      Thread.sleep(20);
      line = drawn();
    }
    return line;
  }

  private static boolean containsAll(String line, String... parts) {
    for (String part : parts) {
      if (!line.contains(part)) {
        return false;
      }
    }
    return true;
  }

  @Test
  void aTransferShowsBytesOfTheTotalRateAndEta() throws Exception {
    try (Progress p = Progress.drawing(to, 120, "put big", 8L << 20, false)) {
      awaitFirstFrame();
      p.bytes(2L << 20);
      p.bytes(1L << 20);
      p.item();
      String line = awaitFrameWith("3/8 MiB", "1 files");
      assertThat(line).contains("put big").contains("3/8 MiB").contains("MiB/s")
          .contains("1 files");
      // The percent field is not asserted: a tick that renders while a step lands may still
      // mix counts within one frame (the race awaitFirstFrame describes, now rare).
      assertThat(line).doesNotContain("\n");
    }
  }

  @Test
  void aDeepCheckCountsObjectsWithoutATotal() throws Exception {
    try (Progress p = Progress.drawing(to, 120, "deep-check home:", -1, true)) {
      awaitFirstFrame();
      for (int i = 0; i < 5; i++) {
        p.item();
      }
      p.bytes(1000); // bytes do not count here
      assertThat(awaitFrameWith("5/? objects", "objects/s")).contains("deep-check home:").contains("5/? objects")
          .contains("objects/s");
    }
  }

  @Test
  void quietProgressDrawsNothing() {
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try (Progress p = Progress.of(false, "put big", 100)) {
      assertThat(p.isQuiet()).isTrue();
      p.bytes(50);
      p.item();
    } finally {
      System.setErr(err);
    }
    try (Progress p = Progress.objects(false, "deep-check")) {
      p.item();
      assertThat(p.isQuiet()).isTrue();
    }
    assertThat(captured.toByteArray()).isEmpty();
  }

  @Test
  void theTerminalWidthIsReadFromSttySize() {
    assertThat(TerminalWidth.parse("24 132\n")).isEqualTo(132);
    assertThat(TerminalWidth.parse("")).isZero();
    assertThat(TerminalWidth.parse("stty: not a tty")).isZero();
    // No terminal behind stderr here: the fallback.
    assertThat(TerminalWidth.ofStderr()).isPositive();
  }

  @Test
  void aTestJvmsStderrIsNoTerminal() {
    // Surefire pipes stderr: the check that keeps scripts and pipes quiet says so.
    assertThat(Progress.stderrIsTerminal()).isFalse();
  }
}
