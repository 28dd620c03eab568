package org.cairnfs.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.cairnfs.fs.fuse.FuseMount;
import org.cairnfs.storage.config.ByteSize;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code cairn mount}: a grid directory as a local folder through FUSE. Without
 * {@code --foreground} the command starts the mount in a process of its own, waits until the
 * kernel shows it, and returns; the mount runs until {@code cairn unmount} (or fusermount -u).
 */
@Command(name = "mount",
    description = "Mount a grid directory at MOUNTPOINT. A directory write cap (or an alias of"
        + " one) mounts read-write, a read cap read-only. Changes are kept on local disk at every"
        + " close and uploaded in the background; 'cairn sync' waits for them, 'cairn unmount'"
        + " uploads what is pending and unmounts.")
final class MountCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  NodeOption node;

  @Option(names = "--root", paramLabel = "ALIAS|CAP",
      description = "The directory to mount: an alias of the node or a directory cap (default:"
          + " the alias '" + RootAlias.DEFAULT + "', created on first use).")
  String root;

  @Parameters(index = "0", paramLabel = "MOUNTPOINT", description = "An empty directory.")
  Path mountpoint;

  @Option(names = "--foreground",
      description = "Stay in the foreground; Ctrl-C uploads what is pending and unmounts.")
  boolean foreground;

  @Option(names = "--cache-dir", paramLabel = "DIR",
      description = "Write-back cache and journal (default: one per root under the node's"
          + " mounts/ directory).")
  Path cacheDir;

  @Option(names = "--cache-size", paramLabel = "SIZE", defaultValue = "1G",
      description = "Bound of pending data in the cache; past it writes wait for uploads"
          + " (default: ${DEFAULT-VALUE}).")
  String cacheSize;

  @Option(names = "--read-cache-size", paramLabel = "SIZE", defaultValue = "1G",
      description = "Read file content kept on local disk in the cache dir, so re-reads need"
          + " not fetch it again; emptied at mount and unmount, 0 keeps none (default:"
          + " ${DEFAULT-VALUE}).")
  String readCacheSize;

  @Option(names = "--write-through",
      description = "Every close waits until the file is on the grid.")
  boolean writeThrough;

  @Option(names = "--wait", paramLabel = "SECONDS", defaultValue = "30",
      description = "How long to wait for enough storage servers before mounting anyway"
          + " (default: ${DEFAULT-VALUE}).")
  int waitSeconds;

  @Option(names = "--drain", paramLabel = "SECONDS", defaultValue = "60",
      description = "At unmount, how long to upload pending changes before leaving them for"
          + " the next mount (default: ${DEFAULT-VALUE}).")
  int drainSeconds;

  @Override
  public Integer call() throws Exception {
    long cacheBytes = parseSize(cacheSize, "--cache-size");
    long readCacheBytes = parseSize(readCacheSize, "--read-cache-size");
    if (waitSeconds < 0 || drainSeconds < 0) {
      throw new CliException(ExitCode.USAGE, "--wait and --drain must not be negative");
    }
    Path nodeDir = node.nodeDir();
    Path mp = prepareMountpoint(mountpoint);
    FuseMount.checkFuseAvailable();
    if (!foreground) {
      return Background.start(spec, mp, nodeDir);
    }
    Interrupts.restore();
    Files.createDirectories(new NodeDirectory(nodeDir).logs());
    Logging.toDirectory(new NodeDirectory(nodeDir).logs(), false);
    PrintWriter out = spec.commandLine().getOut();
    try (ClientNode client = ClientNode.open(nodeDir)) {
      int up = client.awaitServers(client.happy(), Duration.ofSeconds(waitSeconds));
      if (up < client.happy()) {
        out.printf("warning: %d of the %d storage servers an upload needs answer; the mount"
            + " starts anyway and uploads wait until enough servers are back%n", up,
            client.happy());
      }
      String rootCap = RootAlias.resolve(client, root);
      MountSession session = MountSession.start(client.files(), rootCap, mp,
          new MountSession.Options(cacheDir != null ? cacheDir.toAbsolutePath()
              : MountSession.defaultCacheDir(nodeDir, rootCap), cacheBytes, readCacheBytes,
              writeThrough,
              Duration.ofSeconds(drainSeconds), Duration.ofSeconds(30)));
      Thread hook = new Thread(() -> session.stop(Duration.ofSeconds(drainSeconds), out),
          "cairn-unmount");
      Runtime.getRuntime().addShutdownHook(hook);
      out.printf("%s %s (%s); 'cairn unmount %s' %s%n", MOUNTED, mp,
          session.readOnly() ? "read-only" : "read-write", mp,
          session.readOnly() ? "unmounts it" : "uploads what is pending and unmounts");
      out.flush();
      session.awaitUnmounted();
      session.stop(Duration.ofSeconds(drainSeconds), out);
      return session.status().clean() ? 0 : ExitCode.UNAVAILABLE.code;
    }
  }

  /** What a mount prints once the kernel shows it (the background starter waits for it). */
  static final String MOUNTED = "mounted";

  /**
   * The mount point as an absolute path; created when missing (its parent must exist). A mount
   * left there by a process that died (it answers ENOTCONN, and looks missing) is cleared first.
   */
  static Path prepareMountpoint(Path mountpoint) throws IOException {
    Path mp = mountpoint.toAbsolutePath().normalize();
    FuseMount.clearStale(mp);
    if (!Files.exists(mp) && mp.getParent() != null && Files.isDirectory(mp.getParent())) {
      Files.createDirectory(mp);
    }
    return mp;
  }

  static long parseSize(String text, String option) {
    try {
      return ByteSize.parse(text);
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCode.USAGE, option + " must be a size like 512M or 4G, got '"
          + text + "'");
    }
  }
}
