package org.cairnfs.fs.dirs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;
import org.cairnfs.caps.dirnode.ChildWriteCapKey;
import org.cairnfs.caps.dirnode.DirectoryEntry;
import org.cairnfs.caps.dirnode.EntryName;
import org.cairnfs.caps.dirnode.PageRef;

/**
 * Any sequence of adds, removes, renames, lookups and commits on the tree equals the same
 * sequence on a sorted map, with pages so small (512 bytes, two or three entries) that a few
 * dozen entries make trees three levels deep and cross the flat/paged threshold both ways.
 * After every commit the version is reopened from its root bytes, and the pages it reaches are
 * exactly the old ones minus the released plus the written.
 */
class DirectoryTreePropertiesTest {
  static final PagingPolicy SMALL = PagingPolicy.builder().maxPageBytes(512)
      .flatMaxBytes(1024).flatMinBytes(256).minFillBytes(128).build();
  private static final ChildWriteCapKey KEY = ChildWriteCapKey.of(Entries.DIRECTORY);

  sealed interface Op permits Put, Remove, Rename, Lookup, Commit, Bulk, Drop {}

  record Put(int name, int variant) implements Op {}

  record Remove(int name) implements Op {}

  record Rename(int from, int to) implements Op {}

  record Lookup(int name) implements Op {}

  record Commit() implements Op {}

  record Bulk(int first, int count) implements Op {}

  record Drop(int first, int count) implements Op {}

  static String nameOf(int i) {
    // short names, some sharing long prefixes, some non-ASCII
    return switch (i % 4) {
      case 0 -> "n" + i;
      case 1 -> "shared-prefix-for-separators-" + i;
      case 2 -> "\u00e9t\u00e9-" + i;
      default -> Integer.toString(i);
    };
  }

  static DirectoryEntry entry(int name, int variant, SecureRandom random) {
    String n = nameOf(name);
    return switch (variant % 4) {
      case 0 -> Entries.file(n, 0);
      case 1 -> Entries.file(n, 7);
      case 2 -> Entries.symlink(n, "t" + variant);
      default -> Entries.writableDir(KEY, n, variant, random);
    };
  }

  @Provide
  Arbitrary<List<Op>> ops() {
    Arbitrary<Integer> name = Arbitraries.integers().between(0, 60);
    Arbitrary<Op> put = Combinators.combine(name, Arbitraries.integers().between(0, 7))
        .as(Put::new);
    Arbitrary<Op> remove = name.map(Remove::new);
    Arbitrary<Op> rename = Combinators.combine(name, name).as(Rename::new);
    Arbitrary<Op> lookup = name.map(Lookup::new);
    Arbitrary<Op> commit = Arbitraries.just(new Commit());
    Arbitrary<Op> bulk = Combinators.combine(name, Arbitraries.integers().between(5, 40))
        .as(Bulk::new);
    Arbitrary<Op> drop = Combinators.combine(name, Arbitraries.integers().between(5, 40))
        .as(Drop::new);
    return Arbitraries.frequencyOf(Tuple.of(6, put), Tuple.of(4, remove), Tuple.of(2, rename),
        Tuple.of(3, lookup), Tuple.of(2, commit), Tuple.of(2, bulk), Tuple.of(2, drop))
        .list().ofMinSize(1).ofMaxSize(40);
  }

  @Property(tries = 300)
  void theTreeBehavesLikeASortedMap(@ForAll("ops") List<Op> ops) throws IOException {
    run(ops);
  }

  /** A fixed run that grows a deep tree, shrinks it to flat, and grows it again. */
  @Example
  void crossesTheThresholdBothWays() throws IOException {
    List<Op> ops = new ArrayList<>();
    ops.add(new Bulk(0, 60));
    ops.add(new Commit());
    ops.add(new Drop(0, 58));
    ops.add(new Commit());
    ops.add(new Bulk(10, 30));
    ops.add(new Rename(12, 59));
    ops.add(new Commit());
    Run r = run(ops);
    assertThat(r.heights).contains(0).anyMatch(h -> h >= 3);
    assertThat(r.transitions).contains("flat->paged", "paged->flat");
  }

  record Run(List<Integer> heights, Set<String> transitions) {}

