package org.cairnfs.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.cairnfs.cli.config.ConfigException;
import org.cairnfs.fs.client.GridFileSystem;
import org.cairnfs.fs.health.GridHealth;
import org.cairnfs.fs.mount.EntryChange;
import org.cairnfs.fs.mount.NodeMetadata;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * What every file verb shares: the node directory and its aliases, a grid session opened on
 * first use and closed at the end, path parsing, and linking an entry into a directory.
 */
abstract class GridVerb implements Callable<Integer> {
  @Spec
  CommandSpec spec;
  @ParentCommand
  CairnCommand root;
  @Mixin
  NodeOption node;

  /** Where output goes when run without picocli ({@link QuickVerbs}); null under picocli. */
  PrintWriter plainOut;

  private Path nodeDir;
  private Aliases aliases;
  private GridOpener.Session session;
  private PathLookup lookup;

  @Override
  public final Integer call() throws Exception {
    nodeDir = node.nodeDir();
    aliases = Aliases.load(nodeDir);
    try {
      return run();
    } finally {
      if (session != null) {
        session.close();
      }
    }
  }

  abstract int run() throws Exception;

  /** The node directory this verb works through. */
  Path nodeDir() {
    return nodeDir;
  }

  GridFileSystem files() {
    if (session == null) {
      try {
        session = root.opener.open(nodeDir);
      } catch (ConfigException e) {
        throw new CliException(ExitCode.CONFIG, e.getMessage());
      } catch (Exception e) {
        throw GridCalls.failure(e, "reach the grid from node " + nodeDir);
      }
    }
    return session.files();
  }

  GridHealth health() {
    files();
    return session.health();
  }

  PathLookup lookup() {
    if (lookup == null) {
      lookup = new PathLookup(files());
    }
    return lookup;
  }

  Location location(String arg) {
    return Location.parse(arg, aliases);
  }

  GridPath grid(String arg) {
    return Location.grid(arg, aliases);
  }

  PrintWriter out() {
    return plainOut != null ? plainOut : spec.commandLine().getOut();
  }

  /** Byte progress ({@code total} or -1); drawn only when stderr is a terminal. */
  Progress progress(String label, long total) {
    return Progress.of(root.io.progress(), label, total);
  }

  /** Progress counted in objects (deep-check); drawn only when stderr is a terminal. */
  Progress objectProgress(String label) {
    return Progress.objects(root.io.progress(), label);
  }

  /**
   * Where an entry named {@code name} goes when the user names {@code target}: inside target if
   * it is an existing directory (then a name is needed), else target itself.
   */
  GridPath destination(GridPath target, Optional<String> name) {
    Optional<PathLookup.Found> f = lookup().find(target);
    if (f.isPresent() && f.get().isDirectory()) {
      String n = name.orElseThrow(() -> new CliException(ExitCode.USAGE, target
          + " is a directory: name the new entry inside it (" + target
          + (target.isRoot() ? "" : "/") + "NAME)"));
      return target.child(n);
    }
    return target;
  }

  /** Adds or replaces the entry at {@code at}: one change to its parent directory. */
  void link(GridPath at, Optional<String> cap, NodeMetadata metadata) {
    String dir = lookup().writableDirectory(at.parent());
    GridCalls.await(files().applyChanges(dir,
        List.of(new EntryChange.Put(at.name(), cap, metadata))), "link " + at);
    lookup().forget();
  }

  /** Fails if a directory is at {@code at}: a file must not silently replace one. */
  void refuseDirectoryAt(GridPath at) {
    lookup().find(at).filter(PathLookup.Found::isDirectory).ifPresent(f -> {
      throw new CliException(ExitCode.USAGE, "a directory is in the way: " + at
          + " (remove it first with 'cairn rm -r')");
    });
  }
}
