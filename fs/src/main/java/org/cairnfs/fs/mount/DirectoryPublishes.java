package org.cairnfs.fs.mount;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.cairnfs.fs.mount.JournalRecord.EntriesPublished;
import org.cairnfs.fs.mount.JournalRecord.NameSeq;
import org.cairnfs.fs.mount.JournalRecord.RemoveEntry;
import org.cairnfs.fs.mount.JournalRecord.SetEntry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The directory publishes of a round: each directory gets all its pending changes in one batch,
 * which is how many changes to one directory become one publish. Moves out of a directory (and,
 * while one is pending, every removal) go in a second pass, after every other batch and only
 * when all of those went through, so an entry is never in neither place. A change whose child
 * is not on the grid yet waits for a later round.
 */
final class DirectoryPublishes {
  /** The uploader's logger: its messages read as they always have. */
  private static final Logger LOG = LoggerFactory.getLogger(Uploader.class);
  /** The size an EntriesPublished record stays under (the journal's bound is 1 MiB). */
  static final long PUBLISHED_RECORD_BYTES = 256 * 1024;

  private final WriteBack wb;
  private final UploadStatus status;
  private volatile Consumer<DirRef> onPublished = d -> { };
  private volatile BiConsumer<DirRef, String> onNameTaken = (d, n) -> { };
  /** Creates the last {@link #publish} found taken (the uploader's thread only). */
  private int namesTaken;

  DirectoryPublishes(WriteBack wb, UploadStatus status) {
    this.wb = wb;
    this.status = status;
  }

  void onPublished(Consumer<DirRef> listener) {
    this.onPublished = listener;
  }

  /**
   * Told, in the uploader's thread, of a fresh entry whose create found the name taken by
   * another client's entry: its change stays pending, for the listener to move it elsewhere.
   */
  void onNameTaken(BiConsumer<DirRef, String> listener) {
    this.onNameTaken = listener;
  }

  /**
   * Publishes the changes of {@code all} whose children are on the grid.
   *
   * @param localCaps the caps of directories made here, by id; a directory without one waits
   * @param failedFiles files whose upload failed this round: entries naming them wait
   * @return the last failure, if any
   */
  Optional<GridException> publish(Map<DirRef, List<PendingState.Change>> all,
      Map<Long, String> localCaps, Set<Long> failedFiles) throws IOException {
    RoundFailures failures = new RoundFailures(LOG, "directory publishes");
    namesTaken = 0;
    try {
      publishInTwoPhases(all, localCaps, failedFiles, failures);
      return failures.last();
    } finally {
      failures.logCount(); // also when a journal error ends the round early
    }
  }

  /**
   * Every batch but the moves out, then the moves out (see the class comment), these only once
   * all the rest is on the grid: a move's new place may be a change held back (its file's upload
   * failed, its directory not created, its batch refused), and the entry must not be in neither.
   * While a move out is pending, every other removal waits with it too: a removal names no kind,
   * and the rmdir of the directory a move emptied must not unlink the moved entry's only place.
   * So do a directory's removals while it has a create (a fresh entry): a rename to a new name
   * is such a pair, and the create may find the name taken.
   */
  private void publishInTwoPhases(Map<DirRef, List<PendingState.Change>> all,
      Map<Long, String> localCaps, Set<Long> failedFiles, RoundFailures failures)
      throws IOException {
    boolean restPublished = true;
    boolean movesOut = all.values().stream().flatMap(List::stream)
        .anyMatch(DirectoryPublishes::isMoveOut);
    for (int phase = 0; phase < 2; phase++) {
      if (phase == 1 && !restPublished) {
        return; // a later round moves them out, with their new places
      }
      for (Map.Entry<DirRef, List<PendingState.Change>> e : all.entrySet()) {
        DirRef dir = e.getKey();
        String dirCap = dir instanceof DirRef.Cap c ? c.cap()
            : localCaps.get(((DirRef.Local) dir).id());
        if (dirCap == null) {
          restPublished = false;
          continue;
        }
        List<EntryChange> batch = new ArrayList<>();
        List<NameSeq> sent = new ArrayList<>();
        List<NameSeq> done = new ArrayList<>();
        boolean creates = e.getValue().stream()
            .anyMatch(c -> c.record() instanceof SetEntry s && s.fresh());
        for (PendingState.Change c : e.getValue()) {
          // with moves out pending, every removal goes with them: the removal of a directory
          // a move emptied would otherwise leave the moved entry only in an unlinked directory
          boolean second = movesOut || creates ? c.record() instanceof RemoveEntry
              : isMoveOut(c);
          if ((phase == 0) == second) {
            continue;
          }
          if (c.record() instanceof RemoveEntry r && r.fresh()) {
            done.add(new NameSeq(c.name(), c.seq())); // nothing of ours there to remove
            continue;
          }
          Optional<EntryChange> resolved = resolve(c, localCaps, failedFiles);
          if (resolved.isEmpty()) {
            restPublished = false;
            continue;
          }
          batch.add(resolved.get());
          sent.add(new NameSeq(c.name(), c.seq()));
        }
        if (batch.isEmpty()) {
          if (!done.isEmpty()) {
            recordPublished(dir, done);
          }
          continue;
        }
        try {
          wb.publishStarting(dir);
          List<EntryChange.Outcome> outcomes = wb.grid.applyChanges(dirCap, batch).join();
          List<String> taken = new ArrayList<>();
          for (int i = 0; i < sent.size(); i++) {
            if (outcomes.get(i) == EntryChange.Outcome.EXISTS) {
              taken.add(sent.get(i).name()); // stays pending: another client's entry is there
            } else {
              done.add(sent.get(i));
            }
          }
          recordPublished(dir, done);
          for (String name : taken) {
            restPublished = false;
            namesTaken++;
            LOG.debug("the create of \"{}\" found the name taken", name); // TakenNames warns
            onNameTaken.accept(dir, name);
          }
          wb.budget.progressed();
          status.published();
          onPublished.accept(dir);
        } catch (RuntimeException ex) {
          restPublished = false;
          failures.add("publishing " + batch.size() + " changes to a directory",
              GridException.of(ex));
        }
      }
    }
  }

