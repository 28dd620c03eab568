package org.cairnfs.fs.mount;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;

/** Two clients of one root on one memory grid, both with {@code ttl}; b has listed a's /d. */
record TwoClients(CoreFixture a, CoreFixture b) implements AutoCloseable {
  static TwoClients sharingD(Path dir, Duration ttl) throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    CoreFixture a = new CoreFixture(grid, null, dir.resolve("a"), x -> x.directoryTtl(ttl));
    CoreFixture b = new CoreFixture(grid, a.rootCap, dir.resolve("b"),
        x -> x.directoryTtl(ttl));
    a.core.mkdir("/d", 0755, CoreFixture.USER);
    a.core.sync(Duration.ofSeconds(10));
    assertThat(b.core.readdir("/d")).hasSize(2);
    return new TwoClients(a, b);
  }

  @Override
  public void close() throws Exception {
    try (a) {
      b.close();
    }
  }
}
