package org.cairnfs.fs.mount;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.cairnfs.caps.dirnode.EntryKind;
import org.cairnfs.fs.mount.JournalRecord.DirCreated;
import org.cairnfs.fs.mount.JournalRecord.EntriesPublished;
import org.cairnfs.fs.mount.JournalRecord.FileCommit;
import org.cairnfs.fs.mount.JournalRecord.FileUploaded;
import org.cairnfs.fs.mount.JournalRecord.NameSeq;
import org.cairnfs.fs.mount.JournalRecord.RemoveEntry;
import org.cairnfs.fs.mount.JournalRecord.SetEntry;
import org.junit.jupiter.api.Test;

/**
 * What the journal says is not on the grid yet: the newest change per name, directories' caps,
 * files' generations, and the snapshot the journal is compacted to.
 */
class PendingStateTest {
  static final Instant T = Instant.ofEpochSecond(1_700_000_000L);
  static final NodeMetadata FILE = NodeMetadata.of(EntryKind.FILE, 5, 0644, T, T);
  static final NodeMetadata DIR = NodeMetadata.of(EntryKind.DIRECTORY, 0, 0755, T, T);
  static final DirRef ROOT = new DirRef.Cap("cairn:root");

  private static SetEntry file(DirRef dir, String name, long id) {
    return new SetEntry(dir, name, new ChildRef.LocalFile(id, 1), FILE);
  }

  private static FileCommit commit(long id, long gen, Optional<String> base, long baseSize,
      long size) {
    return new FileCommit(id, gen, base, baseSize, size, Long.MAX_VALUE,
        List.of(new PageRun(0, 1)), Optional.empty());
  }

  private static List<String> names(List<PendingState.Change> changes) {
    return changes.stream().map(PendingState.Change::name).toList();
  }

  /**
   * A name's change keeps the freshness of the change it replaces (a create rewritten or
   * removed before its publish is still a create, or still nothing to remove on the grid); a
   * change left pending when an older one of its name is published is not fresh any more.
   */
  @Test
  void freshnessIsInheritedUntilTheNameIsPublished() {
    PendingState p = new PendingState();
    p.apply(1, file(ROOT, "a", 10).withFresh(true));
    p.apply(2, file(ROOT, "a", 10)); // rewritten: still a create
    assertThat(PendingState.fresh(p.changesOf(ROOT).get(0).record())).isTrue();
    p.apply(3, new RemoveEntry(ROOT, "a", false)); // removed before any publish
    assertThat(p.changesOf(ROOT).get(0).record())
        .isEqualTo(new RemoveEntry(ROOT, "a", false, true));

    p.apply(4, file(ROOT, "b", 11).withFresh(true));
    p.apply(6, file(ROOT, "b", 11)); // changed while the create (4) is being published
    p.apply(7, new EntriesPublished(ROOT, List.of(new NameSeq("b", 4))));
    PendingState.Change b = p.changesOf(ROOT).get(1);
    assertThat(b.seq()).isEqualTo(6);
    assertThat(PendingState.fresh(b.record())).as("the grid has b now").isFalse();
    p.apply(8, new RemoveEntry(ROOT, "b", false));
    assertThat(PendingState.fresh(p.changesOf(ROOT).get(1).record())).isFalse();

    p.apply(9, file(ROOT, "c", 12)); // a name that was not free: replaced, not created
    assertThat(PendingState.fresh(p.changesOf(ROOT).get(2).record())).isFalse();
    PendingState replayed = new PendingState(); // the snapshot keeps what freshness says
    for (JournalCodec.Entry e : p.snapshot()) {
      replayed.apply(e.seq(), e.record());
    }
    assertThat(replayed.changesOf(ROOT)).isEqualTo(p.changesOf(ROOT));
  }

