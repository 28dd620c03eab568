package org.cairnfs.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code cairn} command line: one picocli subcommand per task. */
@Command(
    name = "cairn",
    mixinStandardHelpOptions = true,
    version = "cairn 0.1.0-SNAPSHOT",
    description = "A least-authority grid filesystem.")
public final class CairnCommand implements Runnable {
  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new CairnCommand()).execute(args));
  }
}
