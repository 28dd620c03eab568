package org.cairnfs.fs.dirs;

import java.util.Optional;
import org.cairnfs.caps.dirnode.EntryMetadata;
import org.cairnfs.caps.dirnode.EntryName;

/**
 * One change a writer asks of a directory ({@link GridDirectories#apply}): entry-level, so that
 * after a collision with another writer it is applied again on the newest version and neither
 * writer's other entries are lost.
 */
public sealed interface DirectoryEdit {
  EntryName name();

  /**
   * Adds or replaces the entry {@code name} (last writer wins for one name).
   *
   * @param cap the child's cap string, a write cap where the caller holds one (it is sealed for
   *     directory writers, its read-only form stored in the clear); absent for a symlink
   */
  record Put(EntryName name, Optional<String> cap, EntryMetadata metadata)
      implements DirectoryEdit {
    public Put {
      if (name == null || cap == null || metadata == null) {
        throw new IllegalArgumentException("a put needs a name, a cap and metadata");
      }
    }
  }

  /**
   * Adds the entry {@code name} only if the name is free or already names this same child
   * ({@link DirectoryChanges#create}); the same fields as a put.
   */
  record Create(EntryName name, Optional<String> cap, EntryMetadata metadata)
      implements DirectoryEdit {
    public Create {
      if (name == null || cap == null || metadata == null) {
        throw new IllegalArgumentException("a create needs a name, a cap and metadata");
      }
    }
  }

  /** Removes the entry {@code name}; nothing happens if there is none. */
  record Remove(EntryName name) implements DirectoryEdit {
    public Remove {
      if (name == null) {
        throw new IllegalArgumentException("a remove needs a name");
      }
    }
  }

  static DirectoryEdit put(String name, Optional<String> cap, EntryMetadata metadata) {
    return new Put(EntryName.of(name), cap, metadata);
  }

  static DirectoryEdit remove(String name) {
    return new Remove(EntryName.of(name));
  }
}