  @Test
  void theNewestChangeOfANameIsKeptInSequenceOrderAndAnOlderOneArrivingLateIsNot() {
    PendingState p = new PendingState();
    p.apply(1, file(ROOT, "a", 10));
    p.apply(2, file(ROOT, "b", 11));
    p.apply(3, new RemoveEntry(ROOT, "a", false));
    assertThat(names(p.changesOf(ROOT))).containsExactly("b", "a");
    assertThat(p.changesOf(ROOT).get(1).record()).isInstanceOf(RemoveEntry.class);
    assertThat(p.changesOf(ROOT).get(1).seq()).isEqualTo(3);
    p.apply(2, file(ROOT, "a", 12)); // older than the remove: ignored
    assertThat(p.changesOf(ROOT).get(1).record()).isInstanceOf(RemoveEntry.class);
    assertThat(p.changeCount()).isEqualTo(2);
    assertThat(p.isEmpty()).isFalse();
    assertThat(p.referencedFiles()).containsExactly(11L);
    assertThat(p.changesOf(new DirRef.Cap("cairn:other"))).isEmpty();
    assertThat(p.allChanges()).containsOnlyKeys(ROOT);
    assertThat(names(p.allChanges().get(ROOT))).containsExactly("b", "a");
  }

  @Test
  void publishedChangesGoUnlessANewerOneCameSinceAndAnEmptyDirectoryIsForgotten() {
    PendingState p = new PendingState();
    p.apply(1, file(ROOT, "a", 10));
    p.apply(2, file(ROOT, "b", 11));
    p.apply(5, file(ROOT, "c", 12));
    // published a at 1 (its seq: goes), b as of 1 (b is 2: newer, stays), c at 6 (goes)
    p.apply(7, new EntriesPublished(ROOT, List.of(new NameSeq("a", 1), new NameSeq("b", 1),
        new NameSeq("c", 6), new NameSeq("zz", 9))));
    assertThat(names(p.changesOf(ROOT))).containsExactly("b");
    p.apply(8, new EntriesPublished(ROOT, List.of(new NameSeq("b", 2))));
    assertThat(p.changesOf(ROOT)).isEmpty();
    assertThat(p.isEmpty()).isTrue();
    assertThat(p.allChanges()).isEmpty();
    assertThat(p.changeCount()).isZero();
    // a publish of a directory with nothing pending changes nothing
    p.apply(9, new EntriesPublished(ROOT, List.of(new NameSeq("b", 2))));
    assertThat(p.isEmpty()).isTrue();
  }

  @Test
  void aCreatedDirectorysChangesMoveUnderItsCap() {
    PendingState p = new PendingState();
    DirRef local = new DirRef.Local(4);
    p.apply(1, new SetEntry(ROOT, "d", new ChildRef.LocalDir(4), DIR));
    p.apply(2, file(local, "x", 9));
    assertThat(p.canonical(local)).isEqualTo(local);
    assertThat(p.createdCap(4)).isEmpty();
    p.apply(3, new DirCreated(4, "cairn:d4"));
    DirRef cap = new DirRef.Cap("cairn:d4");
    assertThat(p.canonical(local)).isEqualTo(cap);
    assertThat(p.canonical(new DirRef.Local(5))).isEqualTo(new DirRef.Local(5));
    assertThat(p.createdCap(4)).contains("cairn:d4");
    assertThat(p.createdDirs()).containsEntry(4L, "cairn:d4");
    assertThat(p.allChanges()).containsOnlyKeys(ROOT, cap);
    assertThat(names(p.changesOf(local))).containsExactly("x");
    assertThat(names(p.changesOf(cap))).containsExactly("x");
    // changes named by the local id after the create land under the cap too
    p.apply(4, new RemoveEntry(local, "y", false));
    assertThat(names(p.changesOf(cap))).containsExactly("x", "y");
    p.apply(5, new EntriesPublished(local, List.of(new NameSeq("x", 2), new NameSeq("y", 4))));
    assertThat(p.changesOf(cap)).isEmpty();
    assertThat(p.allChanges()).containsOnlyKeys(ROOT);
  }

