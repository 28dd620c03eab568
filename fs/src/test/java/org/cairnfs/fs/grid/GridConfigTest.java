package org.cairnfs.fs.grid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.function.Consumer;
import org.cairnfs.caps.immutable.EncodingParams;
import org.cairnfs.protocol.message.WireLimits;
import org.junit.jupiter.api.Test;

/** {@link GridConfig}: its defaults, every bound of the builder at its edge, toBuilder. */
class GridConfigTest {
  static void refused(Consumer<GridConfig.Builder> set, String message) {
    assertThatThrownBy(() -> set.accept(GridConfig.builder()))
        .isInstanceOf(IllegalArgumentException.class).hasMessage(message);
  }

  @Test
  void theDefaults() {
    GridConfig c = GridConfig.defaults();
    assertThat(c.params()).isEqualTo(EncodingParams.DEFAULTS);
    assertThat(c.convergent()).isTrue();
    assertThat(c.writeChunk()).isEqualTo(256 << 10);
    assertThat(c.uploadWindow()).isEqualTo(2 << 20);
    assertThat(c.stallTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.readTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.readAhead()).isEqualTo(2 << 20);
    assertThat(c.locateGrace()).isEqualTo(Duration.ofMillis(200));
    assertThat(c.connectGrace()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void everyBoundIsTakenAtItsEdgeAndRefusedPastIt() {
    int max = WireLimits.MAX_CHUNK;
    assertThat(GridConfig.builder().writeChunk(4096).build().writeChunk()).isEqualTo(4096);
    assertThat(GridConfig.builder().writeChunk(max).build().writeChunk()).isEqualTo(max);
    refused(b -> b.writeChunk(4095), "write chunk must be 4096.." + max + " bytes, got 4095");
    refused(b -> b.writeChunk(max + 1), "write chunk must be 4096.." + max + " bytes, got "
        + (max + 1));

    assertThat(GridConfig.builder().uploadWindow(4096).build().uploadWindow()).isEqualTo(4096);
    assertThat(GridConfig.builder().uploadWindow(256 << 20).build().uploadWindow())
        .isEqualTo(256 << 20);
    refused(b -> b.uploadWindow(4095), "upload window must be 4 KiB..256 MiB, got 4095");
    refused(b -> b.uploadWindow((256 << 20) + 1), "upload window must be 4 KiB..256 MiB, got "
        + ((256 << 20) + 1));

    assertThat(GridConfig.builder().readAhead(0).build().readAhead()).isZero();
    assertThat(GridConfig.builder().readAhead(256 << 20).build().readAhead())
        .isEqualTo(256 << 20);
    refused(b -> b.readAhead(-1), "read-ahead must be 0..256 MiB, got -1");
    refused(b -> b.readAhead((256 << 20) + 1), "read-ahead must be 0..256 MiB, got "
        + ((256 << 20) + 1));

    Duration ns = Duration.ofNanos(1);
    assertThat(GridConfig.builder().stallTimeout(ns).build().stallTimeout()).isEqualTo(ns);
    assertThat(GridConfig.builder().readTimeout(ns).build().readTimeout()).isEqualTo(ns);
    for (Duration bad : new Duration[] {Duration.ZERO, Duration.ofNanos(-1), null}) {
      refused(b -> b.stallTimeout(bad), "stall timeout must be positive, got " + bad);
      refused(b -> b.readTimeout(bad), "read timeout must be positive, got " + bad);
    }

    assertThat(GridConfig.builder().locateGrace(Duration.ZERO).build().locateGrace())
        .isEqualTo(Duration.ZERO);
    refused(b -> b.locateGrace(Duration.ofNanos(-1)), "locate grace must be >= 0, got PT-0.000000001S");
    refused(b -> b.locateGrace(null), "locate grace must be >= 0, got null");
    assertThat(GridConfig.builder().connectGrace(Duration.ofNanos(1)).build().connectGrace())
        .isEqualTo(Duration.ofNanos(1));
    refused(b -> b.connectGrace(Duration.ZERO), "connect grace must be positive, got PT0S");
    refused(b -> b.connectGrace(null), "connect grace must be positive, got null");

    assertThatThrownBy(() -> GridConfig.builder().params(null))
        .isInstanceOf(NullPointerException.class).hasMessage("params");
  }

  @Test
  void toBuilderKeepsEverySettingAndChangesOnlyWhatItIsTold() {
    EncodingParams params = new EncodingParams(2, 3, 4, 64 << 10);
    GridConfig c = GridConfig.builder().params(params).convergent(false).writeChunk(8192)
        .uploadWindow(16384).stallTimeout(Duration.ofSeconds(7)).readTimeout(Duration.ofSeconds(9))
        .readAhead(12345).locateGrace(Duration.ofMillis(3))
        .connectGrace(Duration.ofMillis(4)).build();
    GridConfig same = c.toBuilder().build();
    assertThat(same).usingRecursiveComparison().isEqualTo(c);
    assertThat(same.params()).isEqualTo(params);
    assertThat(same.convergent()).isFalse();
    assertThat(same.writeChunk()).isEqualTo(8192);
    assertThat(same.uploadWindow()).isEqualTo(16384);
    assertThat(same.stallTimeout()).isEqualTo(Duration.ofSeconds(7));
    assertThat(same.readTimeout()).isEqualTo(Duration.ofSeconds(9));
    assertThat(same.readAhead()).isEqualTo(12345);
    assertThat(same.locateGrace()).isEqualTo(Duration.ofMillis(3));
    assertThat(same.connectGrace()).isEqualTo(Duration.ofMillis(4));
    GridConfig other = c.toBuilder().readAhead(1).build();
    assertThat(other.readAhead()).isEqualTo(1);
    assertThat(other).usingRecursiveComparison().ignoringFields("readAhead").isEqualTo(c);
    assertThat(c.readAhead()).isEqualTo(12345);
  }

  @Test
  void theAnswerGraceIsTheConnectGraceButNeverLongerThanTheStallTimeout() {
    GridConfig c = GridConfig.builder().connectGrace(Duration.ofSeconds(5))
        .stallTimeout(Duration.ofSeconds(30)).build();
    assertThat(c.answerGrace()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.toBuilder().stallTimeout(Duration.ofSeconds(2)).build().answerGrace())
        .isEqualTo(Duration.ofSeconds(2));
    assertThat(c.toBuilder().stallTimeout(Duration.ofSeconds(5)).build().answerGrace())
        .isEqualTo(Duration.ofSeconds(5));
    assertThat(GridConfig.slowProblem(Duration.ofMillis(1500)))
        .isEqualTo("slow: no answer within 1500 ms while other servers answered");
  }
}
