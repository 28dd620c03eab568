package org.cairnfs.fs.mount;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link DataPathFsx} with fixed seeds and 300 steps each over the memory grid with a 1 MiB
 * cache: the same steps every run, about a second each, so that mutation testing (whose
 * minions time out on {@link MountCoreFsxTest}'s thousands of steps) still has the data path
 * checked byte for byte against the model, through layers, truncations, kills and replays.
 */
class MountCoreFsxSeedsTest {
  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3})
  void fixedSeedsMatchTheModel(long seed) throws Exception {
    try (CoreFixture fx = new CoreFixture(MemoryGrid.inMemory(), null, dir.resolve("cache"),
        b -> b.cacheBytes(1 << 20))) {
      DataPathFsx fsx = new DataPathFsx(seed, fx, 128 * 1024, 600_000);
      fsx.run(300);
      assertThat(fsx.holes).as("writes past the end").isPositive();
    }
  }
}
