package org.cairnfs.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code cairn} command line: one picocli subcommand per task. */
@Command(
    name = "cairn",
    mixinStandardHelpOptions = true,
    version = "cairn 0.1.0-SNAPSHOT",
    description = "A least-authority grid filesystem.",
    subcommands = {
        CreateIntroducerCommand.class,
        CreateNodeCommand.class,
        RunCommand.class,
        StatusCommand.class,
        DemoCommand.class,
    })
public final class CairnCommand implements Runnable {
  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  public static void main(String[] args) {
    System.exit(Cli.commandLine().execute(args));
  }
}
