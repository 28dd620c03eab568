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

  private static boolean keeps(CoreFixture fx, String path, int flags) throws Exception {
    long fh = fx.core.open(path, flags);
    try {
      return fx.core.keepCache(fh);
    } finally {
      fx.core.release(fh);
    }
  }

  @Test
  void theKernelKeepsCachedPagesOnlyWhileTheContentIsUnchangedSinceTheLastOpen() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    try (CoreFixture a = new CoreFixture(grid, null, dir.resolve("a"),
        b -> b.directoryTtl(Duration.ZERO))) {
      a.put("/f", CoreFixture.bytes(5000, 1));
      assertThat(keeps(a, "/f", 0)).as("first open after the write").isFalse();
      assertThat(keeps(a, "/f", 0)).as("unchanged since").isTrue();
      a.core.sync(Duration.ofSeconds(30));
      assertThat(keeps(a, "/f", 0)).as("uploading changes no byte").isTrue();

      long fh = a.core.open("/f", MountCore.O_RDWR);
      assertThat(a.core.keepCache(fh)).isTrue();
      a.core.write(fh, ByteBuffer.wrap(new byte[] {7}), 100);
      a.core.flush(fh);
      a.core.release(fh);
      assertThat(keeps(a, "/f", 0)).as("written here").isFalse();
      assertThat(keeps(a, "/f", 0)).isTrue();

      a.core.truncate("/f", 5000 - 1);
      assertThat(keeps(a, "/f", 0)).as("truncated by path").isFalse();
      assertThat(keeps(a, "/f", MountCore.O_WRONLY | MountCore.O_TRUNC)).as("O_TRUNC").isFalse();
      a.put("/f", CoreFixture.bytes(5000, 1));
      assertThat(keeps(a, "/f", 0)).isFalse();
      assertThat(keeps(a, "/f", 0)).isTrue();
      a.core.sync(Duration.ofSeconds(30));

      // another client rewrites the file with other bytes of the same size
      try (CoreFixture b = new CoreFixture(grid, a.rootCap, dir.resolve("b"), x -> { })) {
        b.put("/f", CoreFixture.bytes(5000, 2));
        b.core.sync(Duration.ofSeconds(30));
      }
      assertThat(keeps(a, "/f", 0)).as("replaced on the grid").isFalse();
      assertThat(a.get("/f")).isEqualTo(CoreFixture.bytes(5000, 2));
      assertThat(keeps(a, "/f", 0)).isTrue();
    }
  }

  /**
   * A read that waits on the grid holds its file's read lock, and a write queued behind it
   * holds up every later taker of that lock; stat and listings of the file, which run under
   * the tree's lock, must not be among them, or one slow file would stall the whole mount.
   */
  @Test
  void aFileWaitingOnTheGridDoesNotHoldUpStatOrListingsOfIt() throws Exception {
    MemoryGrid grid = MemoryGrid.inMemory();
    String root;
    try (CoreFixture writer = new CoreFixture(grid, null, dir.resolve("w"), b -> { })) {
      writer.put("/f", CoreFixture.bytes(64 * 1024, 3));
      writer.core.sync(Duration.ofSeconds(30));
      root = writer.rootCap;
    }
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(3);
    java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);
    try (CoreFixture reader = new CoreFixture(grid, root, dir.resolve("r"), b -> { })) {
      assertThat(reader.core.getattr("/f").size()).isEqualTo(64 * 1024);
      FileData data = reader.fileData("/f");
      long readFh = reader.core.open("/f", 0);
      long writeFh = reader.core.open("/f", MountCore.O_RDWR);
      grid.readGate = gate;
      java.util.concurrent.Future<Integer> read = pool.submit(
          () -> reader.core.read(readFh, ByteBuffer.allocate(4096), 0));
      while (grid.readsAtGate.get() == 0) {
        Thread.sleep(5);
      }
      java.util.concurrent.Future<Integer> write = pool.submit(
          () -> reader.core.write(writeFh, ByteBuffer.wrap(new byte[] {1, 2, 3}), 10));
      while (!data.lock().hasQueuedThreads()) {
        Thread.sleep(5);
      }
      // the read waits on the grid and the write on the read: the tree must still answer
      java.util.concurrent.Future<Long> stat = pool.submit(() -> reader.core.getattr("/f").size());
      java.util.concurrent.Future<Integer> listing = java.util.concurrent.CompletableFuture
          .supplyAsync(() -> {
            try {
              return reader.core.readdir("/").size();
            } catch (FsException e) {
              throw new java.util.concurrent.CompletionException(e);
            }
          });
      try {
        assertThat(stat.get(20, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(64 * 1024);
        assertThat(listing.get(20, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(3);
        assertThat(read.isDone()).as("the read still waits on the grid").isFalse();
      } finally {
        gate.countDown();
        grid.readGate = null;
      }
      assertThat(read.get(20, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(4096);
      assertThat(write.get(20, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(3);
      reader.core.release(readFh);
      reader.core.release(writeFh);
    } finally {
      gate.countDown();
      pool.shutdownNow();
    }
  }
}
