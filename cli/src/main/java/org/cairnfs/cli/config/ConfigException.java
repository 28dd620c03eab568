package org.cairnfs.cli.config;

import java.nio.file.Path;

/** A node's config file is wrong; the message names the file, the line and the fix. */
public final class ConfigException extends Exception {
  public ConfigException(Path file, int line, String message) {
    super(file + (line > 0 ? ":" + line : "") + ": " + message);
  }
}
