package org.cairnfs.fs.mount;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review of 0038c95: {@link SealedDescriptors#SHARED} is static and holds its layers strongly,
 * and nothing closes a mount's layers at unmount. A mount closed with files still waiting for
 * the grid leaves up to 256 spool files open for the life of the process (before, the layers
 * became unreachable with the mount and their channels' cleaners closed them).
 */
class SpoolDescriptorsAfterUnmountReviewTest {
  @TempDir
  Path dir;

  @Test
  void anUnmountedMountLeavesNoSpoolFileOpen() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    Path cache = dir.resolve("cache");
    CoreFixture fx = new CoreFixture(grid, null, cache, b -> { });
    fx.core.sync(Duration.ofSeconds(10));
    grid.failWith(GridException.Kind.UNREACHABLE);
    for (int i = 0; i < 20; i++) {
      fx.put("/f" + i, CoreFixture.bytes(100 + i, i)); // 100 KiB and more: not inline
    }
    assertThat(openUnder(cache)).as("while mounted").isPositive();
    fx.core.close(Duration.ofMillis(200), s -> { }); // cannot drain: the changes stay spooled
    fx = null;
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    long open;
    do {
      System.gc();
      Thread.sleep(50);
      open = openUnder(cache);
    } while (open > 0 && System.nanoTime() < deadline);
    assertThat(open).as("spool files still open after the unmount").isZero();
  }

  private static long openUnder(Path dir) throws IOException {
    Path real = dir.toRealPath();
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.filter(fd -> {
        try {
          return Files.readSymbolicLink(fd).startsWith(real)
              && Files.readSymbolicLink(fd).getFileName().toString().matches("\\d+\\.\\d+");
        } catch (IOException gone) {
          return false;
        }
      }).count();
    }
  }
}
