package org.cairnfs.cli;

/** Exit codes of the {@code cairn} command (sysexits.h values where one fits). */
enum ExitCode {
  OK(0),
  /** Something else failed; the message says what. */
  FAILURE(1),
  /** Bad arguments. */
  USAGE(2),
  /** A path on the grid or a local file to read does not exist. */
  NOT_FOUND(66),
  /** The grid could not be reached (no server answered). */
  UNAVAILABLE(69),
  /** A file could not be read or written. */
  IO(74),
  /** The node's config file is wrong. */
  CONFIG(78);

  final int code;

  ExitCode(int code) {
    this.code = code;
  }
}
