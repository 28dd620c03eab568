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
    assertThat(c.leaseDbFile()).isEqualTo(DIR.resolve("leases.db"));
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
}
