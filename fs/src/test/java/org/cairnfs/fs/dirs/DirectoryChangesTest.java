package org.cairnfs.fs.dirs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.List;
import java.util.Optional;
import org.cairnfs.caps.dirnode.ChildWriteCapKey;
import org.cairnfs.caps.dirnode.EntryName;
import org.cairnfs.fs.dirs.DirectoryChanges.Outcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two writers start from the same version; the first publishes, the second's publish collides,
 * so it applies its changes again on the first's version: the merge a concurrent writer does.
 * Run on a flat directory and on a paged one.
 */
class DirectoryChangesTest {
  private final MemoryPageStore store = new MemoryPageStore(Entries.DIRECTORY.readOnly());
  private final PagingPolicy policy = PagingPolicy.DEFAULT;
  private final ChildWriteCapKey key = ChildWriteCapKey.of(Entries.DIRECTORY);
  private final SecureRandom random = new SecureRandom();

  private byte[] base(int size) throws IOException {
    DirectoryTree t = DirectoryTree.empty(store, policy);
    for (int i = 0; i < size; i++) {
      t.put(Entries.file(Entries.name(i), 0));
    }
    return t.commit().root();
  }

  /** Applies {@code changes} to the version {@code root} and publishes. */
  private byte[] publish(byte[] root, DirectoryChanges changes, List<Outcome> outcomes)
      throws IOException {
    DirectoryTree t = DirectoryTree.open(root, store, policy);
    outcomes.addAll(changes.applyTo(t, Optional.of(key), random));
    return t.commit().root();
  }

  private DirectoryTree at(byte[] root) {
    return DirectoryTree.open(root, store, policy);
  }

  private static EntryName n(String s) {
    return EntryName.of(s);
  }

  @ParameterizedTest
  @ValueSource(ints = {10, 5000})
  void writersAddingDifferentNamesBothKeepThem(int size) throws IOException {
    byte[] base = base(size);
    DirectoryChanges a = new DirectoryChanges().put(Entries.file("from-a", 1));
    DirectoryChanges b = new DirectoryChanges().put(Entries.file("from-b", 2))
        .remove(n(Entries.name(3)));
    byte[] afterA = publish(base, a, new java.util.ArrayList<>());
    // b read `base` too; its publish collides, so it re-applies onto A's version.
    byte[] merged = publish(afterA, b, new java.util.ArrayList<>());
    DirectoryTree t = at(merged);
    assertThat(t.get(n("from-a"))).contains(Entries.file("from-a", 1));
    assertThat(t.get(n("from-b"))).contains(Entries.file("from-b", 2));
    assertThat(t.get(n(Entries.name(3)))).isEmpty();
    assertThat(t.size()).isEqualTo(size + 1);
  }

  @ParameterizedTest
  @ValueSource(ints = {10, 5000})
  void theSameNameGoesToTheLastPublisher(int size) throws IOException {
    byte[] base = base(size);
    byte[] afterA = publish(base, new DirectoryChanges().put(Entries.file("x", 1)),
        new java.util.ArrayList<>());
    byte[] merged = publish(afterA, new DirectoryChanges().put(Entries.file("x", 2)),
        new java.util.ArrayList<>());
    assertThat(at(merged).get(n("x"))).contains(Entries.file("x", 2));
    byte[] removed = publish(merged, new DirectoryChanges().remove(n("x")),
        new java.util.ArrayList<>());
    assertThat(at(removed).get(n("x"))).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(ints = {10, 5000})
  void conditionalOperationsReportConflictsInsteadOfClobbering(int size) throws IOException {
    byte[] base = base(size);
    String victim = Entries.name(5);
    // A rewrites the file and removes another; B, from the old version, renames both.
    byte[] afterA = publish(base, new DirectoryChanges().put(Entries.file(victim, 9))
        .remove(n(Entries.name(6))), new java.util.ArrayList<>());
    List<Outcome> outcomes = new java.util.ArrayList<>();
    byte[] merged = publish(afterA, new DirectoryChanges()
        .rename(n(victim), n("renamed"))
        .rename(n(Entries.name(6)), n("ghost"))
        .create(Entries.file(Entries.name(7), 3))
        .create(Entries.file("fresh", 3)), outcomes);
    assertThat(outcomes).containsExactly(Outcome.APPLIED, Outcome.MISSING, Outcome.EXISTS,
        Outcome.APPLIED);
    DirectoryTree t = at(merged);
    assertThat(t.get(n("renamed")).orElseThrow().readCap())
        .as("the rename moved A's rewrite, not B's stale copy")
        .isEqualTo(Entries.file(victim, 9).readCap());
    assertThat(t.get(n("ghost"))).as("a removed source is not resurrected").isEmpty();
    assertThat(t.get(n(Entries.name(7)))).contains(Entries.file(Entries.name(7), 0));
    assertThat(t.get(n("fresh"))).isPresent();
  }

  @Test
  void aRenameOntoItselfChangesNothing() throws IOException {
    DirectoryTree t = at(base(10));
    t.put(Entries.writableDir(key, "photos", 9, random));
    byte[] root = t.commit().root();
    DirectoryChanges c = new DirectoryChanges().rename(n("photos"), n("photos"));
    assertThat(c.size()).isEqualTo(1);
    assertThat(c).hasToString("DirectoryChanges[1 operations]");
    DirectoryTree u = at(root);
    assertThat(c.applyTo(u, Optional.of(key), random)).containsExactly(Outcome.APPLIED);
    assertThat(u.commit().changed()).as("the sealed write cap is not sealed anew").isFalse();
  }
}
