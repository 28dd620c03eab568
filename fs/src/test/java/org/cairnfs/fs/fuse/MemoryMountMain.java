package org.cairnfs.fs.fuse;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.cairnfs.caps.Cap;
import org.cairnfs.fs.mount.MemoryGrid;
import org.cairnfs.fs.mount.MountConfig;
import org.cairnfs.fs.mount.MountCore;
import org.cairnfs.fs.mount.MountStatus;

/**
 * A real FUSE mount over the on-disk {@link MemoryGrid}, as its own process: what the FUSE
 * it-tests start (and kill -9) until the real grid client is wired behind the seam.
 *
 * <p>{@code MemoryMountMain GRID_STATE CACHE_DIR MOUNTPOINT [--read-only] [--write-through]}.
 * The root cap is kept in {@code GRID_STATE.root}. Prints {@code MOUNTED} once the kernel shows
 * the mount; SIGTERM or {@code fusermount -u} unmount, drain, print {@code UNMOUNTED ...}.
 */
public final class MemoryMountMain {
  private MemoryMountMain() {}

  public static void main(String[] args) throws Exception {
    Path state = Path.of(args[0]);
    Path cache = Path.of(args[1]);
    Path mp = Path.of(args[2]);
    boolean readOnly = false;
    boolean writeThrough = false;
    for (int i = 3; i < args.length; i++) {
      readOnly |= args[i].equals("--read-only");
      writeThrough |= args[i].equals("--write-through");
    }
    MemoryGrid grid = MemoryGrid.persistent(state);
    Path rootFile = state.resolveSibling(state.getFileName() + ".root");
    if (!Files.exists(rootFile)) {
      Files.writeString(rootFile, grid.newRoot());
    }
    String root = Files.readString(rootFile, StandardCharsets.US_ASCII).trim();
    if (readOnly) {
      root = Cap.parse(root).readOnly().toString();
    }
    MountCore core = MountCore.open(MountConfig.builder(root, cache)
        .writeThrough(writeThrough)
        .coalesceDelay(Duration.ofMillis(100))
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
