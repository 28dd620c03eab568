package org.cairnfs.fs.mount;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;

/** A mount core over a {@link MemoryGrid} in a temp cache dir, with helpers. */
final class CoreFixture implements AutoCloseable {
  static final Caller USER = new Caller(1000, 1000);
  /** The in-memory grid; null when the fixture runs over another backend. */
  final MemoryGrid grid;
  private final GridBackend backend;
  final String rootCap;
  final Path cacheDir;
  /** The config changes of this fixture, kept by every reopen. */
  private final java.util.function.Consumer<MountConfig.Builder> tweak;
  MountCore core;

  CoreFixture(Path cacheDir) throws IOException {
    this(MemoryGrid.inMemory(), null, cacheDir, b -> { });
  }

  CoreFixture(MemoryGrid grid, String rootCap, Path cacheDir,
      java.util.function.Consumer<MountConfig.Builder> tweak) throws IOException {
    this(grid, grid, rootCap != null ? rootCap : grid.newRoot(), cacheDir, tweak);
  }

  /** Over any grid backend (e.g. the real client on test servers), rooted at rootCap. */
  CoreFixture(GridBackend backend, String rootCap, Path cacheDir,
      java.util.function.Consumer<MountConfig.Builder> tweak) throws IOException {
    this(null, backend, rootCap, cacheDir, tweak);
  }

  private CoreFixture(MemoryGrid grid, GridBackend backend, String rootCap, Path cacheDir,
      java.util.function.Consumer<MountConfig.Builder> tweak) throws IOException {
    this.grid = grid;
    this.backend = backend;
    this.rootCap = rootCap;
    this.cacheDir = cacheDir;
    this.tweak = tweak;
    this.core = MountCore.open(config(tweak), backend);
  }

  MountConfig config(java.util.function.Consumer<MountConfig.Builder> tweak) {
    MountConfig.Builder b = MountConfig.builder(rootCap, cacheDir)
        .coalesceDelay(Duration.ofMillis(20))
        .retry(Duration.ofMillis(20), Duration.ofMillis(200))
        .directoryTtl(Duration.ofSeconds(60))
        .owner(1000, 1000);
    tweak.accept(b);
    return b.build();
  }

  /** Drops the core as a kill -9 would and opens a new one on the same cache dir. */
  void crashAndReopen() throws IOException {
    core.crash();
    reopen();
  }

  void closeAndReopen() throws IOException {
    core.close();
    reopen();
  }

  /** Opens a new core on the cache dir (after {@link MountCore#crash} or close). */
  void reopen() throws IOException {
    core = MountCore.open(config(tweak), backend);
  }

  /**
   * Waits for the end of the uploader's first round (the one the start asks for): after it only
   * kicks wake the uploader. A sync with nothing pending does not wait for it, and a change
   * made before it ends would ride on it.
   */
  void awaitFirstRound() throws InterruptedException {
    Uploader uploader = core.writeBack().uploader;
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
    while (uploader.rounds() < 1 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    org.assertj.core.api.Assertions.assertThat(uploader.rounds()).as("the start's round")
        .isPositive();
  }

  long create(String path) throws FsException {
    return core.create(path, 0644, MountCore.O_RDWR | MountCore.O_CREAT, USER);
  }

  void put(String path, byte[] data) throws FsException {
    long fh = core.create(path, 0644, MountCore.O_WRONLY | MountCore.O_CREAT
        | MountCore.O_TRUNC, USER);
    core.write(fh, ByteBuffer.wrap(data), 0);
    core.flush(fh);
    core.release(fh);
  }

  byte[] get(String path) throws FsException {
    long fh = core.open(path, 0);
    try {
      int size = (int) core.fgetattr(fh).size();
      ByteBuffer b = ByteBuffer.allocate(size + 10);
      long off = 0;
      while (true) {
        int n = core.read(fh, b, off);
        if (n == 0) {
          break;
        }
        off += n;
      }
      byte[] out = new byte[b.position()];
      b.flip().get(out);
      return out;
    } finally {
      core.release(fh);
    }
  }

  static byte[] bytes(int n, int seed) {
    byte[] b = new byte[n];
    new java.util.Random(seed).nextBytes(b);
    return b;
  }

  @Override
  public void close() throws IOException {
    core.close();
  }

  /** The data object of the file at {@code path} (tests that reach below the core's API). */
  FileData fileData(String path) throws FsException {
    java.util.List<String> names = Tree.names(path);
    core.tree.prepare(names, false);
    core.tree.lock.readLock().lock();
    try {
      return ((FileNode) core.tree.resolve(names)).data;
    } finally {
      core.tree.lock.readLock().unlock();
    }
  }
}
