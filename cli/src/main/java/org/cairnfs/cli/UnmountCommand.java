package org.cairnfs.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.cairnfs.fs.fuse.FuseMount;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code cairn unmount MOUNTPOINT}: upload what is pending, then unmount. */
@Command(name = "unmount",
    description = "Wait until the mount at MOUNTPOINT has put everything pending on the grid,"
        + " then unmount it. If the grid stays unreachable past --timeout, it unmounts anyway:"
        + " pending changes stay in the mount's cache and the next mount of the same root"
        + " uploads them.")
final class UnmountCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "MOUNTPOINT")
  Path mountpoint;

  @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "120",
      description = "How long to wait for pending uploads (default: ${DEFAULT-VALUE}).")
  int timeoutSeconds;

  @Option(names = "--lazy", description = "Detach now even while files are open there.")
  boolean lazy;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Path mp = mountpoint.toAbsolutePath().normalize();
    if (FuseMount.isCairnMount(mp) && !MountControl.alive(mp)) {
      MountControl.unmount(mp, true);
      out.println("cleared " + mp + ": its mount process had died (changes whose close had"
          + " returned are in its cache; the next mount of the same root uploads them)");
      return 0;
    }
    MountControl.requireMount(mp);
    boolean synced;
    boolean stuck = false;
    try {
      synced = MountControl.sync(mp, Duration.ofSeconds(Math.max(0, timeoutSeconds)), out);
      stuck = !synced;
      if (!synced) {
        out.println("warning: uploads still pending after " + timeoutSeconds + " s; unmounting"
            + " anyway: they stay in the mount's cache and the next mount of the same root"
            + " uploads them");
      }
    } catch (CliException uploadsFail) {
      synced = false;
      out.println("warning: " + uploadsFail.getMessage() + "; unmounting anyway: what is"
          + " pending stays in the mount's cache and the next mount of the same root uploads it");
    }
    // A sync that timed out still holds the mount point open: only a lazy unmount goes through.
    MountControl.unmount(mp, lazy || stuck);
    out.println("unmounted " + mp + (synced ? "; everything is on the grid" : ""));
    return synced ? 0 : ExitCode.UNAVAILABLE.code;
  }
}
