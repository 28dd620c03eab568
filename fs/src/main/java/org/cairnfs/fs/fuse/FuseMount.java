package org.cairnfs.fs.fuse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.cairnfs.fs.mount.MountCore;
import org.cairnfs.fs.mount.MountStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A mount core mounted with FUSE at a directory: mounts and checks that the kernel really shows
 * the mount (jnr-fuse alone counts two silent seconds as success), clears a stale mount left by
 * a dead process, unmounts by waiting until the mount is gone, then drains the write-back.
 *
 * <p>The binding (libfuse2 through jnr-fuse) is confined to this package; the core knows no
 * FUSE types, so a libfuse3 binding could replace {@link CairnFuse} without touching it.
 */
public final class FuseMount {
  private static final Logger LOG = LoggerFactory.getLogger(FuseMount.class);
  public static final String FS_TYPE = "fuse.cairn";
  /** How long a daemon at a mount point has to answer before it counts as hung. */
  static final Duration STALE_CHECK = Duration.ofSeconds(5);
  /** No limit, for {@link #poll}. */
  private static final Duration FOREVER = Duration.ofNanos(Long.MAX_VALUE);

  private final MountCore core;
  private final Path mountpoint;
  private final CompletableFuture<Void> loop;

  private FuseMount(MountCore core, Path mountpoint, CompletableFuture<Void> loop) {
    this.core = core;
    this.mountpoint = mountpoint;
    this.loop = loop;
  }

