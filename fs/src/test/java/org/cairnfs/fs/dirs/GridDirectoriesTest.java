package org.cairnfs.fs.dirs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.cairnfs.caps.Cap;
import org.cairnfs.caps.DirectoryCap;
import org.cairnfs.caps.DirectoryReadCap;
import org.cairnfs.caps.DirectoryVerifyCap;
import org.cairnfs.caps.DirectoryWriteCap;
import org.cairnfs.caps.ImmutableDirectoryReadCap;
import org.cairnfs.caps.ImmutableReadCap;
import org.cairnfs.caps.LiteralDirectoryCap;
import org.cairnfs.caps.LiteralCap;
import org.cairnfs.caps.dirnode.DirectoryContents;
import org.cairnfs.caps.dirnode.DirectoryEntry;
import org.cairnfs.caps.dirnode.EntryKind;
import org.cairnfs.caps.dirnode.EntryMetadata;
import org.cairnfs.caps.dirnode.EntryName;
import org.cairnfs.caps.dirnode.FlatRoot;
import org.cairnfs.caps.dirnode.PageRef;
import org.cairnfs.caps.dirnode.PageSecret;
import org.cairnfs.caps.immutable.EncodingParams;
import org.cairnfs.caps.immutable.PlaintextSource;
import org.cairnfs.fs.grid.GridClient;
import org.cairnfs.fs.grid.GridConfig;
import org.cairnfs.fs.testing.TestGrid;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Directories on real storage servers (in-process, loopback TLS). */
class GridDirectoriesTest {
  static final GridConfig CONFIG = GridConfig.builder()
      .params(EncodingParams.builder().k(2).happy(3).n(4).segmentSize(64 * 1024).build())
      .stallTimeout(Duration.ofSeconds(3)).readTimeout(Duration.ofSeconds(3)).build();
  static final Instant T = Instant.parse("2026-01-02T03:04:05.123456789Z");
  static final EntryMetadata FILE = EntryMetadata.of(EntryKind.FILE, 5, 0644, T, T);
  static final EntryMetadata DIR = EntryMetadata.of(EntryKind.DIRECTORY, 0, 0755, T, T);

  @TempDir static Path dir;
  static TestGrid grid;
  static GridClient aliceClient;
  static GridDirectories alice;
  static GridDirectories bob;
  static String fileCap;

  @BeforeAll
  static void start() throws Exception {
    grid = new TestGrid(dir, 4);
    aliceClient = grid.client(CONFIG);
    alice = GridDirectories.create(aliceClient);
    bob = GridDirectories.create(grid.client(CONFIG));
    fileCap = aliceClient.upload(PlaintextSource.of(new byte[100])).get().cap().toString();
  }

  @AfterAll
  static void stop() {
    grid.close();
  }

  static DirectoryEdit put(String name, String cap, EntryMetadata m) {
    return DirectoryEdit.put(name, Optional.of(cap), m);
  }

  static List<String> names(List<ListedEntry> entries) {
    return entries.stream().map(e -> e.name().text()).toList();
  }

  @Test
  void createListLookupAndAuthority() throws Exception {
    DirectoryWriteCap parent = alice.create().get();
    assertThat(alice.list(parent).get()).isEmpty();
    DirectoryWriteCap child = alice.create().get();
    EntryMetadata link = EntryMetadata.symlink("../target", 0777, T, T);
    alice.apply(parent, List.of(put("file", fileCap, FILE), put("sub", child.toString(), DIR),
        DirectoryEdit.put("link", Optional.empty(), link))).get();

    List<ListedEntry> byWriter = bob.list(parent).get();
    assertThat(names(byWriter)).containsExactly("file", "link", "sub");
    assertThat(byWriter.get(0).cap()).contains(fileCap);
    assertThat(byWriter.get(0).metadata()).isEqualTo(FILE);
    assertThat(byWriter.get(1).cap()).isEmpty();
    assertThat(byWriter.get(1).metadata()).isEqualTo(link);
    assertThat(byWriter.get(2).cap()).contains(child.toString());

    DirectoryReadCap reader = parent.readOnly();
    List<ListedEntry> byReader = bob.list(reader).get();
    assertThat(byReader.get(2).cap()).contains(child.readOnly().toString());
    for (ListedEntry e : byReader) {
      e.cap().ifPresent(c -> assertThat(Cap.parse(c).isWritable()).isFalse());
    }
    assertThat(bob.lookup(reader, EntryName.of("sub")).get().orElseThrow().cap())
        .contains(child.readOnly().toString());
    assertThat(bob.lookup(parent, EntryName.of("sub")).get().orElseThrow().cap())
        .contains(child.toString());
    assertThat(bob.lookup(parent, EntryName.of("nope")).get()).isEmpty();
  }

