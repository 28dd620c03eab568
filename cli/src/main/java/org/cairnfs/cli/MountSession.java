package org.cairnfs.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import org.cairnfs.caps.Cap;
import org.cairnfs.fs.fuse.FuseMount;
import org.cairnfs.fs.mount.GridBackend;
import org.cairnfs.fs.mount.MountConfig;
import org.cairnfs.fs.mount.MountCore;
import org.cairnfs.fs.mount.MountStatus;
import org.cairnfs.storage.config.ByteSize;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One root cap mounted at one mount point, as {@code cairn mount} and {@code cairn demo} run
 * it: the mount core over the grid, its FUSE mount, and a stop that unmounts, then drains the
 * write-back with progress, once, whoever asks first (a signal, {@code cairn unmount}, the end
 * of the command).
 */
final class MountSession implements DemoCollector.Mount {
  private static final Logger log = LoggerFactory.getLogger(MountSession.class);
  /** Name of the file in a cache dir that says which root cap the cache belongs to. */
  static final String ROOT_MARK = "root.id";

  /**
   * How a session mounts; {@code drain} bounds how long stop waits for pending uploads,
   * {@code readCacheBytes} what of read files it keeps on disk (see {@link
   * MountConfig.Builder#readCacheBytes}).
   */
  record Options(Path cacheDir, long cacheBytes, long readCacheBytes, boolean writeThrough,
      Duration drain, Duration mountTimeout) {}

  private final FuseMount mount;
  private final MountCore core;
  private final Path cacheDir;
  private final String rootCap;
  private final java.util.concurrent.ScheduledExecutorService reporter;
  private MountStatus stopped;

