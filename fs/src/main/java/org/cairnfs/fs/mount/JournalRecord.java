package org.cairnfs.fs.mount;

import java.util.List;
import java.util.Optional;

/** One journal record (see docs/specs/journal.md); the sequence number is in its frame. */
sealed interface JournalRecord {

  /**
   * Entry {@code name} of {@code dir} is now {@code child} with {@code meta}. {@code fresh}: as
   * far as this mount knows, the grid has no entry of that name (it was free in the listing and
   * nothing of this mount's has been published there since): the entry is published as a
   * create, so one another client made meanwhile is not replaced (docs/specs/journal.md).
   */
  record SetEntry(DirRef dir, String name, ChildRef child, NodeMetadata meta, boolean fresh)
      implements JournalRecord {
    SetEntry(DirRef dir, String name, ChildRef child, NodeMetadata meta) {
      this(dir, name, child, meta, false);
    }

    SetEntry withFresh(boolean f) {
      return f == fresh ? this : new SetEntry(dir, name, child, meta, f);
    }
  }

  /**
   * Entry {@code name} of {@code dir} is gone; {@code moved} when it went to another dir.
   * {@code fresh}: the grid has no entry of this mount's under that name (a name made here and
   * removed before it was published), so nothing is removed there: what is there is another
   * client's.
   */
  record RemoveEntry(DirRef dir, String name, boolean moved, boolean fresh)
      implements JournalRecord {
    RemoveEntry(DirRef dir, String name, boolean moved) {
      this(dir, name, moved, false);
    }

    RemoveEntry withFresh(boolean f) {
      return f == fresh ? this : new RemoveEntry(dir, name, moved, f);
    }
  }

  /** Local directory {@code id} exists on the grid as {@code cap}. */
  record DirCreated(long id, String cap) implements JournalRecord {}

  /**
   * Generation {@code gen} of local file {@code id} is sealed in spool file {@code id.gen}
   * (or, when {@code inline} is present, in this record: the held pages' bytes in page order,
   * cut at {@code size}).
   */
  record FileCommit(long id, long gen, Optional<String> base, long baseSize, long size,
      long limit, List<PageRun> pages, Optional<byte[]> inline) implements JournalRecord {}

  /** Generations up to {@code gen} of file {@code id} are on the grid as {@code cap}. */
  record FileUploaded(long id, long gen, String cap, long size) implements JournalRecord {}

  /** The changes of these names with these sequence numbers (or lower) are on the grid. */
  record EntriesPublished(DirRef dir, List<NameSeq> names) implements JournalRecord {}

  /** A published name and the sequence number of the change published. */
  record NameSeq(String name, long seq) {}
}
