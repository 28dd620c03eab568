package org.cairnfs.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.cairnfs.fs.fuse.FuseMount;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code cairn sync [MOUNTPOINT]}: wait until a mount's pending changes are on the grid. */
@Command(name = "sync",
    description = "Wait until everything written through the mount at MOUNTPOINT (default:"
        + " every Cairn mount) before this command started is on the grid.")
final class SyncCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(index = "0", arity = "0..1", paramLabel = "MOUNTPOINT")
  Path mountpoint;

  @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "0",
      description = "Give up after this long, exiting 69 (default: 0, wait as long as it takes).")
  int timeoutSeconds;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    List<Path> mounts = new ArrayList<>();
    if (mountpoint != null) {
      mounts.add(MountControl.requireMount(mountpoint));
    } else {
      mounts.addAll(FuseMount.cairnMounts());
      if (mounts.isEmpty()) {
        throw new CliException(ExitCode.USAGE, "no Cairn mount to sync");
      }
    }
    Duration timeout = timeoutSeconds <= 0 ? Duration.ofDays(3650)
        : Duration.ofSeconds(timeoutSeconds);
    int code = 0;
    for (Path mp : mounts) {
      if (MountControl.sync(mp, timeout, out)) {
        out.println("synced " + mp);
      } else {
        out.println(mp + ": uploads still pending after " + timeoutSeconds + " s (the mount"
            + " keeps trying)");
        code = ExitCode.UNAVAILABLE.code;
      }
    }
    return code;
  }
}
