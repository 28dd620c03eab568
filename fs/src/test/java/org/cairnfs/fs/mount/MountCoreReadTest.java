package org.cairnfs.fs.mount;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MountCoreReadTest {
  @TempDir
  Path dir;

  @Test
  void listingALargeDirectoryWithStatsFetchesNoFileContent() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    String root;
    try (CoreFixture writer = new CoreFixture(grid, null, dir.resolve("w"), b -> { })) {
      writer.core.mkdir("/big", 0755, CoreFixture.USER);
      for (int i = 0; i < 2000; i++) {
        writer.put("/big/f" + i, new byte[i % 100]);
      }
      writer.core.sync(Duration.ofSeconds(30));
      root = writer.rootCap;
    }
    try (CoreFixture reader = new CoreFixture(grid, root, dir.resolve("r"), b -> { })) {
      int listsBefore = grid.lists.get();
      int readsBefore = grid.reads.get();
      var entries = reader.core.readdir("/big");
      assertThat(entries).hasSize(2002);
      for (int i = 0; i < 2000; i++) {
        assertThat(reader.core.getattr("/big/f" + i).size()).isEqualTo(i % 100);
      }
      assertThat(grid.reads.get() - readsBefore).isZero();
      assertThat(grid.lists.get() - listsBefore).isEqualTo(2); // the root, then /big
    }
  }

  @Test
  void sequentialReadsAreFetchedAheadInLargeWindows() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    byte[] data = CoreFixture.bytes(8 << 20, 9);
    String root;
    try (CoreFixture writer = new CoreFixture(grid, null, dir.resolve("w"), b -> { })) {
      writer.put("/f", data);
      writer.core.sync(Duration.ofSeconds(30));
      root = writer.rootCap;
    }
    try (CoreFixture reader = new CoreFixture(grid, root, dir.resolve("r"), b -> { })) {
      long fh = reader.core.open("/f", 0);
      int before = grid.reads.get();
      ByteBuffer buf = ByteBuffer.allocate(128 * 1024);
      byte[] got = new byte[data.length];
      long off = 0;
      while (off < data.length) {
        buf.clear();
        int n = reader.core.read(fh, buf, off);
        System.arraycopy(buf.array(), 0, got, (int) off, n);
        off += n;
      }
      reader.core.release(fh);
      assertThat(got).isEqualTo(data);
      // 64 FUSE-sized reads; with 1 MiB read-ahead about one grid read per window
      assertThat(grid.reads.get() - before).isLessThanOrEqualTo(20);
    }
  }

  @Test
  void aFileWithPendingChangesReadsFromItsSpool() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    try (CoreFixture fx = new CoreFixture(grid, null, dir, b -> { })) {
      grid.failWith(GridException.Kind.UNREACHABLE);
      fx.put("/p", new byte[] {1, 2, 3});
      int before = grid.reads.get();
      assertThat(fx.get("/p")).containsExactly(1, 2, 3);
      assertThat(grid.reads.get()).isEqualTo(before);
      grid.heal();
    }
  }
}
