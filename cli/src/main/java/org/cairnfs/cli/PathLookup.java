package org.cairnfs.cli;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.cairnfs.caps.Cap;
import org.cairnfs.caps.dirnode.EntryKind;
import org.cairnfs.fs.client.GridFileSystem;
import org.cairnfs.fs.mount.NodeMetadata;
import org.cairnfs.fs.mount.RemoteEntry;

/**
 * Walks a {@link GridPath} down from its root cap, one directory lookup per name. Remembers what
 * it found for the rest of the command (one command looks a path up several times: where to
 * put, whether a directory is in the way, the parent to change), so each name costs one lookup;
 * {@link #forget} drops that memory after a change.
 */
final class PathLookup {
  private final GridFileSystem files;
  private final Map<GridPath, Optional<Found>> seen = new HashMap<>();

  PathLookup(GridFileSystem files) {
    this.files = files;
  }

  /**
   * What a path names.
   *
   * @param cap the object's cap; empty for a symlink
   * @param metadata the entry's metadata; empty for a root
   */
  record Found(GridPath path, Optional<String> cap, Optional<NodeMetadata> metadata) {
    boolean isDirectory() {
      return metadata.map(m -> m.kind() == EntryKind.DIRECTORY)
          .orElseGet(() -> cap.map(c -> Cap.parse(c).isDirectory()).orElse(false));
    }

    boolean isSymlink() {
      return metadata.map(m -> m.kind() == EntryKind.SYMLINK).orElse(false);
    }

    /** The cap, or a failure for a symlink (which has none). */
    String requireCap() {
      return cap.orElseThrow(() -> new CliException(ExitCode.FAILURE, metadata
          .flatMap(NodeMetadata::symlinkTarget).map(t -> path + " is a symlink to " + t)
          .orElse(path + " is a " + metadata.map(m -> m.kind().label())
              .orElse("node") + " (no data on the grid)") + "; it has no cap"));
    }
  }

  /** The entry at {@code p}; empty if its last name is missing from an existing directory. */
  Optional<Found> find(GridPath p) {
    Optional<Found> known = seen.get(p);
    if (known != null) {
      return known;
    }
    Optional<Found> f = walk(p);
    seen.put(p, f);
    return f;
  }

  /** Forgets every path looked up so far. */
  void forget() {
    seen.clear();
  }

  private Optional<Found> walk(GridPath p) {
    if (p.isRoot()) {
      return Optional.of(new Found(p, Optional.of(p.rootCap()), Optional.empty()));
    }
    String dir = directory(p.parent());
    Optional<RemoteEntry> e = GridCalls.await(files.lookup(dir, p.name()), "look up " + p);
    return e.map(r -> new Found(p, r.cap(), Optional.of(r.metadata())));
  }

  /** The entry at {@code p}; NOT_FOUND if there is none. */
  Found resolve(GridPath p) {
    return find(p).orElseThrow(() -> new CliException(ExitCode.NOT_FOUND,
        "no such file or directory: " + p));
  }

  /** The cap of the directory at {@code p}; a failure if there is none or it is not one. */
  String directory(GridPath p) {
    Found f = resolve(p);
    if (!f.isDirectory()) {
      throw new CliException(ExitCode.USAGE, "not a directory: " + p);
    }
    return f.requireCap();
  }

  /** The cap of a directory that must be writable, to change it. */
  String writableDirectory(GridPath p) {
    String cap = directory(p);
    if (!Cap.parse(cap).isWritable()) {
      throw new CliException(ExitCode.USAGE, "cannot change " + p + ": it is reached through a"
          + " read cap (read-only)");
    }
    return cap;
  }
}
