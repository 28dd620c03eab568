package org.cairnfs.fs.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.cairnfs.caps.dirnode.EntryKind;
import org.cairnfs.caps.immutable.EncodingParams;
import org.cairnfs.fs.grid.GridConfig;
import org.cairnfs.fs.mount.Caller;
import org.cairnfs.fs.mount.DirEntryInfo;
import org.cairnfs.fs.mount.FsException;
import org.cairnfs.fs.mount.MountConfig;
import org.cairnfs.fs.mount.MountCore;
import org.cairnfs.fs.mount.RemoteEntry;
import org.cairnfs.fs.testing.TestGrid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mount core over the real client on real servers: the seam holds. Files written and
 * renamed through one mount are there, with their bytes, for a second mount (fresh cache) and
 * for a second client that reads the root cap directly.
 */
class MountOverGridTest {
  static final Caller USER = new Caller(1000, 1000);
  static final GridConfig CONFIG = GridConfig.builder()
      .params(EncodingParams.builder().k(2).happy(3).n(4).segmentSize(16 * 1024).build())
      .stallTimeout(Duration.ofSeconds(3)).readTimeout(Duration.ofSeconds(3)).build();

  @TempDir Path dir;

  static MountCore mount(ClientFileSystem fs, String root, Path cache) throws Exception {
    return MountCore.open(MountConfig.builder(root, cache).coalesceDelay(Duration.ofMillis(20))
        .retry(Duration.ofMillis(50), Duration.ofMillis(500)).owner(1000, 1000).build(), fs);
  }

  static void put(MountCore core, String path, byte[] data) throws FsException {
    long fh = core.create(path, 0644, MountCore.O_WRONLY | MountCore.O_CREAT
        | MountCore.O_TRUNC, USER);
    core.write(fh, ByteBuffer.wrap(data), 0);
    core.flush(fh);
    core.release(fh);
  }

  static byte[] get(MountCore core, String path) throws FsException {
    long fh = core.open(path, 0);
    try {
      int size = (int) core.fgetattr(fh).size();
      ByteBuffer b = ByteBuffer.allocate(size);
      while (b.hasRemaining()) {
        if (core.read(fh, b, b.position()) == 0) {
          break;
        }
      }
      return b.array();
    } finally {
      core.release(fh);
    }
  }

  @Test
  void createWriteRenameAcrossDirectoriesAndReopen() throws Exception {
    byte[] big = new byte[50_000];
    new Random(7).nextBytes(big);
    try (TestGrid grid = new TestGrid(dir.resolve("grid"), 4)) {
      ClientFileSystem fs = ClientFileSystem.create(grid.client(CONFIG));
      String root = fs.createDirectory().get();
      MountCore core = mount(fs, root, dir.resolve("cache1"));
      core.mkdir("/a", 0755, USER);
      core.mkdir("/b", 0755, USER);
      put(core, "/a/big", big);
      put(core, "/a/small", "hello".getBytes());
      core.rename("/a/big", "/b/moved", 0);
      core.sync(Duration.ofSeconds(30));
      core.close();

      ClientFileSystem second = ClientFileSystem.create(grid.client(CONFIG));
      List<RemoteEntry> top = second.list(root).get();
      assertThat(top).extracting(RemoteEntry::name).containsExactly("a", "b");
      String b = second.lookup(root, "b").get().orElseThrow().cap().orElseThrow();
      RemoteEntry moved = second.lookup(b, "moved").get().orElseThrow();
      assertThat(moved.metadata().kind()).isEqualTo(EntryKind.FILE);
      assertThat(second.read(moved.cap().orElseThrow(), 0, big.length).get()).isEqualTo(big);

      MountCore again = mount(second, root, dir.resolve("cache2"));
      try {
        assertThat(again.readdir("/a")).extracting(DirEntryInfo::name).contains("small")
            .doesNotContain("big");
        assertThat(get(again, "/b/moved")).isEqualTo(big);
        assertThat(get(again, "/a/small")).isEqualTo("hello".getBytes());
      } finally {
        again.close();
      }
    }
  }
}
