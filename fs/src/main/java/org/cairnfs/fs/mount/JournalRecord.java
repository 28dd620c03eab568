package org.cairnfs.fs.mount;

import java.util.List;
import java.util.Optional;

/** One journal record (see docs/specs/journal.md); the sequence number is in its frame. */
sealed interface JournalRecord {

  /** Entry {@code name} of {@code dir} is now {@code child} with {@code meta}. */
  record SetEntry(DirRef dir, String name, ChildRef child, NodeMetadata meta)
      implements JournalRecord {}

  /** Entry {@code name} of {@code dir} is gone; {@code moved} when it went to another dir. */
  record RemoveEntry(DirRef dir, String name, boolean moved) implements JournalRecord {}

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
