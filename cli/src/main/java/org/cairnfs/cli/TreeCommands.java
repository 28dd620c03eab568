package org.cairnfs.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.cairnfs.caps.Cap;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.fs.mount.EntryChange;
import org.cairnfs.fs.mount.NodeMetadata;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The verbs that change names, not bytes: {@code mkdir}, {@code rm}, {@code mv}, {@code ln},
 * and {@code share}, which prints a diminished cap.
 */
final class TreeCommands {
  private TreeCommands() {}

  @Command(name = "mkdir", description = "Create a directory on the grid at TARGET.")
  static final class Mkdir extends GridVerb {
    @Option(names = {"-p", "--parents"}, description = "Also create missing parent directories;"
        + " an existing directory at TARGET is not an error.")
    boolean parents;

    @Parameters(index = "0", paramLabel = "TARGET", description = "ALIAS:path or CAP/path.")
    String target;

    @Override
    int run() {
      GridPath at = grid(target);
      if (parents) {
        return makeWithParents(at);
      }
      String parent = lookup().writableDirectory(at.parent());
      if (lookup().find(at).isPresent()) {
        throw new CliException(ExitCode.USAGE, "already exists: " + at);
      }
      String cap = GridCalls.await(files().createDirectory(), "create directory " + at);
      GridCalls.await(files().applyChanges(parent, List.of(new EntryChange.Put(at.name(),
          Optional.of(cap), Transfers.newDirectory()))), "link " + at);
      return 0;
    }

    /**
     * {@code mkdir -p}: walks down from the root to the first missing name, builds the missing
     * chain bottom-up (each new directory filled before its parent links it) and links its top
     * into the deepest existing directory last, so a failure leaves nothing half-made in sight.
     */
    private int makeWithParents(GridPath at) {
      GridPath existing = new GridPath(at.rootCap(), at.label(), List.of());
      List<String> missing = new ArrayList<>();
      for (String name : at.names()) {
        GridPath next = existing.child(name);
        if (missing.isEmpty()) {
          Optional<PathLookup.Found> f = lookup().find(next);
          if (f.isPresent()) {
            if (!f.get().isDirectory()) {
              throw new CliException(ExitCode.USAGE, "not a directory: " + next + " (it is in"
                  + " the way of " + at + ")");
            }
            existing = next;
            continue;
          }
        }
        missing.add(name);
      }
      if (missing.isEmpty()) {
        return 0;
      }
      String parent = lookup().writableDirectory(existing);
      String child = null;
      GridPath made = at;
      for (int i = missing.size() - 1; i >= 0; i--) {
        String cap = GridCalls.await(files().createDirectory(), "create directory " + made);
        if (child != null) {
          GridCalls.await(files().applyChanges(cap, List.of(new EntryChange.Put(
              missing.get(i + 1), Optional.of(child), Transfers.newDirectory()))),
              "fill directory " + made);
        }
        child = cap;
        made = made.parent();
      }
      GridCalls.await(files().applyChanges(parent, List.of(new EntryChange.Put(missing.get(0),
          Optional.of(child), Transfers.newDirectory()))), "link " + existing.child(
          missing.get(0)));
      return 0;
    }
  }

  @Command(name = "rm", description = {"Remove an entry from its directory.",
      "The data stays on the grid until its leases expire; other links to it still work."})
  static final class Rm extends GridVerb {
    @Option(names = {"-r", "--recursive"}, description = "Also remove directories.")
    boolean recursive;

    @Parameters(index = "0", paramLabel = "TARGET", description = "ALIAS:path or CAP/path.")
    String target;

    @Override
    int run() {
      GridPath at = grid(target);
      if (at.isRoot()) {
        throw new CliException(ExitCode.USAGE, "cannot remove " + at + ": a root has no parent"
            + " to remove it from");
      }
      PathLookup.Found f = lookup().resolve(at);
      if (f.isDirectory() && !recursive) {
        throw new CliException(ExitCode.USAGE, "is a directory: " + at + " (use 'cairn rm -r')");
      }
      String parent = lookup().writableDirectory(at.parent());
      GridCalls.await(files().applyChanges(parent, List.of(new EntryChange.Remove(at.name()))),
          "remove " + at);
      return 0;
    }
  }

