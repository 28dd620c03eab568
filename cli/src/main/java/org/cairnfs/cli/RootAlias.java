package org.cairnfs.cli;

import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.cairnfs.caps.Cap;
import org.cairnfs.cli.config.ConfigException;
import org.cairnfs.fs.client.GridFileSystem;

/**
 * Which directory a mount shows: a cap given as is, or an alias of the node; with nothing
 * given, the node's alias {@value #DEFAULT}, whose directory is created on first use so that a
 * new node mounts with no other step.
 */
final class RootAlias {
  /** The alias a mount uses when none is named. */
  static final String DEFAULT = "root";

  private RootAlias() {}

  /**
   * The directory cap {@code given} names ({@code null}: the default alias).
   *
   * @throws CliException (usage) for an unknown alias or a cap that is not a directory's
   */
  static String resolve(ClientNode client, String given) throws Exception {
    return resolve(client.directory().root(), client.files(), given);
  }

  /** {@link #resolve(ClientNode, String)} for the node in {@code nodeDir} over {@code files}. */
  static String resolve(Path nodeDir, GridFileSystem files, String given) throws Exception {
    if (given != null && given.strip().startsWith(Cap.SCHEME)) {
      return MountSession.checkRoot(given);
    }
    String name = given == null ? DEFAULT : stripColon(given.strip());
    Aliases aliases = Aliases.load(nodeDir);
    var cap = aliases.get(name);
    if (cap.isPresent()) {
      return MountSession.checkRoot(cap.get());
    }
    if (given != null) {
      throw new CliException(ExitCode.USAGE, "no alias '" + name + "' in "
          + nodeDir + (aliases.names().isEmpty() ? " (it has none)"
          : " (it has: " + String.join(", ", aliases.names()) + ")")
          + "; create it with 'cairn create-alias " + name + "' or give a directory cap");
    }
    return createDefault(nodeDir, files, aliases);
  }

  /** Creates the default root directory on the grid and keeps its write cap as the alias. */
  static String createDefault(Path nodeDir, GridFileSystem files, Aliases aliases)
      throws Exception {
    String cap;
    try {
      cap = files.createDirectory().get(120, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new CliException(ExitCode.UNAVAILABLE, "creating the root directory on the grid"
          + " failed: " + Cli.messageOf(e.getCause()));
    } catch (TimeoutException e) {
      throw new CliException(ExitCode.UNAVAILABLE, "creating the root directory on the grid"
          + " took over 120 s; is the grid up? ('cairn status " + nodeDir
          + "')");
    }
    try {
      aliases.put(DEFAULT, cap);
    } catch (ConfigException e) {
      throw new CliException(ExitCode.CONFIG, e.getMessage());
    }
    return cap;
  }

  private static String stripColon(String name) {
    return name.endsWith(":") ? name.substring(0, name.length() - 1) : name;
  }
}
