package org.cairnfs.fs.dirs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.cairnfs.caps.dirnode.EntryName;
import org.cairnfs.caps.dirnode.PageRef;
import org.junit.jupiter.api.Test;

/** The package's small values: cost differences, edits and listed entries, commits. */
class DirectoryValuesTest {
  @Test
  void costsSinceSubtractEachFieldFromItsOwn() {
    DirectoryCosts before = new DirectoryCosts(1, 20, 300, 4, 50, 6);
    DirectoryCosts now = new DirectoryCosts(11, 220, 3300, 44, 550, 66);
    assertThat(now.since(before)).isEqualTo(new DirectoryCosts(10, 200, 3000, 40, 500, 60));
  }

  @Test
  void costCountersAddUpWhatTheySee() {
    CostCounters c = new CostCounters();
    c.pageWritten(100, 400);
    c.pageWritten(50, 150);
    c.rootPublished(30);
    c.pageFetched();
    c.pageFetched();
    c.pageFetched();
    assertThat(c.snapshot()).isEqualTo(new DirectoryCosts(2, 150, 550, 1, 30, 3));
  }

  @Test
  void editsAndListedEntriesRefuseMissingParts() {
    EntryName n = EntryName.of("a");
    var m = Entries.file("a", 1).metadata();
    assertThat(DirectoryEdit.put("a", Optional.empty(), m))
        .isEqualTo(new DirectoryEdit.Put(n, Optional.empty(), m));
    assertThat(DirectoryEdit.remove("a")).isEqualTo(new DirectoryEdit.Remove(n));
    assertThatThrownBy(() -> new DirectoryEdit.Put(null, Optional.empty(), m))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new DirectoryEdit.Put(n, null, m))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new DirectoryEdit.Put(n, Optional.empty(), null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new DirectoryEdit.Remove(null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(new ListedEntry(n, Optional.empty(), m).name()).isEqualTo(n);
    assertThatThrownBy(() -> new ListedEntry(null, Optional.empty(), m))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ListedEntry(n, null, m))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ListedEntry(n, Optional.empty(), null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aCommitKeepsItsOwnCopiesOfThePageLists() {
    List<PageRef.Stored> written = new ArrayList<>();
    List<PageRef.Stored> released = new ArrayList<>();
    TreeCommit c = new TreeCommit(new byte[1], true, written, released, 0, 0);
    written.add(null);
    released.add(null);
    assertThat(c.written()).isEmpty();
    assertThat(c.released()).isEmpty();
  }
}
