package org.cairnfs.cli;

import java.io.PrintWriter;
import java.util.concurrent.atomic.AtomicLong;
import org.cairnfs.fs.health.DeepCheckSummary;
import org.cairnfs.fs.health.GridHealth;
import org.cairnfs.fs.health.HealthReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code check}, {@code verify}, {@code repair} and {@code deep-check} over
 * {@link GridHealth}: the report goes to stdout (it names only verify caps), and the exit code
 * says whether all is healthy at the end (0) or not (1), so scripts need not read it.
 */
final class HealthCommands {
  private HealthCommands() {}

  /** What the check/verify/repair trio share: one object, checked, maybe repaired. */
  abstract static class OneObject extends GridVerb {
    @Option(names = "--add-lease", description = "Also add or renew this node's lease on every"
        + " server holding a share.")
    boolean addLease;

    @Parameters(index = "0", paramLabel = "PATH", description = "ALIAS:path, ALIAS: or a cap.")
    String target;

    abstract boolean verify();

    abstract boolean repair();

    @Override
    int run() {
      GridPath at = grid(target);
      String cap = lookup().resolve(at).requireCap();
      GridHealth health = health();
      HealthReport report = GridCalls.await(health.check(cap, verify() || repair(), addLease),
          (verify() || repair() ? "verify " : "check ") + at);
      if (repair() && !report.healthy()) {
        report = GridCalls.await(health.repair(cap, addLease), "repair " + at);
      }
      out().print(report.format());
      out().flush();
      if (!report.healthy()) {
        throw new CliException(ExitCode.FAILURE, "not healthy: " + at + " (" + report.summary()
            + ")" + (repair() ? "" : "; 'cairn repair " + target + "' may fix it"));
      }
      return 0;
    }
  }

  @Command(name = "check", description = {"Check where the shares of a file or directory are"
      + " and that each starts right (with --verify, read and hash every share).",
      "Exit 0 when healthy, 1 when not."})
  static final class Check extends OneObject {
    @Option(names = "--verify", description = "Read and verify every byte of every share.")
    boolean verify;

    @Option(names = "--repair", description = "Repair what is not healthy (implies --verify).")
    boolean repair;

    @Override
    boolean verify() {
      return verify;
    }

    @Override
    boolean repair() {
      return repair;
    }
  }

  @Command(name = "verify", description = "Read and verify every share of a file or directory"
      + " (check --verify). Exit 0 when healthy, 1 when not.")
  static final class Verify extends OneObject {
    @Override
    boolean verify() {
      return true;
    }

    @Override
    boolean repair() {
      return false;
    }
  }

  @Command(name = "repair", description = "Verify a file or directory and re-create missing or"
      + " corrupt shares (check --repair). Exit 0 when healthy afterwards.")
  static final class Repair extends OneObject {
    @Override
    boolean verify() {
      return true;
    }

    @Override
    boolean repair() {
      return true;
    }
  }

  @Command(name = "deep-check", description = {"Check every file and directory below a"
      + " directory; print each one that is not healthy, then a summary.",
      "Exit 0 when everything is healthy at the end, 1 when not."})
  static final class DeepCheck extends GridVerb {
    @Option(names = "--verify", description = "Read and verify every byte of every share.")
    boolean verify;

    @Option(names = "--repair", description = "Repair what is not healthy.")
    boolean repair;

    @Option(names = "--add-lease", description = "Also add or renew this node's leases.")
    boolean addLease;

    @Option(names = {"-v", "--verbose"}, description = "Print a line for every object.")
    boolean verbose;

    @Parameters(index = "0", paramLabel = "PATH", description = "ALIAS:path, ALIAS: or a cap.")
    String target;

    @Override
    int run() {
      GridPath at = grid(target);
      PathLookup.Found f = lookup().resolve(at);
      if (!f.isDirectory()) {
        throw new CliException(ExitCode.USAGE, "not a directory: " + at + " (use 'cairn check')");
      }
      PrintWriter out = out();
      AtomicLong seen = new AtomicLong();
      DeepCheckSummary summary;
      try (Progress p = objectProgress("deep-check " + target)) {
        summary = GridCalls.await(health().deepCheck(files(), f.requireCap(), verify, repair,
            addLease, r -> {
              seen.incrementAndGet();
              p.item();
              synchronized (out) {
                if (!r.healthy() || r.repaired()) {
                  out.print(r.format());
                } else if (verbose) {
                  out.println(r.kind() + " " + r.cap() + ": " + r.summary());
                }
              }
            }), "deep-check " + at);
      }
      out.println(summary.format());
      out.flush();
      if (summary.unhealthy() > 0 || summary.failed() > 0) {
        throw new CliException(ExitCode.FAILURE, "not all healthy below " + at + ": "
            + summary.format());
      }
      return 0;
    }
  }
}