  private Run run(List<Op> ops) throws IOException {
    MemoryPageStore store = new MemoryPageStore(Entries.DIRECTORY.readOnly());
    SecureRandom random = new SecureRandom();
    TreeMap<EntryName, DirectoryEntry> model = new TreeMap<>();
    DirectoryTree tree = DirectoryTree.empty(store, SMALL);
    Set<PageRef.Stored> pages = new HashSet<>();
    List<Integer> heights = new ArrayList<>();
    Set<String> transitions = new HashSet<>();
    for (Op op : ops) {
      boolean wasPaged = tree.isPaged();
      if (op instanceof Put p) {
        DirectoryEntry e = entry(p.name(), p.variant(), random);
        tree.put(e);
        model.put(e.name(), e);
      } else if (op instanceof Remove r) {
        EntryName n = EntryName.of(nameOf(r.name()));
        assertThat(tree.remove(n).map(DirectoryTreePropertiesTest::view))
            .isEqualTo(Optional.ofNullable(model.remove(n)).map(DirectoryTreePropertiesTest::view));
      } else if (op instanceof Rename r) {
        EntryName from = EntryName.of(nameOf(r.from()));
        EntryName to = EntryName.of(nameOf(r.to()));
        List<DirectoryChanges.Outcome> out = new DirectoryChanges().rename(from, to)
            .applyTo(tree, Optional.of(KEY), random);
        DirectoryEntry moved = model.remove(from);
        if (moved == null) {
          assertThat(out).containsExactly(DirectoryChanges.Outcome.MISSING);
        } else {
          assertThat(out).containsExactly(DirectoryChanges.Outcome.APPLIED);
          DirectoryEntry now = tree.get(to).orElseThrow();
          model.put(to, now);
          assertThat(view(now).substring(view(now).indexOf('|')))
              .isEqualTo(view(moved).substring(view(moved).indexOf('|')));
        }
      } else if (op instanceof Lookup l) {
        EntryName n = EntryName.of(nameOf(l.name()));
        assertThat(tree.get(n).map(DirectoryTreePropertiesTest::view))
            .isEqualTo(Optional.ofNullable(model.get(n)).map(DirectoryTreePropertiesTest::view));
      } else if (op instanceof Bulk b) {
        for (int i = b.first(); i < b.first() + b.count(); i++) {
          DirectoryEntry e = entry(i, i, random);
          tree.put(e);
          model.put(e.name(), e);
        }
      } else if (op instanceof Drop d) {
        for (int i = d.first(); i < d.first() + d.count(); i++) {
          EntryName n = EntryName.of(nameOf(i));
          tree.remove(n);
          model.remove(n);
        }
      } else {
        TreeCommit c = tree.commit();
        tree = DirectoryTree.open(c.root(), store, SMALL);
        Set<PageRef.Stored> now = new HashSet<>();
        tree.forEachPage((page, level) -> now.add(page));
        assertThat(pages).containsAll(c.released());
        Set<PageRef.Stored> expected = new HashSet<>(pages);
        expected.removeAll(c.released());
        expected.addAll(c.written());
        assertThat(now).isEqualTo(expected);
        pages = now;
        assertThat(c.entryCount()).isEqualTo(model.size());
        heights.add(c.height());
        assertListing(tree, model);
      }
      if (wasPaged != tree.isPaged()) {
        transitions.add(wasPaged ? "paged->flat" : "flat->paged");
      }
      assertThat(tree.size()).isEqualTo(model.size());
    }
    assertListing(tree, model);
    TreeCommit last = tree.commit();
    assertListing(DirectoryTree.open(last.root(), store, SMALL), model);
    heights.add(last.height());
    Statistics.label("max height").collect(heights.stream().max(Integer::compare).orElse(0));
    Statistics.label("transitions").collect(transitions.size());
    return new Run(heights, transitions);
  }

  private static void assertListing(DirectoryTree tree, Map<EntryName, DirectoryEntry> model)
      throws IOException {
    List<String> listed = new ArrayList<>();
    tree.list(e -> listed.add(view(e)));
    assertThat(listed).isEqualTo(model.values().stream().map(DirectoryTreePropertiesTest::view)
        .toList());
  }

  /** An entry as a reader sees it, with its sealed write cap opened (nonces differ). */
  static String view(DirectoryEntry e) {
    String write = e.writeCap().map(s -> KEY.open(e.name(), s)).orElse("-");
    return e.name() + "|" + e.readCap().orElse("-") + "|" + write + "|" + e.metadata();
  }
}
