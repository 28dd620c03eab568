package org.cairnfs.storage.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.cairnfs.storage.store.StoreLimits;
import org.junit.jupiter.api.Test;

class StorageConfigTest {
  static final Path DIR = Path.of("/spare");

  @Test
  void defaultsAreSafe() {
    StorageConfig c = StorageConfig.builder(DIR).build();
    assertThat(c.gcEnabled()).isFalse();
    assertThat(c.leaseDuration()).isEqualTo(Duration.ofDays(31));
    assertThat(c.maxShareSize()).isEqualTo(StorageConfig.DEFAULT_MAX_SHARE_SIZE);
    assertThat(c.leaseDbFile()).isEqualTo(DIR.resolve("leases.sqlite"));
    assertThat(c.oldLeaseDbFiles()).containsExactly(DIR.resolve("leases.db"),
        DIR.resolve("leases.db"));
    assertThat(StorageConfig.builder(DIR).leaseDbFile(Path.of("/node/private/leases.db")).build()
        .leaseDbFile()).isEqualTo(Path.of("/node/private/leases.db"));
  }

  @Test
  void sizesAcceptStrings() {
    StorageConfig c = StorageConfig.builder(DIR).maxSpace("200G").reservedSpace("10G")
        .maxShareSize("1G").build();
    assertThat(c.storeLimits().maxSpace()).isEqualTo(200L << 30);
    assertThat(c.storeLimits().reservedSpace()).isEqualTo(10L << 30);
    assertThat(c.storeLimits().maxShareSize()).isEqualTo(1L << 30);
  }

  @Test
  void defaultMaxShareSizeShrinksToMaxSpace() {
    assertThat(StorageConfig.builder(DIR).maxSpace("10G").build().maxShareSize())
        .isEqualTo(10L << 30);
  }

  @Test
  void badValuesAreNamed() {
    StorageConfig.Builder b = StorageConfig.builder(DIR);
    assertThatThrownBy(() -> b.maxSpace(0)).hasMessageContaining("max space").hasMessageContaining("0");
    assertThatThrownBy(() -> b.reservedSpace(-1)).hasMessageContaining("reserved space");
    assertThatThrownBy(() -> b.port(70000)).hasMessageContaining("70000");
    assertThatThrownBy(() -> b.gcSharesPerSecond(0)).hasMessageContaining("gc rate");
    assertThatThrownBy(() -> b.leaseDuration(Duration.ZERO)).hasMessageContaining("lease duration");
    assertThatThrownBy(() -> b.maxSpace("lots")).hasMessageContaining("\"lots\"");
    assertThatThrownBy(() -> b.host(" ")).hasMessageContaining("host");
    assertThatThrownBy(() -> b.maxOpenWrites(0)).hasMessageContaining("max open writes")
        .hasMessageContaining("0");
    assertThatThrownBy(() -> b.maxOpenWritesPerConnection(-3))
        .hasMessageContaining("max open writes per connection").hasMessageContaining("-3");
  }

  @Test
  void openWriteCapsReachTheStoreLimits() {
    assertThat(StorageConfig.builder(DIR).build().storeLimits().maxOpenWrites())
        .isEqualTo(StoreLimits.DEFAULT_MAX_OPEN_WRITES);
    StorageConfig c = StorageConfig.builder(DIR).maxOpenWrites(1000)
        .maxOpenWritesPerConnection(50).build();
    assertThat(c.storeLimits().maxOpenWrites()).isEqualTo(1000);
    assertThat(c.storeLimits().maxOpenWritesPerConnection()).isEqualTo(50);
  }

  @Test
  void conflictingOptionsAreRefusedAtBuild() {
    assertThatThrownBy(() -> StorageConfig.builder(DIR).maxSpace("1G").maxShareSize("2G").build())
        .hasMessageContaining("max share size 2G is above max space 1G");
    assertThatThrownBy(() -> StorageConfig.builder(DIR).globalBandwidth(100)
        .connectionBandwidth(200).build())
        .hasMessageContaining("per-connection bandwidth 200");
  }

  @Test
  void everySettingReachesTheConfig() {
    StorageConfig c = StorageConfig.builder(DIR).gcEnabled(true).gcSharesPerSecond(2.5)
        .gcPause(Duration.ofSeconds(3)).leaseDuration(Duration.ofDays(2)).host("example.org")
        .port(65535).globalBandwidth(100).connectionBandwidth(100).build();
    assertThat(c.gcEnabled()).isTrue();
    assertThat(c.gcSharesPerSecond()).isEqualTo(2.5);
    assertThat(c.gcPause()).isEqualTo(Duration.ofSeconds(3));
    assertThat(c.leaseDuration()).isEqualTo(Duration.ofDays(2));
    assertThat(c.host()).isEqualTo("example.org");
    assertThat(c.port()).isEqualTo(65535);
    assertThat(c.connectionBandwidth()).isEqualTo(100);
    assertThat(StorageConfig.builder(DIR).port(0).gcPause(Duration.ZERO).build().gcPause())
        .isEqualTo(Duration.ZERO);
  }

  @Test
  void edgeValuesAreRefused() {
    StorageConfig.Builder b = StorageConfig.builder(DIR);
    assertThatThrownBy(() -> b.gcSharesPerSecond(Double.NaN)).hasMessageContaining("NaN");
    assertThatThrownBy(() -> b.gcSharesPerSecond(Double.POSITIVE_INFINITY))
        .hasMessageContaining("Infinity");
    assertThatThrownBy(() -> b.gcSharesPerSecond(-1)).hasMessageContaining("gc rate");
    assertThatThrownBy(() -> b.gcPause(Duration.ofSeconds(-1))).hasMessageContaining("gc pause");
    assertThatThrownBy(() -> b.leaseDuration(Duration.ofSeconds(-1)))
        .hasMessageContaining("lease duration");
    assertThatThrownBy(() -> b.port(-1)).hasMessageContaining("-1");
    assertThatThrownBy(() -> b.port(65536)).hasMessageContaining("65536");
    assertThatThrownBy(() -> b.host(null)).hasMessageContaining("host");
  }

  @Test
  void aShareAsLargeAsTheSpaceIsAllowed() {
    assertThat(StorageConfig.builder(DIR).maxSpace("1G").maxShareSize("1G").build().maxShareSize())
        .isEqualTo(1L << 30);
    assertThat(StorageConfig.builder(DIR).globalBandwidth(0).connectionBandwidth(500).build()
        .connectionBandwidth()).isEqualTo(500);
  }
}
