package org.cairnfs.cli;

import org.cairnfs.cli.config.ConfigException;
import picocli.CommandLine;

/** The CLI edge: maps typed failures to one message on stderr and an exit code. */
final class Cli {
  private Cli() {}

  static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new CairnCommand());
    cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
      ExitCode code = exitCodeOf(e);
      cmd.getErr().println("cairn: " + messageOf(e));
      if (code == ExitCode.FAILURE && System.getenv("CAIRN_DEBUG") != null) {
        e.printStackTrace(cmd.getErr());
      }
      return code.code;
    });
    return cl;
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

  static String messageOf(Throwable e) {
    if (e instanceof java.nio.file.AccessDeniedException a) {
      return "permission denied: " + a.getFile();
    }
    if (e instanceof java.nio.file.NoSuchFileException n) {
      return "no such file: " + n.getFile();
    }
    String m = e.getMessage();
    return m == null ? e.getClass().getSimpleName() + " (set CAIRN_DEBUG=1 for a trace)" : m;
  }

  /** The node directory commands use when none is given: $CAIRN_DIR, else ~/.cairn. */
  static java.nio.file.Path defaultNodeDir() {
    String env = System.getenv("CAIRN_DIR");
    return env != null && !env.isBlank() ? java.nio.file.Path.of(env)
        : java.nio.file.Path.of(System.getProperty("user.home"), ".cairn");
  }

  static void checkPort(int port) {
    if (port < 0 || port > 65535) {
      throw new CliException(ExitCode.USAGE, "--port must be 0-65535, got " + port);
    }
  }
}