  @Command(name = "mv", description = {"Rename or move an entry, within or across directories.",
      "Across directories the new name is added before the old one is removed: the entry is"
          + " never in neither."})
  static final class Mv extends GridVerb {
    @Parameters(index = "0", paramLabel = "SRC", description = "ALIAS:path or CAP/path.")
    String source;

    @Parameters(index = "1", paramLabel = "DST",
        description = "New path, or an existing directory to move into.")
    String target;

    @Override
    int run() {
      GridPath from = grid(source);
      if (from.isRoot()) {
        throw new CliException(ExitCode.USAGE, "cannot move " + from + ": it is a root, not an"
            + " entry (use 'cairn ln' to link it somewhere)");
      }
      PathLookup.Found f = lookup().resolve(from);
      GridPath to = destination(grid(target), Optional.of(from.name()));
      if (from.contains(to)) {
        if (from.equals(to)) {
          return 0;
        }
        throw new CliException(ExitCode.USAGE, "cannot move " + from + " into itself (" + to
            + ")");
      }
      if (!f.isDirectory()) {
        refuseDirectoryAt(to);
      } else if (lookup().find(to).isPresent()) {
        throw new CliException(ExitCode.USAGE, "already exists: " + to);
      }
      String fromDir = lookup().writableDirectory(from.parent());
      String toDir = lookup().writableDirectory(to.parent());
      EntryChange.Put put = new EntryChange.Put(to.name(), f.cap(), f.metadata().orElseThrow());
      EntryChange.Remove remove = new EntryChange.Remove(from.name());
      if (sameObject(fromDir, toDir)) {
        GridCalls.await(files().applyChanges(fromDir, List.of(put, remove)), "move " + from
            + " to " + to);
      } else {
        GridCalls.await(files().applyChanges(toDir, List.of(put)), "link " + to);
        GridCalls.await(files().applyChanges(fromDir, List.of(remove)), "unlink " + from
            + " (it is now also at " + to + ")");
      }
      return 0;
    }
  }

  @Command(name = "ln", description = "Link a cap or an existing entry under a new name.")
  static final class Ln extends GridVerb {
    @Parameters(index = "0", paramLabel = "SRC", description = "A cap, ALIAS:path or CAP/path.")
    String source;

    @Parameters(index = "1", paramLabel = "DST",
        description = "New path, or an existing directory to link into.")
    String target;

    @Override
    int run() {
      GridPath from = grid(source);
      PathLookup.Found f = lookup().resolve(from);
      GridPath to = destination(grid(target),
          from.isRoot() ? Optional.empty() : Optional.of(from.name()));
      if (lookup().find(to).isPresent()) {
        throw new CliException(ExitCode.USAGE, "already exists: " + to);
      }
      NodeMetadata md = f.metadata().orElseGet(() -> {
        String cap = f.requireCap();
        return Cap.parse(cap).isDirectory() ? Transfers.newDirectory()
            : Transfers.newFile(Transfers.sizeOf(files(), cap, Optional.empty()));
      });
      link(to, f.cap(), md);
      return 0;
    }
  }

  @Command(name = "share", description = "Print the read cap of a file or directory (with"
      + " --verify, its verify cap: enough to check and repair, not to read).")
  static final class Share extends GridVerb {
    @Option(names = "--verify", description = "Print the verify cap instead.")
    boolean verify;

    @Parameters(index = "0", paramLabel = "PATH", description = "ALIAS:path, ALIAS: or a cap.")
    String target;

    @Override
    int run() {
      GridPath at = grid(target);
      Cap cap = Cap.parse(lookup().resolve(at).requireCap());
      if (verify) {
        out().println(cap.verifyCap().orElseThrow(() -> new CliException(ExitCode.USAGE, at
            + " is a literal: its bytes are in the cap and nothing is stored to verify")));
      } else {
        Cap read = cap.readOnly();
        out().println(read);
        WebAddress.read(nodeDir()).ifPresent(url -> out().println("link: " + url + "uri/" + read));
      }
      return 0;
    }
  }

  /** Whether two directory caps name one directory (any caps of it). */
  static boolean sameObject(String a, String b) {
    Optional<StorageIndex> x = Cap.parse(a).storageIndex();
    return x.isPresent() && x.equals(Cap.parse(b).storageIndex());
  }
}