  @Test
  void theLargestIdSeenInAnyRecordIsKept() {
    PendingState p = new PendingState();
    assertThat(p.maxId()).isZero();
    p.apply(1, file(ROOT, "a", 7));
    assertThat(p.maxId()).isEqualTo(7);
    p.apply(2, new SetEntry(ROOT, "d", new ChildRef.LocalDir(9), DIR));
    assertThat(p.maxId()).isEqualTo(9);
    p.apply(3, new SetEntry(ROOT, "c", new ChildRef.Cap("cairn:c"), FILE));
    p.apply(4, file(ROOT, "b", 3));
    assertThat(p.maxId()).isEqualTo(9);
    p.apply(5, new DirCreated(12, "cairn:d12"));
    assertThat(p.maxId()).isEqualTo(12);
    p.apply(6, commit(15, 1, Optional.empty(), 0, 10));
    assertThat(p.maxId()).isEqualTo(15);
    p.apply(7, new DirCreated(2, "cairn:d2"));
    p.apply(8, commit(1, 1, Optional.empty(), 0, 10));
    assertThat(p.maxId()).isEqualTo(15);
  }

  @Test
  void aFilesBaseComesFromItsFirstCommitOrItsUploadAndUploadedGenerationsGo() {
    PendingState p = new PendingState();
    p.apply(1, commit(3, 1, Optional.of("cairn:base"), 100, 120));
    p.apply(2, commit(3, 2, Optional.of("cairn:other"), 7, 130));
    PendingState.FileState f = p.files().get(3L);
    assertThat(f.base).contains("cairn:base");
    assertThat(f.baseSize).isEqualTo(100);
    assertThat(f.layers).containsOnlyKeys(1L, 2L);
    assertThat(f.layers.get(2L).size()).isEqualTo(130);

    p.apply(3, new FileUploaded(3, 1, "cairn:up1", 120));
    assertThat(f.base).contains("cairn:up1");
    assertThat(f.baseSize).isEqualTo(120);
    assertThat(f.uploadedGen).isEqualTo(1);
    assertThat(f.layers).containsOnlyKeys(2L);
    // a commit of a generation already uploaded (a replay) adds no layer
    p.apply(4, commit(3, 1, Optional.of("cairn:base"), 100, 120));
    assertThat(f.layers).containsOnlyKeys(2L);
    p.apply(5, new FileUploaded(3, 2, "cairn:up2", 130));
    assertThat(f.layers).isEmpty();
    assertThat(f.uploadedGen).isEqualTo(2);
    // a new commit after the upload keeps the uploaded base
    p.apply(7, commit(3, 3, Optional.of("cairn:stale"), 1, 140));
    assertThat(f.layers).containsOnlyKeys(3L);
    assertThat(f.base).contains("cairn:up2");
    assertThat(f.baseSize).isEqualTo(130);
    // an older upload record applied late: the generation count does not go back
    p.apply(6, new FileUploaded(3, 1, "cairn:up1", 120));
    assertThat(f.uploadedGen).isEqualTo(2);

    // a file with layers only: the second commit does not replace the base
    p.apply(8, commit(4, 2, Optional.empty(), 0, 10));
    p.apply(9, commit(4, 3, Optional.of("cairn:x"), 5, 10));
    assertThat(p.files().get(4L).base).isEmpty();
    // uploaded with no layers left: a later commit's base does not replace the upload's
    p.apply(10, new FileUploaded(5, 1, "cairn:f5", 50));
    p.apply(11, commit(5, 2, Optional.of("cairn:y"), 9, 60));
    assertThat(p.files().get(5L).base).contains("cairn:f5");
    assertThat(p.files().get(5L).baseSize).isEqualTo(50);
  }

