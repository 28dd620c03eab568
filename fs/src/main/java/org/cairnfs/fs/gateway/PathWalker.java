package org.cairnfs.fs.gateway;

import java.util.List;
import java.util.Optional;
import org.cairnfs.caps.Cap;
import org.cairnfs.caps.CapFormatException;
import org.cairnfs.caps.UnknownCapAuthorityException;
import org.cairnfs.caps.dirnode.EntryKind;
import org.cairnfs.fs.client.GridFileSystem;
import org.cairnfs.fs.mount.RemoteEntry;

/**
 * Walks names down from a cap with {@link GridFileSystem#lookup}, one directory read per name.
 * Reached through a read cap, every cap met is diminished to a read cap here, whatever the
 * directory holds, so no write cap can reach a page served for a read cap.
 */
final class PathWalker {
  private final GridFileSystem files;

  PathWalker(GridFileSystem files) {
    this.files = files;
  }

  /**
   * What a path names.
   *
   * @param cap the node's cap (a read cap unless the walk started from a write cap)
   * @param entry the directory entry that named it, absent for the bare cap
   */
  record Node(String cap, Cap parsed, Optional<RemoteEntry> entry) {
    boolean isDirectory() {
      return parsed.isDirectory();
    }
  }

  Node walk(UriPath path) {
    return walk(path.capText(), path.cap(), path.names(), path.names().size());
  }

  /** Walks the first {@code count} names of {@code names} from {@code cap}. */
  Node walk(String capText, Cap cap, List<String> names, int count) {
    boolean readOnly = !cap.isWritable();
    Node node = new Node(capText, cap, Optional.empty());
    for (int i = 0; i < count; i++) {
      String name = names.get(i);
      String where = "/" + String.join("/", names.subList(0, i));
      if (!node.isDirectory()) {
        throw HttpError.notFound("'" + where + "' is a file, not a directory: it has no '"
            + name + "'");
      }
      Optional<RemoteEntry> e = GridFailures.await(files.lookup(node.cap(), name),
          "reading directory '" + where + "'");
      if (e.isEmpty()) {
        throw HttpError.notFound("no '" + name + "' in directory '" + where + "'");
      }
      RemoteEntry entry = e.get();
      if (entry.metadata().kind() == EntryKind.SYMLINK) {
        throw HttpError.notFound("'" + name + "' is a symbolic link (to '"
            + entry.metadata().symlinkTarget().orElse("") + "'), which the gateway does not"
            + " follow");
      }
      if (entry.cap().isEmpty()) {
        throw HttpError.notFound("'" + name + "' is a " + entry.metadata().kind().label()
            + ", which has no data on the grid");
      }
      Cap child = parseChild(entry.cap().get(), name);
      if (readOnly) {
        child = readOnly(child, name);
      }
      node = new Node(child.toString(), child, Optional.of(entry));
    }
    return node;
  }

  static Cap parseChild(String cap, String name) {
    try {
      return Cap.parse(cap);
    } catch (CapFormatException e) {
      throw HttpError.notFound("the entry '" + name + "' holds a malformed cap");
    }
  }

  /** The read cap of a child, or 404 for a cap of unknown authority. */
  static Cap readOnly(Cap cap, String name) {
    try {
      return cap.readOnly();
    } catch (UnknownCapAuthorityException e) {
      throw HttpError.notFound("'" + name + "' is of a kind this gateway does not know");
    }
  }
}