  /**
   * Mounts {@code core} at {@code mountpoint} with a multithreaded FUSE loop and returns once
   * the kernel lists the mount.
   *
   * @param allowOther let other users in (needs root or user_allow_other in /etc/fuse.conf)
   * @throws IOException with what to install or do when FUSE is missing or the mount fails
   */
  public static FuseMount mount(MountCore core, Path mountpoint, boolean allowOther,
      Duration timeout) throws IOException {
    Path mp = kernelPath(mountpoint);
    checkFuseAvailable();
    clearStale(mp);
    if (!Files.isDirectory(mp)) {
      throw new IOException("mount point " + mp + " is not a directory");
    }
    // atomic_o_trunc: O_TRUNC comes with the open, which keeps it with the handle's other
    // changes until the close; without it the kernel sends a truncate by path, which cannot be
    // told from truncate(2) and is journaled at once (a kill before the close showed an empty
    // file instead of the last closed version)
    List<String> opts = new ArrayList<>(List.of("-o", "fsname=cairn,subtype=cairn,use_ino,"
        + "big_writes,max_write=131072,max_read=131072,default_permissions,atomic_o_trunc,"
        + "attr_timeout=1,entry_timeout=1,negative_timeout=0"
        + (core.readOnly() ? ",ro" : "") + (allowOther ? ",allow_other" : "")));
    CairnFuse fs = new CairnFuse(core);
    CompletableFuture<Void> loop = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      try {
        fs.mount(mp, true, false, opts.toArray(new String[0]));
        loop.complete(null);
      } catch (Throwable e) {
        loop.completeExceptionally(e);
      }
    }, "cairn-fuse-loop");
    t.setDaemon(true);
    t.start();
    poll(() -> shown(mp) || loop.isDone(), timeout, 20);
    if (!shown(mp)) {
      if (loop.isDone()) {
        String why = loop.isCompletedExceptionally() ? loop.handle((v, e) -> String.valueOf(e))
            .join() : "the FUSE loop ended";
        throw new IOException("mounting " + mp + " failed: " + why);
      }
      takeDownWhenShown(mp, loop);
      throw new IOException("mounting " + mp + ": the kernel did not show the mount within "
          + timeout);
    }
    LOG.info("mounted at {}", mp);
    return new FuseMount(core, mp, loop);
  }

  public Path mountpoint() {
    return mountpoint;
  }

  /** Whether the kernel shows the mount right now. */
  public boolean mounted() {
    return shown(mountpoint);
  }

  private static boolean shown(Path mp) {
    return FS_TYPE.equals(MountTable.typeAt(mp).orElse(""));
  }

  /** Whether the kernel shows a Cairn mount at {@code path} now (for the CLI's unmount, sync). */
  public static boolean isCairnMount(Path path) {
    return FS_TYPE.equals(MountTable.typeAt(kernelPath(path)).orElse(""));
  }

  /**
   * The path the kernel lists a mount at: absolute, with symbolic links resolved (mount(2)
   * follows them and mountinfo shows where they lead; compared as given, a mount point reached
   * through a link never showed). The last name is looked at only when no mount is there: a
   * mount point's stat goes to its daemon, which may be dead or hung.
   */
  static Path kernelPath(Path path) {
    Path abs = path.toAbsolutePath().normalize();
    if (abs.getParent() == null) {
      return abs;
    }
    try {
      Path p = abs.getParent().toRealPath().resolve(abs.getFileName());
      if (MountTable.typeAt(p).isPresent()) {
        return p;
      }
      return Files.isSymbolicLink(p) ? p.toRealPath() : p;
    } catch (IOException e) {
      return abs; // a parent that is missing: the mount fails on it
    }
  }

  /** Every Cairn mount the kernel shows this process, in mount order. */
  public static List<Path> cairnMounts() {
    return MountTable.mountsOfType(FS_TYPE);
  }

  /** Blocks until the mount is gone (someone ran fusermount -u, or {@link #unmount}). */
  public void awaitUnmounted() {
    poll(() -> !mounted() || loop.isDone(), FOREVER, 100);
  }

  /**
   * Unmounts and waits until the kernel no longer shows the mount, then drains the write-back
   * for up to {@code drain}, reporting progress.
   *
   * @return the write-back status after the drain: clean, or what stays for the next mount
   */
  public MountStatus unmount(Duration drain, Consumer<MountStatus> progress) throws IOException {
    if (mounted()) {
      runUnmount(mountpoint, false);
    }
    if (!poll(() -> !mounted(), Duration.ofSeconds(30), 50)) {
      throw new IOException(mountpoint + " is still mounted: files open there? ("
          + "fusermount -u -z " + mountpoint + " detaches it)");
    }
    try {
      loop.get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.debug("FUSE loop ended with {}", e.toString());
    }
    return core.close(drain, progress);
  }

  /** Fails with what to install when the kernel module or libfuse2 is missing. */
  public static void checkFuseAvailable() throws IOException {
    if (!Files.exists(Path.of("/dev/fuse"))) {
      throw new IOException("/dev/fuse is missing: load the fuse kernel module (modprobe fuse)"
          + " or, in a container, run it with --device /dev/fuse --cap-add SYS_ADMIN");
    }
    boolean lib = Files.exists(Path.of("/usr/lib/x86_64-linux-gnu/libfuse.so.2"))
        || Files.exists(Path.of("/usr/lib/aarch64-linux-gnu/libfuse.so.2"))
        || Files.exists(Path.of("/usr/lib/libfuse.so.2"))
        || Files.exists(Path.of("/lib/x86_64-linux-gnu/libfuse.so.2"));
    if (!lib) {
      throw new IOException("libfuse2 is missing: install it (Debian/Ubuntu: apt-get install"
          + " libfuse2 fuse3)");
    }
  }

  /**
   * A mount point left by a process that died answers ENOTCONN: detach it lazily so a new mount
   * can take the place. A live mount there is an error, and so is a hung one (its daemon does
   * not answer within {@link #STALE_CHECK}): it is not ours to take down.
   */
  public static void clearStale(Path mountpoint) throws IOException {
    Path mp = kernelPath(mountpoint);
    Optional<String> type = MountTable.typeAt(mp);
    if (type.isEmpty()) {
      return;
    }
    // opendir always reaches the daemon (a stat may be answered from the kernel's cached
    // attributes for a second after it died); a hung daemon never answers, so ask from a
    // thread of its own and stop waiting
    CompletableFuture<Boolean> answer = new CompletableFuture<>();
    Thread ask = new Thread(() -> {
      try (java.nio.file.DirectoryStream<Path> ds = Files.newDirectoryStream(mp)) {
        answer.complete(true);
      } catch (IOException e) {
        answer.complete(false); // "Transport endpoint is not connected"
      }
    }, "cairn-fuse-stale-check");
    ask.setDaemon(true);
    ask.start();
    boolean dead;
    try {
      dead = !answer.get(STALE_CHECK.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IOException(mp + " is mounted (" + type.get() + ") by a process that did not"
          + " answer within " + STALE_CHECK.toSeconds() + " s: if it is hung, stop it or detach"
          + " the mount with 'fusermount -u -z " + mp + "'");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted looking at the mount at " + mp);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e); // the thread only completes normally
    }
    if (!dead) {
      throw new IOException(mp + " is already mounted (" + type.get() + "); unmount it first");
    }
    LOG.warn("{}: clearing a stale mount left by a process that died", mp);
    runUnmount(mp, true); // a lazy unmount detaches at once, or fails (not root, not ours)
    if (MountTable.typeAt(mp).isPresent()) {
      throw new IOException("could not clear the stale mount at " + mp);
    }
  }

  /**
   * A mount given up on may still come: the loop's mount call goes on in its thread. Takes it
   * down when the kernel shows it, so no mount outlives the failure reported for it.
   */
  private static void takeDownWhenShown(Path mp, CompletableFuture<Void> loop) {
    Thread t = new Thread(() -> {
      poll(() -> shown(mp) || loop.isDone(), Duration.ofSeconds(60), 20);
      if (shown(mp)) {
        try {
          runUnmount(mp, true);
        } catch (IOException e) {
          LOG.warn("could not take down the late mount at {}: {}", mp, e.getMessage());
        }
      }
    }, "cairn-fuse-abandon");
    t.setDaemon(true);
    t.start();
  }

  private static void runUnmount(Path mp, boolean lazy) throws IOException {
    String tool = Files.isExecutable(Path.of("/usr/bin/fusermount")) ? "/usr/bin/fusermount"
        : Files.isExecutable(Path.of("/usr/bin/fusermount3")) ? "/usr/bin/fusermount3"
        : "fusermount";
    List<String> cmd = new ArrayList<>(List.of(tool, lazy ? "-uz" : "-u", mp.toString()));
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(),
          java.nio.charset.StandardCharsets.UTF_8);
      if (p.waitFor() != 0 && MountTable.typeAt(mp).isPresent()) { // else another unmount won
        LOG.warn("{} said: {}", String.join(" ", cmd), out.trim());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted unmounting " + mp);
    }
  }

  /**
   * Looks at {@code done} every {@code pauseMs} until it holds (then true) or {@code limit} has
   * passed (then false). The kernel tells no one when a mount comes or goes: mountinfo is read.
   */
  private static boolean poll(BooleanSupplier done, Duration limit, long pauseMs) {
    long start = System.nanoTime();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() - start > limit.toNanos()) {
        return false;
      }
      try {
        Thread.sleep(pauseMs);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return true;
  }
}
