package org.cairnfs.fs.dirs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.cairnfs.caps.DirectoryWriteCap;
import org.cairnfs.caps.dirnode.EntryKind;
import org.cairnfs.caps.dirnode.EntryMetadata;
import org.cairnfs.caps.dirnode.EntryName;
import org.cairnfs.caps.immutable.EncodingParams;
import org.cairnfs.caps.immutable.PlaintextSource;
import org.cairnfs.fs.grid.GridClient;
import org.cairnfs.fs.grid.GridConfig;
import org.cairnfs.fs.testing.TestGrid;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 10 000-entry directory on real servers with the default paging policy: it pages, one more
 * entry costs O(log n) pages (counted in bytes sent), a listing returns every entry, lookups
 * read one page per level, and two writers adding at once lose nothing.
 */
class GridDirectoriesScaleTest {
  static final int ENTRIES = 10_000;
  static final GridConfig CONFIG = GridConfig.builder()
      .params(EncodingParams.builder().k(2).happy(3).n(4).segmentSize(64 * 1024).build())
      .stallTimeout(Duration.ofSeconds(5)).readTimeout(Duration.ofSeconds(5)).build();
  static final Instant T = Instant.parse("2026-05-06T07:08:09Z");
  static final EntryMetadata FILE = EntryMetadata.of(EntryKind.FILE, 4096, 0644, T, T);

  @TempDir static Path dir;
  static TestGrid grid;
  static GridClient writerClient;
  static GridDirectories writer;
  static DirectoryWriteCap big;
  static String fileCap;

  @BeforeAll
  static void build() throws Exception {
    grid = new TestGrid(dir, 4);
    writerClient = grid.client(CONFIG);
    writer = GridDirectories.create(writerClient);
    fileCap = writerClient.upload(PlaintextSource.of(new byte[1000])).get().cap().toString();
    big = writer.create().get();
    List<DirectoryEdit> all = new ArrayList<>(ENTRIES);
    for (int i = 0; i < ENTRIES; i++) {
      all.add(put(name(i)));
    }
    long t0 = System.nanoTime();
    writer.apply(big, all).get(120, TimeUnit.SECONDS);
    System.out.printf("built %d entries in %d ms: %s%n", ENTRIES,
        (System.nanoTime() - t0) / 1_000_000, writer.costs());
  }

  @AfterAll
  static void stop() {
    grid.close();
  }

  static String name(int i) {
    return String.format("photo-%06d.jpg", i);
  }

  static DirectoryEdit put(String name) {
    return DirectoryEdit.put(name, Optional.of(fileCap), FILE);
  }

  @Test
  void addingOneEntryWritesLogarithmicallyManyPages() throws Exception {
    DirectoryCosts built = writer.costs();
    assertThat(built.pagesWritten()).isGreaterThan(20); // it paged
    long wholeDirectoryShareBytes = built.shareBytesSent();

    DirectoryCosts before = writer.costs();
    writer.apply(big, List.of(put("photo-005000.jpg-edited"))).get();
    DirectoryCosts one = writer.costs().since(before);
    System.out.printf("one add to %d entries: %s%n", ENTRIES, one);
    // a leaf (split at most once) and the inner pages on its path; height is 1 or 2 here
    assertThat(one.pagesWritten()).isBetween(1L, 4L);
    assertThat(one.pageBytesWritten()).isLessThanOrEqualTo(
        4L * writer.policy().maxPageBytes());
    assertThat(one.rootsPublished()).isEqualTo(1);
    assertThat(one.rootBytesPublished()).isLessThanOrEqualTo(writer.policy().maxPageBytes());
    // what went over the wire is a small fraction of the directory
    assertThat(one.shareBytesSent()).isLessThan(wholeDirectoryShareBytes / 10);

    DirectoryCosts beforeRemove = writer.costs();
    writer.apply(big, List.of(DirectoryEdit.remove("photo-005000.jpg-edited"))).get();
    assertThat(writer.costs().since(beforeRemove).pagesWritten()).isBetween(1L, 4L);
  }

