package org.cairnfs.fs.mount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import org.junit.jupiter.api.Test;

/** The mount's settings: the documented defaults, and each setter's edges (no mount). */
class MountConfigTest {
  static final Path CACHE = Path.of("/tmp/no-such-cache");

  static MountConfig.Builder b() {
    return MountConfig.builder("URI:DIR2:root", CACHE);
  }

  @Test
  void theDefaultsAreTheDocumentedOnes() {
    MountConfig c = b().build();
    assertThat(c.rootCap()).isEqualTo("URI:DIR2:root");
    assertThat(c.cacheDir()).isEqualTo(CACHE);
    assertThat(c.cacheBytes()).isEqualTo(1L << 30);
    assertThat(c.writeThrough()).isFalse();
    assertThat(c.directoryTtl()).isEqualTo(Duration.ofSeconds(3));
    assertThat(c.journalForceInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(c.coalesceDelay()).isEqualTo(Duration.ofMillis(300));
    assertThat(c.coalesceLimit()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.retryInitial()).isEqualTo(Duration.ofMillis(500));
    assertThat(c.retryMax()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.backpressureWait()).isEqualTo(Duration.ofSeconds(60));
    assertThat(c.uploadParallelism()).isEqualTo(4);
    assertThat(c.readAheadBytes()).isEqualTo(1 << 20);
    assertThat(c.ownerUid()).isZero();
    assertThat(c.ownerGid()).isZero();
    assertThat(c.treeEntries())
        .isEqualTo(Math.max(1_000, Runtime.getRuntime().maxMemory() / 5_000));
    assertThat(c.treeIdle()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.clock()).isEqualTo(InstantSource.system());
  }

  @Test
  void everySetterIsKept() {
    InstantSource fixed = InstantSource.fixed(Instant.ofEpochSecond(7));
    MountConfig c = b().cacheBytes(5L << 20).writeThrough(true)
        .directoryTtl(Duration.ofSeconds(4)).journalForceInterval(Duration.ZERO)
        .coalesceDelay(Duration.ofMillis(5)).coalesceLimit(Duration.ofSeconds(6))
        .retry(Duration.ofMillis(7), Duration.ofMillis(8))
        .backpressureWait(Duration.ofSeconds(9)).uploadParallelism(10).readAheadBytes(11)
        .owner(12, 13).treeEntries(14, Duration.ofSeconds(15)).clock(fixed).build();
    assertThat(c.cacheBytes()).isEqualTo(5L << 20);
    assertThat(c.writeThrough()).isTrue();
    assertThat(c.directoryTtl()).isEqualTo(Duration.ofSeconds(4));
    assertThat(c.journalForceInterval()).isZero();
    assertThat(c.coalesceDelay()).isEqualTo(Duration.ofMillis(5));
    assertThat(c.coalesceLimit()).isEqualTo(Duration.ofSeconds(6));
    assertThat(c.retryInitial()).isEqualTo(Duration.ofMillis(7));
    assertThat(c.retryMax()).isEqualTo(Duration.ofMillis(8));
    assertThat(c.backpressureWait()).isEqualTo(Duration.ofSeconds(9));
    assertThat(c.uploadParallelism()).isEqualTo(10);
    assertThat(c.readAheadBytes()).isEqualTo(11);
    assertThat(c.ownerUid()).isEqualTo(12);
    assertThat(c.ownerGid()).isEqualTo(13);
    assertThat(c.treeEntries()).isEqualTo(14);
    assertThat(c.treeIdle()).isEqualTo(Duration.ofSeconds(15));
    assertThat(c.clock()).isSameAs(fixed);
  }

  @Test
  void theTreeKeepsAtLeastOneEntryAndIdleIsNotNegative() {
    assertThatThrownBy(() -> b().treeEntries(0, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 0");
    assertThatThrownBy(() -> b().treeEntries(1, Duration.ofNanos(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tree idle");
  }

  @Test
  void theCacheBoundIsAtLeastOneMebibyte() {
    assertThat(b().cacheBytes(1 << 20).build().cacheBytes()).isEqualTo(1 << 20);
    assertThatThrownBy(() -> b().cacheBytes((1 << 20) - 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 1048575");
  }

  @Test
  void durationsMayBeZeroButNotNegativeOrMissing() {
    Duration neg = Duration.ofNanos(-1);
    MountConfig zero = b().directoryTtl(Duration.ZERO).coalesceDelay(Duration.ZERO)
        .coalesceLimit(Duration.ZERO).retry(Duration.ZERO, Duration.ZERO)
        .backpressureWait(Duration.ZERO).build();
    assertThat(zero.directoryTtl()).isZero();
    assertThat(zero.retryMax()).isZero();
    assertThatThrownBy(() -> b().directoryTtl(neg)).hasMessageContaining("directory TTL");
    assertThatThrownBy(() -> b().journalForceInterval(neg))
        .hasMessageContaining("journal force interval");
    assertThatThrownBy(() -> b().coalesceDelay(neg)).hasMessageContaining("coalesce delay");
    assertThatThrownBy(() -> b().coalesceLimit(null)).hasMessageContaining("coalesce limit");
    assertThatThrownBy(() -> b().backpressureWait(neg))
        .hasMessageContaining("backpressure wait");
    assertThatThrownBy(() -> b().retry(neg, Duration.ZERO)).hasMessageContaining("retry initial");
    assertThatThrownBy(() -> b().retry(Duration.ZERO, neg)).hasMessageContaining("retry max");
  }

  @Test
  void theLongestRetryWaitIsNotBelowTheFirst() {
    MountConfig same = b().retry(Duration.ofSeconds(2), Duration.ofSeconds(2)).build();
    assertThat(same.retryMax()).isEqualTo(Duration.ofSeconds(2));
    assertThatThrownBy(() -> b().retry(Duration.ofSeconds(2), Duration.ofMillis(1999)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is below initial");
  }

  @Test
  void parallelismReadAheadAndOwnerAreCheckedAtTheirEdges() {
    assertThat(b().uploadParallelism(1).build().uploadParallelism()).isEqualTo(1);
    assertThat(b().uploadParallelism(256).build().uploadParallelism()).isEqualTo(256);
    assertThatThrownBy(() -> b().uploadParallelism(0)).hasMessageContaining("got 0");
    assertThatThrownBy(() -> b().uploadParallelism(257)).hasMessageContaining("got 257");
    assertThat(b().readAheadBytes(0).build().readAheadBytes()).isZero();
    assertThat(b().readAheadBytes(64 << 20).build().readAheadBytes()).isEqualTo(64 << 20);
    assertThatThrownBy(() -> b().readAheadBytes(-1)).hasMessageContaining("got -1");
    assertThatThrownBy(() -> b().readAheadBytes((64 << 20) + 1))
        .hasMessageContaining("read-ahead must be");
    assertThat(b().owner(0, 0).build().ownerUid()).isZero();
    assertThatThrownBy(() -> b().owner(-1, 0)).hasMessageContaining("-1:0");
    assertThatThrownBy(() -> b().owner(0, -1)).hasMessageContaining("0:-1");
  }

  @Test
  void aRootCacheDirAndClockAreRequired() {
    assertThatThrownBy(() -> MountConfig.builder(null, CACHE))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("root cap");
    assertThatThrownBy(() -> MountConfig.builder("r", null))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("cache dir");
    assertThatThrownBy(() -> b().clock(null))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("clock");
  }
}