  int namesTaken() {
    return namesTaken;
  }

  private static boolean isMoveOut(PendingState.Change c) {
    return c.record() instanceof RemoveEntry r && r.moved();
  }

  /** Journals {@code changes} as published without publishing them (they have nowhere to go). */
  void markPublished(DirRef dir, List<PendingState.Change> changes) throws IOException {
    List<NameSeq> done = new ArrayList<>();
    for (PendingState.Change c : changes) {
      done.add(new NameSeq(c.name(), c.seq()));
    }
    recordPublished(dir, done);
  }

  /**
   * Journals that these changes are on the grid, in records of at most about
   * {@link #PUBLISHED_RECORD_BYTES} each: one record for a batch of tens of thousands of names
   * outgrew the journal's 1 MiB record bound, and every round then failed at the same batch.
   * A crash between the records only publishes the unmarked rest again (the same entries).
   */
  private void recordPublished(DirRef dir, List<NameSeq> done) throws IOException {
    int from = 0;
    long bytes = 0;
    for (int i = 0; i < done.size(); i++) {
      long cost = 2 + 8 + 3L * done.get(i).name().length(); // UTF-8: at most 3 bytes a char
      if (i > from && bytes + cost > PUBLISHED_RECORD_BYTES) {
        wb.record(new EntriesPublished(dir, done.subList(from, i)));
        from = i;
        bytes = 0;
      }
      bytes += cost;
    }
    wb.record(new EntriesPublished(dir, done.subList(from, done.size())));
  }

  /** The change as the grid takes it, or empty while what it names is not on the grid yet. */
  private Optional<EntryChange> resolve(PendingState.Change c, Map<Long, String> localCaps,
      Set<Long> failedFiles) {
    if (c.record() instanceof RemoveEntry r) {
      return Optional.of(new EntryChange.Remove(r.name()));
    }
    SetEntry s = (SetEntry) c.record();
    NodeMetadata meta = s.meta();
    ChildRef child = s.child();
    if (child instanceof ChildRef.Cap cap) {
      return Optional.of(entry(s, Optional.of(cap.cap()), meta));
    } else if (child instanceof ChildRef.Symlink || child instanceof ChildRef.Special) {
      return Optional.of(entry(s, Optional.empty(), meta));
    } else if (child instanceof ChildRef.LocalDir d) {
      String cap = localCaps.get(d.id());
      return cap == null ? Optional.empty() : Optional.of(entry(s, Optional.of(cap), meta));
    }
    ChildRef.LocalFile f = (ChildRef.LocalFile) child;
    FileData data = wb.files.get(f.id());
    if (data == null || failedFiles.contains(f.id())) {
      return Optional.empty();
    }
    Optional<String> cap = data.base();
    long oldest = data.oldestSealedGen();
    if (cap.isEmpty() || oldest != 0 && oldest <= f.gen()) {
      return Optional.empty(); // the generation this entry names is not uploaded yet
    }
    return Optional.of(entry(s, cap, meta.withSize(data.baseSize())));
  }

  /** A create where the mount saw the name free (so another client's entry is not replaced). */
  private static EntryChange entry(SetEntry s, Optional<String> cap, NodeMetadata meta) {
    return s.fresh() ? new EntryChange.Create(s.name(), cap, meta)
        : new EntryChange.Put(s.name(), cap, meta);
  }
}