  @Test
  void aColdReaderListsEverythingAndLooksUpWithFewPages() throws Exception {
    GridDirectories reader = GridDirectories.create(grid.client(CONFIG));
    long t0 = System.nanoTime();
    List<ListedEntry> all = reader.list(big.readOnly()).get(60, TimeUnit.SECONDS);
    long listNanos = System.nanoTime() - t0;
    assertThat(all.size()).isGreaterThanOrEqualTo(ENTRIES);
    java.util.Set<String> names = new java.util.HashSet<>();
    all.forEach(e -> names.add(e.name().text()));
    for (int i = 0; i < ENTRIES; i++) {
      if (!names.contains(name(i))) {
        throw new AssertionError("listing lacks " + name(i));
      }
    }
    for (int i = 1; i < all.size(); i++) {
      assertThat(all.get(i - 1).name().compareTo(all.get(i).name())).isNegative();
    }
    System.out.printf("listed %d entries in %d ms%n", all.size(), listNanos / 1_000_000);

    GridDirectories cold = GridDirectories.create(grid.client(CONFIG));
    Random random = new Random(3);
    for (int n = 0; n < 5; n++) {
      int i = random.nextInt(ENTRIES);
      DirectoryCosts before = cold.costs();
      Optional<ListedEntry> e = cold.lookup(big, EntryName.of(name(i))).get();
      assertThat(e).isPresent();
      assertThat(e.get().cap()).contains(fileCap);
      // one page per level below the root, height at most 2 for 10 000 entries
      assertThat(cold.costs().since(before).pagesFetched()).isBetween(0L, 2L);
    }
    assertThat(cold.lookup(big, EntryName.of("no-such-photo")).get()).isEmpty();
  }

  @Test
  void aListingInPagesIsTheWholeListingAndAFirstPageReadsLittle() throws Exception {
    GridDirectories reader = GridDirectories.create(grid.client(CONFIG));
    List<ListedEntry> all = reader.list(big.readOnly()).get(60, TimeUnit.SECONDS);
    List<ListedEntry> paged = new ArrayList<>();
    Optional<EntryName> after = Optional.empty();
    while (true) {
      List<ListedEntry> page = reader.listPage(big.readOnly(), after, 997).get(60,
          TimeUnit.SECONDS);
      assertThat(page.size()).isLessThanOrEqualTo(997);
      if (page.isEmpty()) {
        break;
      }
      paged.addAll(page);
      after = Optional.of(page.get(page.size() - 1).name());
    }
    assertThat(paged).isEqualTo(all);

    GridDirectories cold = GridDirectories.create(grid.client(CONFIG));
    List<ListedEntry> first = cold.listPage(big.readOnly(), Optional.empty(), 10).get();
    assertThat(first).isEqualTo(all.subList(0, 10));
    long firstPageFetches = cold.costs().pagesFetched();
    GridDirectories whole = GridDirectories.create(grid.client(CONFIG));
    whole.list(big.readOnly()).get(60, TimeUnit.SECONDS);
    assertThat(firstPageFetches).as("pages fetched for 10 entries of " + ENTRIES)
        .isLessThan(whole.costs().pagesFetched() / 2);
    assertThatThrownBy(() -> cold.listPage(big, Optional.empty(), 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void twoWritersOnAPagedDirectoryLoseNothing() throws Exception {
    GridDirectories other = GridDirectories.create(grid.client(CONFIG));
    int each = 8;
    CyclicBarrier start = new CyclicBarrier(2);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<?>> runs = new ArrayList<>();
      for (GridDirectories w : List.of(writer, other)) {
        String prefix = w == writer ? "a-" : "b-";
        runs.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < each; i++) {
            // spread over the name space so the writers touch different leaves and the same
            w.apply(big, List.of(put(prefix + i), put("photo-00" + i + "5000.jpg" + prefix)))
                .get(60, TimeUnit.SECONDS);
          }
          return null;
        }));
      }
      for (Future<?> f : runs) {
        f.get(180, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    GridDirectories reader = GridDirectories.create(grid.client(CONFIG));
    List<String> names = reader.list(big).get(60, TimeUnit.SECONDS).stream()
        .map(e -> e.name().text()).toList();
    for (int i = 0; i < each; i++) {
      assertThat(names).contains("a-" + i, "b-" + i, "photo-00" + i + "5000.jpga-",
          "photo-00" + i + "5000.jpgb-");
    }
    for (int i = 0; i < ENTRIES; i += 101) {
      assertThat(names).contains(name(i));
    }
  }
}
