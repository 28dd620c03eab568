package org.cairnfs.fs.mount;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.cairnfs.caps.immutable.EncodingParams;
import org.cairnfs.fs.client.ClientFileSystem;
import org.cairnfs.fs.client.SmallChunks;
import org.cairnfs.fs.grid.GridConfig;
import org.cairnfs.fs.testing.TestGrid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data path under fsx-style random operations ({@link DataPathFsx}) over the in-memory
 * grid: thousands of steps, kills with journal replay and clean remounts among them. Reproduce
 * a failure with the seed it prints: {@code -Dcairn.seed=N}.
 */
class MountCoreFsxTest {
  @TempDir Path dir;

  @Test
  void randomDataOperationsMatchTheModelAcrossKillsAndRemounts() throws Exception {
    long seed = Long.getLong("cairn.seed", System.nanoTime());
    int ops = Integer.getInteger("cairn.fsx.ops", 1200);
    // a cache of 1 MiB: files written for long in one open are committed in parts of 256 KiB
    try (CoreFixture fx = new CoreFixture(MemoryGrid.inMemory(), null, dir.resolve("cache"),
        b -> b.cacheBytes(1 << 20))) {
      DataPathFsx fsx = new DataPathFsx(seed, fx, 128 * 1024, 600_000);
      try {
        fsx.run(ops);
      } catch (AssertionError e) {
        throw new AssertionError("seed " + seed + ": " + e.getMessage(), e);
      }
      assertThat(fsx.crashes).as("kills").isGreaterThan(ops / 200);
      assertThat(fsx.appends).as("appends").isPositive();
      assertThat(fsx.holes).as("writes past the end").isPositive();
      assertThat(fsx.parts).as("commits in a write").isPositive();
    }
  }

  /**
   * The same over the real client on real servers, with 16 KiB chunks: an upload merges dirty
   * pages into the base chunk by chunk, so writes and truncates that straddle chunk edges (and
   * pages inside them) must come back whole from the grid after a remount on a fresh cache.
   */
  @Test
  void randomDataOperationsOverTheRealClientAcrossChunkEdges() throws Exception {
    long seed = Long.getLong("cairn.seed", System.nanoTime());
    int ops = Integer.getInteger("cairn.fsx.gridOps", 120);
    GridConfig config = GridConfig.builder()
        .params(EncodingParams.builder().k(2).happy(3).n(4).segmentSize(4 * 1024).build())
        .stallTimeout(Duration.ofSeconds(5)).readTimeout(Duration.ofSeconds(5)).build();
    try (TestGrid grid = new TestGrid(dir.resolve("grid"), 4)) {
      ClientFileSystem fs = SmallChunks.fileSystem(grid.client(config), 16 * 1024);
      String root = fs.createDirectory().get();
      byte[][] last;
      try (CoreFixture fx = new CoreFixture(fs, root, dir.resolve("cache"), b -> { })) {
        DataPathFsx fsx = new DataPathFsx(seed, fx, 16 * 1024, 120_000);
        try {
          last = fsx.run(ops);
        } catch (AssertionError e) {
          throw new AssertionError("seed " + seed + ": " + e.getMessage(), e);
        }
      }
      // a fresh cache: every byte comes from the grid
      try (CoreFixture fresh = new CoreFixture(fs, root, dir.resolve("cache2"), b -> { })) {
        DataPathFsx.checkAgainst(fresh, last);
      }
    }
  }
}
