package org.cairnfs.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.cairnfs.cli.config.ConfigException;
import org.cairnfs.cli.config.ConfigFile;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The CLI edge: maps typed failures to one message on stderr and an exit code. Every usage
 * error, picocli's own (a bad number, a missing option, an unknown command) and ours, exits
 * {@link ExitCode#USAGE}; {@code CAIRN_DEBUG=1} adds the stack trace whatever the code.
 */
final class Cli {
  private Cli() {}

  static CommandLine commandLine() {
    return commandLine(new CairnCommand());
  }

  /** The command line over {@code root} (tests pass one whose file verbs use a grid in memory). */
  static CommandLine commandLine(CairnCommand root) {
    return commandLine(root, CairnCommand.SUBCOMMANDS);
  }

  /**
   * The command line for {@code args}: with only the subcommand that {@code args} names when its
   * first word is one (picocli's reflection over all of them costs most of a short command's
   * start), else with all of them (help, suggestions for a mistyped name, no command).
   */
  static CommandLine commandLineFor(String[] args) {
    return commandLine(new CairnCommand(), named(args));
  }

  static List<Class<?>> named(String[] args) {
    if (args.length > 0) {
      for (Class<?> c : CairnCommand.SUBCOMMANDS) {
        if (c.getAnnotation(Command.class).name().equals(args[0])) {
          return List.of(c);
        }
      }
    }
    return CairnCommand.SUBCOMMANDS;
  }

  private static CommandLine commandLine(CairnCommand root, List<Class<?>> subcommands) {
    CommandLine cl = new CommandLine(root);
    for (Class<?> c : subcommands) {
      cl.addSubcommand(c);
    }
    cl.setExecutionExceptionHandler((e, cmd, parsed) -> failed(e, cmd.getErr()));
    cl.setParameterExceptionHandler(Cli::usageError);
    return cl;
  }

  /** A verb's failure: one line on {@code err}, the log's record, and its exit code. */
  static int failed(Exception e, PrintWriter err) {
    ExitCode code = exitCodeOf(e);
    err.println("cairn: " + messageOf(e));
    Logging.failure(code.code, messageOf(e), e);
    if (debug()) {
      e.printStackTrace(err);
    }
    return code.code;
  }

  /** picocli's parse errors: the message, a hint where to read more, exit 2. */
  private static int usageError(ParameterException e, String[] args) {
    CommandLine cmd = e.getCommandLine();
    PrintWriter err = cmd.getErr();
    err.println("cairn: " + e.getMessage());
    UnmatchedArgumentException.printSuggestions(e, err);
    err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for the options.");
    if (debug()) {
      e.printStackTrace(err);
    }
    return ExitCode.USAGE.code;
  }

  static boolean debug() {
    String v = System.getenv("CAIRN_DEBUG");
    return v != null && !v.isEmpty() && !v.equals("0");
  }

  static ExitCode exitCodeOf(Throwable e) {
    if (e instanceof CliException c) {
      return c.exitCode;
    }
    if (e instanceof ConfigException) {
      return ExitCode.CONFIG;
    }
    if (e instanceof java.io.IOException) {
      return ExitCode.IO;
    }
    return ExitCode.FAILURE;
  }

  /** One line naming the fault: the message, with causes appended where it says too little. */
  static String messageOf(Throwable e) {
    if (e instanceof java.nio.file.AccessDeniedException a) {
      return "permission denied: " + a.getFile();
    }
    if (e instanceof java.nio.file.NoSuchFileException n) {
      return "no such file: " + n.getFile();
    }
    if (e instanceof java.nio.file.FileAlreadyExistsException f) {
      return "already exists and is in the way: " + f.getFile();
    }
    if (e instanceof java.nio.file.NotDirectoryException n) {
      return "not a directory: " + n.getFile();
    }
    String m = e.getMessage();
    Throwable cause = e.getCause();
    if (m != null && m.endsWith(": null")) {
      m = m.substring(0, m.length() - ": null".length());
    }
    if (m == null || m.isBlank() || (cause != null && m.equals(cause.toString()))) {
      return cause != null && cause != e ? messageOf(cause)
          : e.getClass().getSimpleName() + " (set CAIRN_DEBUG=1 for a trace)";
    }
    if (cause != null && cause != e && e.getMessage().endsWith(": null")) {
      return m + ": " + messageOf(cause);
    }
    return m;
  }

  /**
   * The node directory commands use when none is given: $CAIRN_DIR, else $HOME/.cairn (the
   * environment's HOME, not the password database's, so {@code HOME=/x cairn ...} works).
   */
  static Path defaultNodeDir() {
    String env = System.getenv("CAIRN_DIR");
    return env != null && !env.isBlank() ? Path.of(env) : home().resolve(".cairn");
  }

  /** $HOME, falling back to the JVM's user.home where it is unset. */
  static Path home() {
    String home = System.getenv("HOME");
    return Path.of(home != null && !home.isBlank() ? home : System.getProperty("user.home"));
  }

  /**
   * The node a command without DIR uses: the default node directory, or, when that holds no
   * node but {@code cairn demo} left one, the demo's client node (else its first storage node,
   * which is a client too).
   */
  static Path defaultNodeOrDemo() {
    Path dir = defaultNodeDir();
    Path demo = DemoCommand.defaultState().resolve(DemoCommand.CLIENT);
    if (!Files.exists(demo.resolve(ConfigFile.NAME))) {
      demo = DemoCommand.defaultState().resolve(DemoCommand.nodeName(0));
    }
    if (!Files.exists(dir.resolve(ConfigFile.NAME)) && Files.exists(demo.resolve(ConfigFile.NAME))) {
      return demo;
    }
    return dir;
  }

  static void checkPort(int port) {
    if (port < 0 || port > 65535) {
      throw new CliException(ExitCode.USAGE, "--port must be 0-65535, got " + port);
    }
  }
}
