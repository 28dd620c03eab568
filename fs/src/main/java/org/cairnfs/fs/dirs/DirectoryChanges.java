package org.cairnfs.fs.dirs;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.cairnfs.caps.dirnode.ChildWriteCapKey;
import org.cairnfs.caps.dirnode.DirectoryEntry;
import org.cairnfs.caps.dirnode.EntryName;
import org.cairnfs.caps.dirnode.SealedWriteCap;

/**
 * One writer's changes to a directory, as entry-level operations rather than a new entry list,
 * so they can be applied again on top of whatever version is newest. A writer reads a version,
 * applies its changes, publishes; when the publish collides with another writer's, it reads the
 * newest version and applies the same changes again. Two writers adding different names both
 * keep theirs; for the same name the last publish wins (a later put replaces, a later remove
 * removes).
 *
 * <p>Operations apply in order. {@link #create} and {@link #rename} check the version they are
 * applied to and report a conflict instead of acting when it does not allow them (the name
 * exists, the source is gone), so a retry never resurrects or clobbers an entry by accident.
 */
public final class DirectoryChanges {
  /** What became of one operation on the version it was applied to. */
  public enum Outcome {
    APPLIED,
    /** {@code create} found the name taken. */
    EXISTS,
    /** {@code rename} found no source entry ({@code remove} of a missing name is APPLIED). */
    MISSING
  }

  private sealed interface Op permits Put, Create, Remove, Rename {}

  private record Put(DirectoryEntry entry) implements Op {}

  private record Create(DirectoryEntry entry) implements Op {}

  private record Remove(EntryName name) implements Op {}

  private record Rename(EntryName from, EntryName to) implements Op {}

  private final List<Op> ops = new ArrayList<>();

  /** Adds or replaces the entry of {@code entry}'s name. */
  public DirectoryChanges put(DirectoryEntry entry) {
    ops.add(new Put(entry));
    return this;
  }

  /**
   * Adds {@code entry} only if its name is free in the version applied to, or names the same
   * child already (the same cap; for a symlink or special file, the same kind, target and
   * device): a create applied again after its writer lost track of it (a crash before it noted
   * the publish) is not a conflict with itself. Otherwise {@link Outcome#EXISTS}.
   */
  public DirectoryChanges create(DirectoryEntry entry) {
    ops.add(new Create(entry));
    return this;
  }

  /** Removes the entry named {@code name} if there is one. */
  public DirectoryChanges remove(EntryName name) {
    ops.add(new Remove(name));
    return this;
  }

  /**
   * Moves whatever entry is named {@code from} in the version applied to (so a concurrent
   * rewrite of that entry is kept) to {@code to}, replacing any entry there; its sealed write
   * cap is re-sealed for the new name.
   */
  public DirectoryChanges rename(EntryName from, EntryName to) {
    ops.add(new Rename(from, to));
    return this;
  }

  public int size() {
    return ops.size();
  }

  /**
   * Applies every operation to {@code tree} in order.
   *
   * @param sealer the directory's child write-cap key, needed to rename an entry that carries a
   *     sealed write cap
   * @return one outcome per operation
   */
  public List<Outcome> applyTo(DirectoryTree tree, Optional<ChildWriteCapKey> sealer,
      SecureRandom random) throws IOException {
    List<Outcome> out = new ArrayList<>(ops.size());
    for (Op op : ops) {
      if (op instanceof Put p) {
        tree.put(p.entry());
        out.add(Outcome.APPLIED);
      } else if (op instanceof Create c) {
        Optional<DirectoryEntry> there = tree.get(c.entry().name());
        if (there.isPresent() && !sameChild(there.get(), c.entry())) {
          out.add(Outcome.EXISTS);
        } else {
          tree.put(c.entry());
          out.add(Outcome.APPLIED);
        }
      } else if (op instanceof Remove r) {
        tree.remove(r.name());
        out.add(Outcome.APPLIED);
      } else {
        Rename r = (Rename) op;
        Optional<DirectoryEntry> source = tree.get(r.from());
        if (source.isEmpty()) {
          out.add(Outcome.MISSING);
          continue;
        }
        if (!r.from().equals(r.to())) {
          DirectoryEntry moved = renamed(source.get(), r.to(), sealer, random);
          tree.remove(r.from());
          tree.put(moved);
        }
        out.add(Outcome.APPLIED);
      }
    }
    return Collections.unmodifiableList(out);
  }

  private static boolean sameChild(DirectoryEntry a, DirectoryEntry b) {
    if (a.readCap().isPresent() || b.readCap().isPresent()) {
      return a.readCap().equals(b.readCap());
    }
    // symlinks, FIFOs, devices: what they are is all there is to compare
    return a.metadata().kind() == b.metadata().kind()
        && a.metadata().symlinkTarget().equals(b.metadata().symlinkTarget())
        && a.metadata().rdev() == b.metadata().rdev();
  }

  private static DirectoryEntry renamed(DirectoryEntry e, EntryName to,
      Optional<ChildWriteCapKey> sealer, SecureRandom random) {
    Optional<SealedWriteCap> sealed = e.writeCap();
    if (sealed.isPresent()) {
      ChildWriteCapKey key = sealer.orElseThrow(() -> new IllegalStateException("renaming \""
          + e.name() + "\" re-seals its write cap: the directory's write-cap key is needed"));
      sealed = Optional.of(key.seal(to, key.open(e.name(), sealed.get()), random));
    }
    return new DirectoryEntry(to, e.readCap(), sealed, e.metadata());
  }

  @Override
  public String toString() {
    return "DirectoryChanges[" + ops.size() + " operations]";
  }
}
