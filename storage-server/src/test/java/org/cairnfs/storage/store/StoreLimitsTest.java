package org.cairnfs.storage.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class StoreLimitsTest {
  @Test
  void zeroSpaceAndReserveAreAllowedButNotNegatives() {
    assertThat(new StoreLimits(0, 0, 1).maxSpace()).isZero();
    assertThatThrownBy(() -> new StoreLimits(-1, 0, 1)).hasMessageContaining("max space -1");
    assertThatThrownBy(() -> new StoreLimits(1, -1, 1)).hasMessageContaining("reserved -1");
    assertThatThrownBy(() -> new StoreLimits(1, 0, 0)).hasMessageContaining("max share size 0");
  }

  @Test
  void openWriteCapsAndTimeoutMustBePositive() {
    StoreLimits l = StoreLimits.unlimited();
    assertThatThrownBy(() -> l.withOpenWriteCaps(0, 1)).hasMessageContaining("server-wide 0");
    assertThatThrownBy(() -> l.withOpenWriteCaps(1, 0)).hasMessageContaining("per connection 0");
    assertThatThrownBy(() -> l.withOpenWritesPerAddress(0)).hasMessageContaining("per address 0");
    assertThatThrownBy(() -> l.withOpenWriteIdleTimeout(Duration.ZERO))
        .hasMessageContaining("idle timeout");
    assertThatThrownBy(() -> l.withOpenWriteIdleTimeout(Duration.ofSeconds(-1)))
        .hasMessageContaining("idle timeout");
    assertThat(l.withOpenWriteCaps(1, 1).withOpenWritesPerAddress(1)
        .withOpenWriteIdleTimeout(Duration.ofMillis(1)))
        .isEqualTo(new StoreLimits(Long.MAX_VALUE, 0, Long.MAX_VALUE, 1, 1, 1, Duration.ofMillis(1)));
  }
}
