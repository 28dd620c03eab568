package org.cairnfs.cli;

/** A failure to report to the user as one message and an exit code, without a stack trace. */
final class CliException extends RuntimeException {
  final ExitCode exitCode;

  CliException(ExitCode exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }
}
