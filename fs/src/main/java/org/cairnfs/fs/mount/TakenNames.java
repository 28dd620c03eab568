package org.cairnfs.fs.mount;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a mount does when another client made an entry under a name this mount created too,
 * before this mount's entry reached the grid (two {@code mkdir}s or O_EXCL creates of one name,
 * each mount seeing it free): this mount's entry moves to a free name, {@code NAME.conflict-N},
 * and the other's keeps the name. Neither is replaced, so neither client's file or subtree is
 * lost; the move is journaled like a rename, so it survives a crash, and the old name's
 * removal is fresh (nothing of this mount's is there on the grid to remove). Called in the
 * uploader's thread after the refused publish.
 */
final class TakenNames {
  private static final Logger LOG = LoggerFactory.getLogger(TakenNames.class);

  private final Namespace ns;
  private final Tree tree;
  private final WriteBack wb;

  TakenNames(Namespace ns, Tree tree, WriteBack wb) {
    this.ns = ns;
    this.tree = tree;
    this.wb = wb;
  }

  /** Moves this mount's fresh entry {@code name} of {@code dir} to a conflict name. */
  void taken(DirRef dir, String name) {
    try {
      String moved = ns.change(c -> {
        DirNode d = find(dir);
        Node n = d == null || d.children == null ? null : d.children.get(name);
        if (n == null || !wb.pendingCreate(dir, name)) {
          return null; // renamed or removed here since: its pending change says what to do
        }
        String to = conflictName(d, name);
        c.remove(d.children, name);
        c.link(d, to, n);
        c.journalEntry(d, n);
        c.journalRemove(d, name, false); // fresh, as the create it replaces: removes nothing
        tree.outdate(d); // the next lookup lists the other client's entry
        return to;
      });
      if (moved != null) {
        LOG.warn("\"{}\" was created by another client meanwhile; this mount's entry of that"
            + " name is now \"{}\"", name, moved);
      }
    } catch (FsException e) {
      LOG.warn("could not move this mount's \"{}\" aside from another client's entry of that"
          + " name ({}); retried at the next upload round", name, e.getMessage());
    }
  }

  /** The directory whose changes are kept under {@code dir}; under the tree's lock. */
  private DirNode find(DirRef dir) {
    Deque<DirNode> todo = new ArrayDeque<>();
    todo.push(tree.root);
    while (!todo.isEmpty()) {
      DirNode d = todo.pop();
      if (wb.canonical(d.ref).equals(dir)) {
        return d;
      }
      if (d.children != null) {
        for (Node n : d.children.values()) {
          if (n instanceof DirNode sub) {
            todo.push(sub);
          }
        }
      }
    }
    return null;
  }

  /** {@code name.conflict-N} with the lowest N free in {@code d}, cut to 255 bytes. */
  static String conflictName(DirNode d, String name) {
    for (int i = 1; ; i++) {
      String suffix = ".conflict-" + i;
      String to = fit(name, FsSpace.NAME_MAX - suffix.length()) + suffix;
      if (!d.children.containsKey(to) && !d.hidden.containsKey(to)) {
        return to;
      }
    }
  }

  /** The longest prefix of {@code name} of at most {@code bytes} UTF-8 bytes, whole chars. */
  private static String fit(String name, int bytes) {
    if (name.getBytes(StandardCharsets.UTF_8).length <= bytes) {
      return name;
    }
    int end = 0;
    int used = 0;
    while (end < name.length()) {
      int cp = name.codePointAt(end);
      int len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4; // its UTF-8 bytes
      if (used + len > bytes) {
        break;
      }
      used += len;
      end += Character.charCount(cp);
    }
    return name.substring(0, end);
  }
}