  @Test
  void aSnapshotRebuildsTheSameStateWithOnlyWhatPendingChangesReferTo() {
    PendingState p = new PendingState();
    DirRef local = new DirRef.Local(4);
    p.apply(1, new SetEntry(ROOT, "d", new ChildRef.LocalDir(4), DIR));
    p.apply(2, new DirCreated(4, "cairn:d4"));
    p.apply(3, file(local, "f", 6));
    p.apply(4, commit(6, 1, Optional.of("cairn:b6"), 10, 20));
    p.apply(5, new FileUploaded(6, 1, "cairn:u6", 20));
    p.apply(6, commit(6, 2, Optional.of("cairn:b6"), 10, 30));
    p.apply(7, commit(6, 3, Optional.of("cairn:b6"), 10, 40));
    p.apply(8, commit(8, 1, Optional.empty(), 0, 5)); // no change refers to file 8
    p.apply(9, new DirCreated(11, "cairn:d11")); // nor to dir 11
    p.apply(10, new RemoveEntry(ROOT, "gone", true));
    p.apply(11, file(ROOT, "g", 13)); // a file never committed

    List<JournalCodec.Entry> snap = p.snapshot();
    // state first (sequence 0), then the changes in sequence order, under their caps
    assertThat(snap).containsExactly(
        new JournalCodec.Entry(0, new DirCreated(4, "cairn:d4")),
        new JournalCodec.Entry(0, new FileUploaded(6, 1, "cairn:u6", 20)),
        new JournalCodec.Entry(0, new FileCommit(6, 2, Optional.of("cairn:u6"), 20, 30,
            Long.MAX_VALUE, List.of(new PageRun(0, 1)), Optional.empty())),
        new JournalCodec.Entry(0, new FileCommit(6, 3, Optional.of("cairn:u6"), 20, 40,
            Long.MAX_VALUE, List.of(new PageRun(0, 1)), Optional.empty())),
        new JournalCodec.Entry(1, new SetEntry(ROOT, "d", new ChildRef.LocalDir(4), DIR)),
        new JournalCodec.Entry(3, file(new DirRef.Cap("cairn:d4"), "f", 6)),
        new JournalCodec.Entry(10, new RemoveEntry(ROOT, "gone", true)),
        new JournalCodec.Entry(11, file(ROOT, "g", 13)));

    PendingState again = new PendingState();
    for (JournalCodec.Entry e : snap) {
      again.apply(e.seq(), e.record());
    }
    assertThat(again.allChanges().keySet()).isEqualTo(p.allChanges().keySet());
    assertThat(again.snapshot()).isEqualTo(snap);
    assertThat(again.canonical(local)).isEqualTo(new DirRef.Cap("cairn:d4"));
    PendingState.FileState f = again.files().get(6L);
    assertThat(f.base).contains("cairn:u6");
    assertThat(f.baseSize).isEqualTo(20);
    assertThat(f.uploadedGen).isEqualTo(1);
    assertThat(f.layers).containsOnlyKeys(2L, 3L);
  }

  @Test
  void aSnapshotOfAFileUploadedSinceItsCommitHasTheUploadAndNoLayer() {
    PendingState p = new PendingState();
    p.apply(1, file(ROOT, "f", 6));
    p.apply(2, commit(6, 1, Optional.of("cairn:b6"), 10, 20));
    // the commit and the change; no upload record for a file not uploaded yet
    assertThat(p.snapshot()).containsExactly(
        new JournalCodec.Entry(0, commit(6, 1, Optional.of("cairn:b6"), 10, 20)),
        new JournalCodec.Entry(1, file(ROOT, "f", 6)));
    p.apply(3, new FileUploaded(6, 1, "cairn:u6", 20));
    assertThat(p.snapshot()).containsExactly(
        new JournalCodec.Entry(0, new FileUploaded(6, 1, "cairn:u6", 20)),
        new JournalCodec.Entry(1, file(ROOT, "f", 6)));
  }

  @Test
  void pruneForgetsFilesNeitherReferredToNorLive() {
    PendingState p = new PendingState();
    p.apply(1, file(ROOT, "a", 1));
    p.apply(2, commit(1, 1, Optional.empty(), 0, 5));
    p.apply(3, commit(2, 1, Optional.empty(), 0, 5));
    p.apply(4, commit(3, 1, Optional.empty(), 0, 5));
    p.prune(Set.of(3L));
    assertThat(p.files()).containsOnlyKeys(1L, 3L);
    p.prune(Set.of());
    assertThat(p.files()).containsOnlyKeys(1L);
  }

  @Test
  void aChangeNamesItsEntry() {
    assertThat(new PendingState.Change(1, file(ROOT, "a", 1)).name()).isEqualTo("a");
    assertThat(new PendingState.Change(1, new RemoveEntry(ROOT, "b", false)).name())
        .isEqualTo("b");
    Map<DirRef, List<PendingState.Change>> none = new PendingState().allChanges();
    assertThat(none).isEmpty();
  }
}