  @Test
  void putReplacesAndRemoveOfAMissingNameDoesNothing() throws Exception {
    DirectoryWriteCap d = alice.create().get();
    alice.apply(d, List.of(put("a", fileCap, FILE), put("b", fileCap, FILE))).get();
    EntryMetadata bigger = EntryMetadata.of(EntryKind.FILE, 99, 0600, T, T);
    bob.apply(d, List.of(put("a", fileCap, bigger), DirectoryEdit.remove("b"),
        DirectoryEdit.remove("never-there"))).get();
    List<ListedEntry> l = alice.list(d).get();
    assertThat(names(l)).containsExactly("a");
    assertThat(l.get(0).metadata()).isEqualTo(bigger);
    // a rename as one batch: never a version with the entry in neither place
    alice.apply(d, List.of(put("c", fileCap, bigger), DirectoryEdit.remove("a"))).get();
    assertThat(names(bob.list(d.readOnly()).get())).containsExactly("c");
    // applying the same batch again is harmless (journal replay)
    alice.apply(d, List.of(put("c", fileCap, bigger), DirectoryEdit.remove("a"))).get();
    assertThat(names(bob.list(d).get())).containsExactly("c");
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void twoWritersAtOnceLoseNothing(boolean sameClient) throws Exception {
    DirectoryWriteCap d = alice.create().get();
    int each = 12;
    CyclicBarrier start = new CyclicBarrier(2);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    GridDirectories second = sameClient ? alice : bob;
    try {
      List<Future<?>> runs = new ArrayList<>();
      for (int w = 0; w < 2; w++) {
        GridDirectories writer = w == 0 ? alice : second;
        String prefix = w == 0 ? "alice-" : "bob-";
        runs.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < each; i++) {
            writer.apply(d, List.of(put(prefix + i, fileCap, FILE))).get(60, TimeUnit.SECONDS);
          }
          return null;
        }));
      }
      for (Future<?> f : runs) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    List<String> got = names(alice.list(d).get());
    assertThat(got).hasSize(2 * each);
    for (int i = 0; i < each; i++) {
      assertThat(got).contains("alice-" + i, "bob-" + i);
    }
  }

  @Test
  void aDirectoryPagesPastTheThresholdAndStaysRight() throws Exception {
    PagingPolicy small = PagingPolicy.builder().maxPageBytes(1024).flatMaxBytes(2048)
        .flatMinBytes(1024).minFillBytes(256).build();
    GridDirectories paged = GridDirectories.create(aliceClient, small, 1 << 20);
    DirectoryWriteCap d = paged.create().get();
    List<DirectoryEdit> batch = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      batch.add(put(String.format("entry-%04d", i), fileCap, FILE));
    }
    paged.apply(d, batch).get();
    // the root on the grid is a paged root now
    assertThat(paged.size(d).get()).isEqualTo(60);
    List<String> pageCaps = paged.pageCaps(d.readOnly()).get();
    assertThat(pageCaps).hasSizeGreaterThan(3).doesNotHaveDuplicates();
    for (String page : pageCaps) {
      ImmutableReadCap c = (ImmutableReadCap) Cap.parse(page);
      assertThat(c.size()).isLessThanOrEqualTo(small.maxPageBytes() * 2L);
    }
    GridDirectories reader = GridDirectories.create(grid.client(CONFIG), small, 1 << 20);
    List<ListedEntry> all = reader.list(d.readOnly()).get();
    assertThat(all).hasSize(60);
    assertThat(reader.costs().pagesFetched()).isGreaterThan(1);
    DirectoryCosts before = paged.costs();
    paged.apply(d, List.of(put("entry-0030x", fileCap, FILE))).get();
    DirectoryCosts one = paged.costs().since(before);
    // one leaf (maybe split in two) and the inner pages above it, never the whole directory
    assertThat(one.pagesWritten()).isBetween(1L, 4L);
    assertThat(one.rootsPublished()).isEqualTo(1);
    assertThat(reader.lookup(d, EntryName.of("entry-0030x")).get()).isPresent();
    // shrink back: removing most entries makes it flat again, still right
    List<DirectoryEdit> removes = new ArrayList<>();
    for (int i = 0; i < 58; i++) {
      removes.add(DirectoryEdit.remove(String.format("entry-%04d", i)));
    }
    paged.apply(d, removes).get();
    assertThat(names(reader.list(d).get())).containsExactly("entry-0030x", "entry-0058",
        "entry-0059");
    assertThat(paged.pageCaps(d).get()).isEmpty(); // under flat min bytes: flat again
  }

  @Test
  void immutableAndLiteralDirectoriesAreReadOnly() throws Exception {
    DirectoryContents contents = DirectoryContents.builder()
        .put(DirectoryEntry.of(EntryName.of("f"), fileCap, Optional.empty(), FILE)).build();
    byte[] plain = new FlatRoot(contents).encode();
    Cap stored = aliceClient.upload(PlaintextSource.of(plain)).get().cap();
    ImmutableDirectoryReadCap imm = new ImmutableDirectoryReadCap((ImmutableReadCap) stored);
    assertThat(names(bob.list(imm).get())).containsExactly("f");
    LiteralDirectoryCap lit = new LiteralDirectoryCap(new LiteralCap(
        new FlatRoot(DirectoryContents.empty()).encode()));
    assertThat(bob.list(lit).get()).isEmpty();
    assertThat(bob.lookup(imm, EntryName.of("f")).get().orElseThrow().cap()).contains(fileCap);
  }

  /**
   * A create takes a free name, is refused (EXISTS, nothing changed) where another child holds
   * it, and applies again where the same child does: a create published twice (its writer
   * crashed before it noted the first) is not a conflict with itself.
   */
  @Test
  void aCreateTakesOnlyAFreeNameOrOneThatNamesTheSameChild() throws Exception {
    DirectoryWriteCap d = alice.create().get();
    DirectoryWriteCap sub = alice.create().get();
    DirectoryEdit mine = new DirectoryEdit.Create(EntryName.of("x"), Optional.of(fileCap), FILE);
    assertThat(alice.apply(d, List.of(mine)).get())
        .containsExactly(DirectoryChanges.Outcome.APPLIED);
    assertThat(bob.apply(d, List.of(mine)).get()).as("the same child again")
        .containsExactly(DirectoryChanges.Outcome.APPLIED);
    DirectoryEdit theirs = new DirectoryEdit.Create(EntryName.of("x"),
        Optional.of(sub.toString()), DIR);
    assertThat(bob.apply(d, List.of(theirs, put("y", fileCap, FILE))).get())
        .containsExactly(DirectoryChanges.Outcome.EXISTS, DirectoryChanges.Outcome.APPLIED);
    assertThat(alice.lookup(d, EntryName.of("x")).get().orElseThrow().cap()).contains(fileCap);
    assertThat(names(alice.list(d).get())).containsExactly("x", "y");
  }

  @Test
  void badEditsFailClearlyAndChangeNothing() throws Exception {
    DirectoryWriteCap d = alice.create().get();
    alice.apply(d, List.of(put("keep", fileCap, FILE))).get();
    CompletableFuture<?> bad = alice.apply(d, List.of(put("x", "not-a-cap", FILE)));
    assertThatThrownBy(bad::get).hasCauseInstanceOf(IllegalArgumentException.class);
    assertThat(names(alice.list(d).get())).containsExactly("keep");
  }

  @Test
  void theDefaultsAndTheCacheBound() {
    assertThat(GridDirectories.create(aliceClient).policy()).isEqualTo(PagingPolicy.DEFAULT);
    PagingPolicy small = PagingPolicy.builder().maxPageBytes(1024).flatMaxBytes(2048)
        .flatMinBytes(1024).minFillBytes(256).build();
    assertThat(GridDirectories.create(aliceClient, small, 0).policy()).isEqualTo(small);
    assertThatThrownBy(() -> GridDirectories.create(aliceClient, small, -1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(">= 0");
  }

  /** The page cache's bound is in bytes: each page weighs its length and its key's. */
  @Test
  void thePageCacheWeighsEachPageByItsBytesAndItsKey() throws Exception {
    GridDirectories d = GridDirectories.create(aliceClient, PagingPolicy.DEFAULT, 1L << 30);
    DirectoryWriteCap w = d.create().get();
    List<DirectoryEdit> many = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      many.add(put(String.format("entry-%05d", i), fileCap, FILE));
    }
    d.apply(w, many).get();
    var cache = d.pageCache().synchronous();
    cache.cleanUp();
    long bytes = cache.asMap().entrySet().stream()
        .mapToLong(e -> e.getKey().length() + e.getValue().length).sum();
    assertThat(cache.asMap()).as("pages written are cached").isNotEmpty();
    assertThat(cache.policy().eviction().orElseThrow().weightedSize().orElseThrow())
        .isEqualTo(bytes);
  }

  @Test
  void aNewDirectoryCostsOneRootAndAnApplyThatChangesNothingPublishesNone() throws Exception {
    GridDirectories d = GridDirectories.create(aliceClient);
    DirectoryWriteCap w = d.create().get();
    int empty = new FlatRoot(DirectoryContents.empty()).encode().length;
    assertThat(d.costs()).isEqualTo(new DirectoryCosts(0, 0, 0, 1, empty, 0));
    d.apply(w, List.of(DirectoryEdit.remove("never-there"))).get();
    assertThat(d.costs().rootsPublished()).isEqualTo(1);
    d.apply(w, List.of(put("a", fileCap, FILE))).get();
    assertThat(d.costs().rootsPublished()).isEqualTo(2);
    d.apply(w, List.of(put("a", fileCap, FILE))).get(); // the same entry again
    assertThat(d.costs().rootsPublished()).isEqualTo(2);
  }

  @Test
  void aVerifyCapCannotReadEntries() throws Exception {
    DirectoryWriteCap d = alice.create().get();
    DirectoryCap verify = (DirectoryCap) d.verifyCap().orElseThrow();
    assertThat(verify).isInstanceOf(DirectoryVerifyCap.class);
    CompletableFuture<List<ListedEntry>> listing = alice.list(verify);
    assertThatThrownBy(listing::get).hasCauseInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("verify cap");
  }

  /**
   * A change big enough for pages besides the root, on servers that refuse every immutable
   * upload but still take slot writes: the root is not published naming pages the grid lacks.
   */
  @Test
  void anApplyWhosePagesCannotBeStoredPublishesNoRoot() throws Exception {
    DirectoryWriteCap d = alice.create().get();
    List<DirectoryEdit> many = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      many.add(put(String.format("entry-%05d", i), fileCap, FILE));
    }
    try {
      grid.servers().forEach(s -> s.faults().failAllocates(true));
      assertThatThrownBy(() -> alice.apply(d, many).get())
          .cause().isInstanceOf(org.cairnfs.fs.grid.HappinessException.class)
          .hasMessageContaining("injected allocate failure");
    } finally {
      grid.servers().forEach(s -> s.faults().failAllocates(false));
    }
    assertThat(bob.list(d).get()).isEmpty();
    alice.apply(d, many).get();
    assertThat(bob.list(d).get()).hasSize(3000);
  }

  /** At most {@link GridPageStore#WINDOW} page uploads run at once: the next put waits. */
  @Test
  void aPutBeyondTheUploadWindowWaitsForAnUploadToEnd() throws Exception {
    try (TestGrid stuck = new TestGrid(dir.resolve("stuck"), 4)) {
      GridClient client = stuck.client(CONFIG);
      DirectoryWriteCap d = GridDirectories.create(client).create().get();
      GridPageStore store = new GridPageStore(client,
          Optional.of(PageSecret.encoder(d.readOnly(), CONFIG.params())),
          Caffeine.newBuilder().<String, byte[]>buildAsync(), new CostCounters());
      stuck.servers().forEach(s -> s.faults().hang(true));
      for (int i = 0; i < GridPageStore.WINDOW; i++) {
        byte[] page = new byte[100];
        page[0] = (byte) i;
        store.put(page);
      }
      byte[] last = new byte[100];
      last[0] = (byte) 255;
      CompletableFuture<PageRef> beyond = CompletableFuture.supplyAsync(() -> {
        try {
          return store.put(last);
        } catch (IOException e) {
          throw new java.util.concurrent.CompletionException(e);
        }
      });
      Thread.sleep(300);
      assertThat(beyond).as("a put past the window while every upload hangs").isNotDone();
      stuck.servers().forEach(s -> s.faults().release());
      assertThat(beyond.get(30, TimeUnit.SECONDS)).isNotNull();
    }
  }

  /** An upload refused at once (a closed client) gives its place in the window back. */
  @Test
  void putsWhoseUploadsAreRefusedAtOnceDoNotUseUpTheWindow() throws Exception {
    GridClient client = grid.client(CONFIG);
    DirectoryWriteCap d = GridDirectories.create(client).create().get();
    GridPageStore store = new GridPageStore(client,
        Optional.of(PageSecret.encoder(d.readOnly(), CONFIG.params())),
        Caffeine.newBuilder().<String, byte[]>buildAsync(), new CostCounters());
    client.close();
    org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
      for (int i = 0; i <= GridPageStore.WINDOW; i++) {
        byte[] page = new byte[100];
        page[0] = (byte) i;
        assertThatThrownBy(() -> store.put(page))
            .isInstanceOf(java.util.concurrent.RejectedExecutionException.class);
      }
    });
  }

  @Test
  void pageUploadsThatFailAreReportedOnceByTheWait() throws Exception {
    EncodingParams unhappy = EncodingParams.builder().k(3).happy(7).n(10)
        .segmentSize(64 * 1024).build();
    GridClient client = grid.client(GridConfig.builder().params(unhappy)
        .stallTimeout(Duration.ofSeconds(3)).readTimeout(Duration.ofSeconds(3)).build());
    DirectoryWriteCap d = alice.create().get();
    GridPageStore store = new GridPageStore(client,
        Optional.of(PageSecret.encoder(d.readOnly(), unhappy)),
        Caffeine.newBuilder().<String, byte[]>buildAsync(), new CostCounters());
    store.put(new byte[100]);
    store.put(new byte[200]);
    assertThatThrownBy(store::awaitWrites).isInstanceOf(IOException.class);
    store.awaitWrites(); // the failed uploads were waited for: nothing is left to report
  }

  @Test
  void aPageStoreInlinesSmallPagesServesItsOwnWritesAndRefusesReadersAndInterrupts()
      throws Exception {
    DirectoryWriteCap d = alice.create().get();
    CostCounters costs = new CostCounters();
    GridPageStore writer = new GridPageStore(aliceClient,
        Optional.of(PageSecret.encoder(d.readOnly(), CONFIG.params())),
        Caffeine.newBuilder().<String, byte[]>buildAsync(), costs);
    byte[] small = new byte[LiteralCap.MAX_SIZE];
    small[0] = 7;
    assertThat(writer.put(small)).isEqualTo(PageRef.of(new LiteralCap(small)));
    byte[] page = new byte[LiteralCap.MAX_SIZE + 1];
    page[0] = 9;
    PageRef.Stored stored = (PageRef.Stored) writer.put(page);
    writer.awaitWrites();
    assertThat(writer.get(stored)).isEqualTo(page);
    assertThat(costs.snapshot().pagesFetched()).as("a page written is read from the cache")
        .isZero();
    assertThat(costs.snapshot().pagesWritten()).isEqualTo(1);

    GridPageStore reader = new GridPageStore(aliceClient, Optional.empty(),
        Caffeine.newBuilder().<String, byte[]>buildAsync(), costs);
    assertThat(reader.get(stored)).isEqualTo(page);
    assertThat(costs.snapshot().pagesFetched()).isEqualTo(1);
    assertThatThrownBy(() -> reader.put(page)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("write cap");

    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> writer.put(new byte[100]))
          .isInstanceOf(java.io.InterruptedIOException.class);
      assertThat(Thread.currentThread().isInterrupted()).as("the interrupt is kept").isTrue();
    } finally {
      Thread.interrupted();
    }
  }

  /**
   * The read-ahead window, seen in the page cache (a fetch's future is in it from its start):
   * a prefetch starts the first 16 pages, a read of an announced page the 16 after it, and a
   * second prefetch forgets the first's pages.
   */
  @Test
  void readsAheadStartSixteenPagesAfterTheOneRead() throws Exception {
    DirectoryWriteCap d = alice.create().get();
    GridPageStore writer = new GridPageStore(aliceClient,
        Optional.of(PageSecret.encoder(d.readOnly(), CONFIG.params())),
        Caffeine.newBuilder().<String, byte[]>buildAsync(), new CostCounters());
    List<PageRef.Stored> pages = new ArrayList<>();
    for (int i = 0; i < GridPageStore.WINDOW + 2; i++) {
      byte[] page = new byte[LiteralCap.MAX_SIZE + 1];
      page[0] = (byte) i;
      pages.add((PageRef.Stored) writer.put(page));
    }
    writer.awaitWrites();

    AsyncCache<String, byte[]> cache = Caffeine.newBuilder().buildAsync();
    GridPageStore reader = new GridPageStore(aliceClient, Optional.empty(), cache,
        new CostCounters());
    reader.prefetch(pages);
    assertThat(started(cache, pages)).isEqualTo(range(0, 16));
    reader.get(pages.get(0));
    assertThat(started(cache, pages)).isEqualTo(range(0, 17));

    AsyncCache<String, byte[]> other = Caffeine.newBuilder().buildAsync();
    GridPageStore again = new GridPageStore(aliceClient, Optional.empty(), other,
        new CostCounters());
    again.prefetch(pages.subList(0, 1));
    again.prefetch(pages.subList(1, pages.size()));
    assertThat(started(other, pages)).isEqualTo(range(0, 17));
    again.get(pages.get(0)); // no longer announced: nothing read ahead
    assertThat(started(other, pages)).isEqualTo(range(0, 17));
  }

  private static List<Integer> started(AsyncCache<String, byte[]> cache,
      List<PageRef.Stored> pages) {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < pages.size(); i++) {
      if (cache.getIfPresent(pages.get(i).cap().toString()) != null) {
        out.add(i);
      }
    }
    return out;
  }

  private static List<Integer> range(int from, int to) {
    List<Integer> out = new ArrayList<>();
    for (int i = from; i < to; i++) {
      out.add(i);
    }
    return out;
  }
}
