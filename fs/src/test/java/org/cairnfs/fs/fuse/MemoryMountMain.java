package org.cairnfs.fs.fuse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.cairnfs.caps.Cap;
import org.cairnfs.caps.immutable.EncodingParams;
import org.cairnfs.fs.client.ClientFileSystem;
import org.cairnfs.fs.client.GridFileSystem;
import org.cairnfs.fs.grid.GridConfig;
import org.cairnfs.fs.mount.MemoryGrid;
import org.cairnfs.fs.mount.MountConfig;
import org.cairnfs.fs.mount.MountCore;
import org.cairnfs.fs.mount.MountStatus;
import org.cairnfs.fs.testing.TestGrid;
import org.cairnfs.introducer.NodeAddress;

/**
 * A real FUSE mount as its own process, what the FUSE it-tests start (and kill -9): over the
 * on-disk {@link MemoryGrid}, or with {@code --servers FILE} over real storage servers (one
 * {@code NodeAddress} a line, e.g. from {@code GridHostMain}) through the real grid client,
 * encoded {@code --k K --happy H --n N} (default 3, 7, 10).
 *
 * <p>{@code MemoryMountMain GRID_STATE CACHE_DIR MOUNTPOINT [--read-only] [--write-through]
 * [--servers FILE [--k K --happy H --n N]]}. The root cap is kept in {@code GRID_STATE.root}
 * (and the grid client's secrets under {@code GRID_STATE.client/}). Prints {@code MOUNTED} once
 * the kernel shows the mount; SIGTERM or {@code fusermount -u} unmount, drain, print {@code
 * UNMOUNTED ...}.
 */
public final class MemoryMountMain {
  private MemoryMountMain() {}

  public static void main(String[] args) throws Exception {
    Path state = Path.of(args[0]);
    Path cache = Path.of(args[1]);
    Path mp = Path.of(args[2]);
    boolean readOnly = false;
    boolean writeThrough = false;
    Path servers = null;
    int[] knh = {3, 7, 10};
    for (int i = 3; i < args.length; i++) {
      readOnly |= args[i].equals("--read-only");
      writeThrough |= args[i].equals("--write-through");
      switch (args[i]) {
        case "--servers" -> servers = Path.of(args[++i]);
        case "--k" -> knh[0] = Integer.parseInt(args[++i]);
        case "--happy" -> knh[1] = Integer.parseInt(args[++i]);
        case "--n" -> knh[2] = Integer.parseInt(args[++i]);
        default -> { }
      }
    }
    GridFileSystem grid = servers == null ? MemoryGrid.persistent(state)
        : realGrid(servers, state.resolveSibling(state.getFileName() + ".client"), knh);
    Path rootFile = state.resolveSibling(state.getFileName() + ".root");
    if (!Files.exists(rootFile)) {
      Files.writeString(rootFile, grid.createDirectory().get());
    }
    String root = Files.readString(rootFile, StandardCharsets.US_ASCII).trim();
    if (readOnly) {
      root = Cap.parse(root).readOnly().toString();
    }
    MountCore core = MountCore.open(MountConfig.builder(root, cache)
        .writeThrough(writeThrough)
        .coalesceDelay(Duration.ofMillis(100))
        // uploads start during a long copy, so crash tests meet rounds under way
        .coalesceLimit(Duration.ofSeconds(1))
        .retry(Duration.ofMillis(100), Duration.ofSeconds(2))
        .build(), grid);
    FuseMount mount = FuseMount.mount(core, mp, isRoot(), Duration.ofSeconds(20));
    Object done = new Object();
    boolean[] finished = new boolean[1];
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        finish(mount);
      } finally {
        synchronized (done) {
          finished[0] = true;
          done.notifyAll();
        }
      }
    }));
    System.out.println("MOUNTED " + mp);
    System.out.flush();
    mount.awaitUnmounted();
    finish(mount);
    System.exit(0);
  }

  /** The real grid client over the servers listed in {@code serversFile}. */
  private static GridFileSystem realGrid(Path serversFile, Path clientDir,
      int[] knh) throws IOException {
    return ClientFileSystem.create(TestGrid.clientOf(serversFile, clientDir,
        GridConfig.builder().params(EncodingParams.builder().k(knh[0]).happy(knh[1])
            .n(knh[2]).build()).build()));
  }

  private static boolean finished;

  private static synchronized void finish(FuseMount mount) {
    if (finished) {
      return;
    }
    finished = true;
    try {
      MountStatus s = mount.unmount(Duration.ofSeconds(30), st -> { });
      System.out.println("UNMOUNTED " + (s.clean() ? "clean" : "pending " + s.pendingChanges()));
    } catch (Exception e) {
      System.out.println("UNMOUNTED error " + e.getMessage());
    }
    System.out.flush();
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }
}
