package org.cairnfs.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code cairn} command line: one picocli subcommand per task. Its {@code --help} and
 * {@code --version} are inherited by every subcommand, so {@code cairn put --help} prints the
 * verb's options (as every usage error's hint says).
 */
@Command(
    name = "cairn",
    mixinStandardHelpOptions = true,
    scope = CommandLine.ScopeType.INHERIT,
    version = "cairn 0.1.0-SNAPSHOT",
    description = "A least-authority grid filesystem.")
public final class CairnCommand implements Runnable {
  /**
   * The subcommands, in the order help lists them. Not in the annotation: picocli reflects over
   * every subcommand it is given, which was most of a short command's start-up (docs/startup.md),
   * so {@link Cli#commandLine} adds only the one named when it can tell.
   */
  static final java.util.List<Class<?>> SUBCOMMANDS = java.util.List.of(
      CreateIntroducerCommand.class,
      CreateNodeCommand.class,
      RunCommand.class,
      StorageCommand.class,
      StatusCommand.class,
      DemoCommand.class,
      AliasCommands.Create.class,
      AliasCommands.Add.class,
      AliasCommands.List.class,
      PutGetCommands.Put.class,
      PutGetCommands.Get.class,
      ListCommand.class,
      TreeCommands.Mkdir.class,
      TreeCommands.Rm.class,
      TreeCommands.Mv.class,
      TreeCommands.Ln.class,
      CopyCommand.class,
      TreeCommands.Share.class,
      MountCommand.class,
      UnmountCommand.class,
      SyncCommand.class,
      HealthCommands.Check.class,
      HealthCommands.Verify.class,
      HealthCommands.Repair.class,
      HealthCommands.DeepCheck.class);

  @Spec
  CommandSpec spec;

  /** How the file verbs reach the grid (tests hand in a grid in memory). */
  final GridOpener opener;
  /** Their stdin, stdout and progress switch. */
  final VerbIo io;

  public CairnCommand() {
    this(GridOpener.nodeFirst(GridOpener.clientNode(),
        new java.io.PrintWriter(System.err, true)), VerbIo.system());
  }

  CairnCommand(GridOpener opener, VerbIo io) {
    this.opener = opener;
    this.io = io;
  }

  /** No command named: a usage error (exit 2) listing the commands. */
  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(),
        "name a command: " + String.join(", ", spec.subcommands().keySet()));
  }

  /**
   * The command line that runs {@code args}, as {@link #main} builds it (for programs that run a
   * command in their own JVM): only the named subcommand is built, and failures map to exit
   * codes and messages as on the command line.
   */
  public static CommandLine commandLine(String... args) {
    return Cli.commandLineFor(args);
  }

  public static void main(String[] args) {
    java.util.Optional<GridVerb> quick = QuickVerbs.parse(args, new CairnCommand());
    if (quick.isPresent()) {
      System.exit(QuickVerbs.run(quick.get(), QuickVerbs.writer(System.out, "sun.stdout.encoding"),
          QuickVerbs.writer(System.err, "sun.stderr.encoding")));
    }
    System.exit(commandLine(args).execute(args));
  }
}
