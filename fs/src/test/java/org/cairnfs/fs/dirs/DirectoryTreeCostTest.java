package org.cairnfs.fs.dirs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.cairnfs.caps.dirnode.EntryName;
import org.cairnfs.caps.dirnode.PageRef;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Pages and bytes written per single-entry change (add, replace, remove, rename, each committed
 * on its own) at 100, 10 000 and 100 000 entries with the default policy: O(log n) pages, and
 * at 100 000 entries no more than twice the bytes of a change to a flat 100-entry directory.
 * Also the pages a lookup reads. Printed figures are recorded in docs/specs/dirnode.md.
 */
class DirectoryTreeCostTest {
  /** Root plus pages uploaded by one change to a 100-entry (flat) directory, about 20 KB. */
  private static long flatHundredBytes;

  record Cost(int pages, long bytes) {}

  @ParameterizedTest
  @ValueSource(ints = {100, 10_000, 100_000})
  void oneEntryChangesWriteLogarithmicallyManyPages(int size) throws IOException {
    MemoryPageStore store = new MemoryPageStore(Entries.DIRECTORY.readOnly());
    PagingPolicy policy = PagingPolicy.DEFAULT;
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      order.add(i * 2); // even names exist, odd ones are free to add
    }
    Collections.shuffle(order, new Random(size));
    DirectoryTree t = DirectoryTree.empty(store, policy);
    for (int i : order) {
      t.put(Entries.file(Entries.name(i), 0));
    }
    TreeCommit built = t.commit();
    t = DirectoryTree.open(built.root(), store, policy);
    int height = built.height();

    Random r = new Random(7);
    List<Cost> costs = new ArrayList<>();
    int maxPages = 0;
    int lookupsGets = 0;
    for (int k = 0; k < 40; k++) {
      int existing = 2 * r.nextInt(size);
      switch (k % 4) {
        case 0 -> t.put(Entries.file(Entries.name(2 * r.nextInt(size) + 1), 0));
        case 1 -> t.put(Entries.file(Entries.name(existing), k));
        case 2 -> t.remove(EntryName.of(Entries.name(existing)));
        default -> new DirectoryChanges().rename(EntryName.of(Entries.name(existing)),
            EntryName.of(Entries.name(existing) + ".bak")).applyTo(t, Optional.empty(), null);
      }
      TreeCommit c = t.commit();
      long bytes = c.root().length
          + c.written().stream().mapToLong(PageRef.Stored::size).sum();
      costs.add(new Cost(c.written().size(), bytes));
      maxPages = Math.max(maxPages, c.written().size());
      t = DirectoryTree.open(c.root(), store, policy);
      store.resetCounts();
      t.get(EntryName.of(Entries.name(2 * r.nextInt(size))));
      lookupsGets = Math.max(lookupsGets, store.gets);
    }
    double avgPages = costs.stream().mapToInt(Cost::pages).average().orElse(0);
    double avgBytes = costs.stream().mapToLong(Cost::bytes).average().orElse(0);
    System.out.printf("%,d entries: height %d, %d pages, root %,d B; per change: %.2f pages"
        + " (max %d), %,.0f bytes; lookup reads %d pages%n", size, height,
        built.written().size(), built.root().length, avgPages, maxPages, avgBytes, lookupsGets);

    assertThat(lookupsGets).isEqualTo(height);
    if (size == 100) {
      assertThat(height).isZero();
      assertThat(maxPages).isZero();
      flatHundredBytes = (long) avgBytes;
    } else {
      assertThat(height).isBetween(1, size == 10_000 ? 2 : 3);
      // a page per level, plus a split or a merge now and then
      assertThat(maxPages).isLessThanOrEqualTo(2 * height + 1);
      assertThat(avgPages).isLessThanOrEqualTo(height + 0.5);
    }
    if (size == 100_000 && flatHundredBytes > 0) {
      assertThat(avgBytes).as("bytes per change at 100 000 vs at 100")
          .isLessThanOrEqualTo(2.0 * flatHundredBytes);
    }
  }
}