  private MountSession(FuseMount mount, MountCore core, Path cacheDir, String rootCap) {
    this.mount = mount;
    this.core = core;
    this.cacheDir = cacheDir;
    this.rootCap = rootCap;
    this.reporter = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "cairn-mount-status");
      t.setDaemon(true);
      return t;
    });
    reporter.scheduleWithFixedDelay(this::report, 0, 2, java.util.concurrent.TimeUnit.SECONDS);
  }

  /** Keeps the cache dir's status file current for {@code cairn status}. */
  private void report() {
    try {
      MountStatusFile.write(cacheDir, mount.mountpoint(), core.status());
    } catch (IOException | RuntimeException e) {
      log.debug("writing the mount status: {}", e.toString());
    }
  }

  /**
   * Opens the cache dir (replaying its journal in the background) and mounts {@code rootCap} at
   * {@code mountpoint}; returns once the kernel shows the mount.
   *
   * @throws CliException when the cache dir belongs to another root
   * @throws IOException with what to do when FUSE is missing or the mount fails
   */
  static MountSession start(GridBackend files, String rootCap, Path mountpoint, Options o)
      throws IOException {
    Path mp = mountpoint.toAbsolutePath().normalize();
    claimCacheDir(o.cacheDir(), rootCap);
    MountConfig.Builder config = MountConfig.builder(rootCap, o.cacheDir())
        .cacheBytes(o.cacheBytes()).readCacheBytes(o.readCacheBytes())
        .writeThrough(o.writeThrough());
    int[] owner = currentUser();
    config.owner(owner[0], owner[1]);
    MountCore core = MountCore.open(config.build(), files); // its lock's refusal says what to do
    try {
      FuseMount m = FuseMount.mount(core, mp, isRoot(), o.mountTimeout());
      return new MountSession(m, core, o.cacheDir(), rootCap);
    } catch (IOException | RuntimeException e) {
      core.close(Duration.ZERO, s -> { });
      throw e;
    }
  }

  Path mountpoint() {
    return mount.mountpoint();
  }

  boolean readOnly() {
    return core.readOnly();
  }

  @Override
  public MountStatus status() {
    return core.status();
  }

  @Override
  public String rootCap() {
    return rootCap;
  }

  @Override
  public Path cacheDir() {
    return cacheDir;
  }

  /** See {@link MountCore#capsInUse}. */
  @Override
  public java.util.Set<String> capsInUse() {
    return core.capsInUse();
  }

  /** Blocks until the mount is gone (someone ran {@code cairn unmount} or fusermount -u). */
  void awaitUnmounted() {
    mount.awaitUnmounted();
  }

  /**
   * Unmounts if still mounted, then uploads what is pending for up to the drain time, printing
   * progress to {@code out}; says what stays for the next mount. Only the first call works.
   */
  synchronized MountStatus stop(Duration drain, PrintWriter out) {
    if (stopped != null) {
      return stopped;
    }
    reporter.shutdownNow();
    long[] lastPrint = {0};
    try {
      stopped = mount.unmount(drain, s -> {
        long now = System.nanoTime();
        if (!s.clean() && now - lastPrint[0] > 2_000_000_000L) {
          lastPrint[0] = now;
          out.printf("unmounting %s: uploading %d pending changes (%s in the cache)%s%n",
              mount.mountpoint(), s.pendingChanges(), ByteSize.format(s.spoolBytes()),
              s.lastError().map(e -> "; last error: " + e).orElse(""));
          out.flush();
        }
      });
    } catch (IOException e) {
      log.warn("unmounting {}: {}", mount.mountpoint(), e.getMessage());
      out.println("cairn: " + e.getMessage());
      try {
        stopped = core.close(drain, s -> { });
      } catch (IOException again) {
        stopped = core.status();
      }
    }
    try {
      Files.deleteIfExists(cacheDir.resolve(MountStatusFile.NAME));
    } catch (IOException e) {
      log.debug("removing the mount status: {}", e.toString());
    }
    if (stopped.clean()) {
      out.println("unmounted " + mount.mountpoint() + "; everything is on the grid");
    } else {
      out.println("unmounted " + mount.mountpoint() + "; " + stopped.pendingChanges()
          + " changes could not be uploaded yet"
          + stopped.lastError().map(e -> " (" + e + ")").orElse("")
          + ": they stay in the cache dir and the next mount of the same root uploads them");
    }
    out.flush();
    return stopped;
  }

  /**
   * The default cache dir of a root in a node directory: one per root cap, so mounting the same
   * root again (after a crash) finds and replays its journal, and two different roots never
   * share one.
   */
  static Path defaultCacheDir(Path nodeDir, String rootCap) {
    return nodeDir.resolve("mounts").resolve(rootId(rootCap).substring(0, 16));
  }

  /**
   * Creates the cache dir (owner-only: its journal holds caps) and marks it with the root it
   * serves; refuses a cache dir that already serves another root, whose journal would replay
   * against the wrong tree.
   */
  static void claimCacheDir(Path cacheDir, String rootCap) throws IOException {
    if (!Files.isDirectory(cacheDir)) {
      Files.createDirectories(cacheDir.getParent() == null ? cacheDir : cacheDir.getParent());
      try {
        Files.createDirectory(cacheDir,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      } catch (java.nio.file.FileAlreadyExistsException raced) {
        // created meanwhile: fine
      }
    }
    Path mark = cacheDir.resolve(ROOT_MARK);
    String id = rootId(rootCap);
    if (Files.exists(mark)) {
      String had = Files.readString(mark, StandardCharsets.US_ASCII).trim();
      if (!had.equals(id)) {
        throw new CliException(ExitCode.USAGE, "the cache dir " + cacheDir + " belongs to a mount"
            + " of another root; give this root its own --cache-dir (or leave the option out)");
      }
      return;
    }
    RunningNode.writeAtomically(mark, id + "\n");
  }

  /** A hash of the cap naming the root (the cap itself is a secret; this is not). */
  static String rootId(String rootCap) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256")
          .digest(("cairn mount root\n" + rootCap).getBytes(StandardCharsets.US_ASCII));
      return HexFormat.of().formatHex(h);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The cap to mount: a directory cap (write or read), checked; others are usage errors. */
  static String checkRoot(String text) {
    Cap cap;
    try {
      cap = Cap.parse(text.strip());
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCode.USAGE, "not a cap: " + redact(text) + " ("
          + e.getMessage() + ")");
    }
    if (!cap.isDirectory()) {
      throw new CliException(ExitCode.USAGE, "only a directory can be mounted; "
          + redact(text) + " is a " + cap.getClass().getSimpleName());
    }
    return cap.toString();
  }

  /** A cap for a message: its scheme and kind only (the rest is the secret). */
  static String redact(String text) {
    String s = text.strip();
    int kindEnd = s.startsWith(Cap.SCHEME) ? s.indexOf(':', Cap.SCHEME.length()) : -1;
    return kindEnd < 0 ? "'" + s.substring(0, Math.min(s.length(), 12)) + "...'"
        : s.substring(0, kindEnd + 1) + "...";
  }

  /** uid and gid of this process (new files and listed entries belong to the mounting user). */
  static int[] currentUser() {
    try {
      Path self = Path.of("/proc/self");
      return new int[] {(Integer) Files.getAttribute(self, "unix:uid"),
          (Integer) Files.getAttribute(self, "unix:gid")};
    } catch (IOException | UnsupportedOperationException e) {
      return new int[] {0, 0};
    }
  }

  private static boolean isRoot() {
    return currentUser()[0] == 0;
  }
}
